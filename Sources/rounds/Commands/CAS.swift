import ArgumentParser
import Foundation
import RoundsAlignment
import RoundsCore
import RoundsStore

/// `rounds cas IMAGES|--run RUN --reference real-DIR|--reference-split test [--json]`: the Clinical Alignment Score.
struct CASCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cas",
        abstract: "Clinical Alignment Score of stored images against real reference images, with the low-alignment tail.",
        discussion: """
            Four dimensions per image (docs/cas.md): checklist fidelity (the judge's verdicts, weighted by \
            criterion), label consistency (with --classifier, the condition classifier's probability of the \
            intended condition; unavailable without one), plausibility (verdicts against the domain's artefacts \
            checklist) and proximity (k-NN ball membership among the real reference images of the same \
            condition, on the classifier's features with --classifier, else on 8x8 RGB pixel features; \
            leave-one-out for the reference images). A dimension with a positive weight \
            that is unavailable is an error unless --allow-missing renormalises the weights over the available \
            ones. Scores are stored in alignmentScore with what made them. The tail per condition is the share \
            of generated images whose CAS is below the --quantile percentile of real CAS, with a bootstrap 95% \
            interval, per generator or checkpoint. Memorisation: each generated image's distance to its nearest \
            training image (stored real images of split train, same pixel features) and the share of near-copies \
            (closer than the 1st percentile of the training images' own nearest-neighbour distances).
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var checklists: ChecklistOptions

    @Argument(help: "Stored images to score, by image id or path (or use --run).")
    var images: [String] = []

    @Option(help: "Score every image judged in this judge run, with that run's verdicts.")
    var run: Int64?

    @Option(help: ArgumentHelp("Real reference images: the stored real images under this folder.", valueName: "real-DIR"))
    var reference: String?

    @Option(help: ArgumentHelp("Real reference images: the stored real images of this split.", valueName: "train|test"))
    var referenceSplit: String?

    @Option(help: "Only score generated images from this generator.")
    var generator: String?

    @Option(help: ArgumentHelp("Weights of fidelity,label,plausibility,proximity (default 1,1,1,1).", valueName: "a,b,c,d"))
    var weights: String?

    @Flag(help: "Renormalise the weights over each image's available dimensions instead of failing.")
    var allowMissing = false

    @Option(help: "k of the proximity k-NN balls.")
    var k: Int = 5

    @Option(help: "Percentile of real CAS that sets each condition's tail threshold.")
    var quantile: Double = 10

    @Option(help: "Bootstrap resamples of the tail interval.")
    var resamples: Int = 2000

    @Flag(help: "Compute and print without storing the scores.")
    var dryRun = false

    @Option(help: ArgumentHelp(
        "Condition classifier (rounds classifier train): label consistency = its probability of the intended condition, proximity on its features. Without it, label consistency is unavailable and proximity uses 8x8 pixel features.",
        valueName: "dir"))
    var classifier: String?

    @Flag(help: "Print one JSON document on stdout.")
    var json = false

    func validate() throws {
        if images.isEmpty == (run == nil) { throw ValidationError("give either IMAGES or --run RUN (exactly one)") }
        if let run, run < 1 { throw ValidationError("--run must be a judge run id ≥ 1, got \(run)") }
        if (reference == nil) == (referenceSplit == nil) {
            throw ValidationError("give either --reference real-DIR or --reference-split train|test (exactly one)")
        }
        if let s = referenceSplit, DataSplit(rawValue: s) == nil || s == "none" {
            throw ValidationError("--reference-split must be train or test, got '\(s)'")
        }
        if k < 1 { throw ValidationError("--k must be at least 1, got \(k)") }
        if !(quantile >= 0 && quantile <= 100) { throw ValidationError("--quantile must be in [0, 100], got \(quantile)") }
        if resamples < 100 { throw ValidationError("--resamples must be at least 100, got \(resamples)") }
        if let generator, generator.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--generator must not be empty")
        }
        _ = try parsedWeights()
    }

    /// `--weights a,b,c,d` in `CASDimension.allCases` order.
    func parsedWeights() throws -> CASWeights {
        guard let weights else { return .equal }
        let parts = weights.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard parts.count == CASDimension.allCases.count else {
            throw ValidationError(
                "--weights needs \(CASDimension.allCases.count) comma-separated numbers "
                    + "(\(CASDimension.allCases.map(\.rawValue).joined(separator: ","))), got \(parts.count): '\(weights)'")
        }
        var values = [CASDimension: Double]()
        for (d, text) in zip(CASDimension.allCases, parts) {
            guard let w = Double(text) else { throw ValidationError("--weights: \(d.rawValue) weight '\(text)' is not a number") }
            values[d] = w
        }
        do { return try CASWeights(values) } catch { throw ValidationError("--weights: \(error)") }
    }

    func run() async throws {
        do {
            let store = try database.open()
            var targets =
                try run.map { try CASSelection.images(judgedIn: $0, store: store) } ?? CASSelection.images(images, store: store)
            if let generator {
                targets = targets.filter { $0.generator == generator }
                guard !targets.isEmpty else {
                    throw AlignmentError(.invalidArgument, "no selected image comes from generator '\(generator)'")
                }
            }
            let referenceImages: [ImageRecord]
            let label: String
            if let reference {
                referenceImages = try CASSelection.reference(folder: reference, store: store)
                label = "dir:\(reference)"
            } else {
                let split = DataSplit(rawValue: referenceSplit!)!
                referenceImages = try CASSelection.reference(split: split, store: store)
                label = "split:\(split.rawValue)"
            }
            let options = CASJobOptions(
                weights: try parsedWeights(), allowMissing: allowMissing, k: k, percentile: quantile,
                replicates: resamples, run: run, classifier: classifier.map { URL(fileURLWithPath: $0) })
            let job = CASJob(targets: targets, reference: referenceImages, referenceLabel: label, options: options)
            let result = try job.run(store: store, catalog: try checklists.catalog(), save: !dryRun)
            let unscored = result.images.filter { $0.score == nil }
            if !unscored.isEmpty {
                Console.error("cas: \(unscored.count) image(s) have no measured dimension with a positive weight")
            }
            Console.write(json ? result.json.canonicalString + "\n" : result.table)
            if !unscored.isEmpty { throw ExitCode(1) }
        } catch {
            throw StoreCommandFailure.exit(error)
        }
    }
}
