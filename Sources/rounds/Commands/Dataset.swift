import ArgumentParser
import Foundation
import RoundsSimulator

/// `rounds dataset ...`: the built-in procedural benchmark.
struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Make the built-in procedural benchmark dataset (offline, no patient images).",
        subcommands: [DatasetSynth.self, DatasetMeasure.self]
    )
}

/// `rounds dataset synth --out DIR [--size 32|64] [--per-condition N]`
struct DatasetSynth: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Paint procedural skin-lesion images whose checklist criteria can be measured from pixels.",
        discussion: """
            Writes DIR/<condition>/<condition>-NNNN.png for the four synthetic conditions \
            (depigmented-patch, target-lesion, scaly-plaque, atypical-mole), spread evenly over six \
            skin-tone bands, plus DIR/manifest.csv (path, condition, split, skin_tone) for \
            `rounds images add --manifest`, DIR/painting.csv (path, seed, broken criteria), and DIR/labels.csv: simulated expert labels \
            (plausible exactly when no criterion was broken) for `rounds labels import`. The same \
            options always paint the same images.
            """
    )

    @Option(help: "Output folder (created if missing).")
    var out: String

    @Option(help: "Image side in pixels: 32 or 64.")
    var size = 32

    @Option(help: "Images per condition.")
    var perCondition = 64

    @Option(help: "Share of each condition's images in the test split.")
    var testShare = 0.2

    @Option(help: "Share of images painted with one or two criteria broken on purpose (0 = all correct).")
    var defectRate = 0.0

    @Option(help: "Seed of the dataset.")
    var seed: UInt64 = 1

    @Flag(help: "Print a JSON summary on stdout.")
    var json = false

    func validate() throws {
        if ![32, 64].contains(size) { throw ValidationError("--size must be 32 or 64, got \(size).") }
        if perCondition < 1 { throw ValidationError("--per-condition must be at least 1.") }
        if !(0...1).contains(testShare) { throw ValidationError("--test-share must lie in [0, 1].") }
        if !(0...1).contains(defectRate) { throw ValidationError("--defect-rate must lie in [0, 1].") }
    }

    func run() throws {
        let dataset = try SyntheticDataset(size: size, perCondition: perCondition, testShare: testShare,
                                           defectRate: defectRate, seed: seed)
        let progress = ProgressLine("painting", total: perCondition * dataset.conditions.count)
        do {
            let summary = try DatasetWriter(dataset: dataset).write(to: out) { done, _ in progress.update(done) }
            if json {
                Console.json(summary)
            } else {
                print("wrote \(summary.images) images of \(summary.conditions.count) conditions to \(out)")
                print("manifest: \(summary.manifest)")
                print("simulated expert labels: \(summary.labels)")
            }
        } catch {
            Console.error("rounds dataset synth: \(error)")
            throw ExitCode(2)
        }
    }
}
