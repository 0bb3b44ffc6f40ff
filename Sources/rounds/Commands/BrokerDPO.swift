import ArgumentParser
import Foundation
import RoundsBroker
import RoundsCore

/// `rounds broker dpo --out FILE.parquet|FILE.jsonl|DIR [--resolution N] [...]`.
struct BrokerDPO: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dpo",
        abstract: "Decide pairs of judged synthetic images and export the one-winner pairs for DPO.",
        discussion: """
            Pairs are the stored pair candidates (rounds pairs make; only same-source ones with --same-source); \
            when none are stored, every pair of judged synthetic images within one condition. Rules: magic \
            (both lose when neither scores above 0.4, both win when both meet everything or tie above it, else \
            the higher wins) or margin (the higher wins by at least --margin, else a tie). Only one-winner pairs \
            are written: Pick-a-Pic Parquet (jpg_0, jpg_1, label_0, caption, image_id_0, image_id_1, condition) \
            or JSONL with paths. An --out without .parquet or .jsonl is a dataset folder (created if missing) that \
            diffusers' train_diffusion_dpo.py loads with its defaults: data/validation-00000-of-00001.parquet, the \
            split 'validation' its --dataset_split_name reads, and a README.md dataset card; pass the folder as \
            --dataset_name. --resolution N writes the images N x N (shorter side resized, centre-cropped, PNG). MAGIC's table goes to stderr. Scores average each source's samples, then the \
            sources (every --run and --rater given).

            \(ScoreOptions.gateHelp)
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var checklists: ChecklistOptions
    @OptionGroup var scoring: ScoreOptions

    @Option(help: "Output: a .parquet or .jsonl file, or else a dataset folder for diffusers' DPO script.")
    var out: String

    @Option(help: "Write the images at N x N pixels, the base model's resolution (Parquet and folders only).")
    var resolution: Int?

    @Option(help: ArgumentHelp("The pair rule.", valueName: "magic|margin"))
    var rule: String = "magic"

    @Option(help: "Score margin of --rule margin.")
    var margin: Double = 0.2

    @Flag(help: "Only pairs of image-to-image outputs that share a source image.")
    var sameSource = false

    @Flag(help: "Print one JSON document on stdout.")
    var json = false

    func validate() throws {
        do {
            try pairRule().validate()
            try DPOJob.checkOutput(out, resolution: resolution)
        } catch let error as BrokerError {
            throw ValidationError(error.message)
        }
    }

    func pairRule() throws -> PairRule { try PairRule.named(rule, margin: margin) }

    func run() async throws {
        do {
            var job = DPOJob(
                run: nil, rule: try pairRule(), policy: try scoring.policy(), sameSource: sameSource, out: out)
            job.resolution = resolution
            job.sources = scoring.sources
            job.trustGate = scoring.trustGate
            let result = try job.run(store: try database.open(), catalog: try checklists.catalog())
            scoring.reportGate(result.trustGate)
            let c = result.set.counts
            Console.error("pairs (\(result.pairSource)): \(c.total)")
            Console.error("  both-win    \(c.bothWin)")
            Console.error("  both-lose   \(c.bothLose)")
            Console.error("  one-winner  \(c.oneWinner)")
            Console.error(
                "  dropped     \(c.dropped) (tie \(c.tie), inconsistent \(c.inconsistent), unscored \(c.unscored))")
            if !result.unjudged.isEmpty {
                Console.error(
                    "broker dpo: \(result.unjudged.count) paired image(s) have no verdicts (their pairs are unscored)")
            }
            if json {
                Console.write(
                    JSONValue.object([
                        "out": .string(out), "set_id": .number(Double(result.setID)),
                        "pairs_written": .number(Double(result.set.pairs.count)), "counts": c.provenance,
                        "pair_source": .string(result.pairSource),
                        "runs": .array(result.runIDs.map { .number(Double($0)) }),
                        "sources": job.sources.provenance, "trust_gate": result.trustGate.provenance,
                    ]).canonicalString + "\n")
            } else {
                Console.write(
                    "wrote \(result.set.pairs.count) pair(s) to \(out), preference set \(result.setID)\n")
            }
        } catch {
            throw StoreCommandFailure.exit(error)
        }
    }
}

extension PairRule {
    /// The `--rule` of `broker dpo` and `round`, with its `--margin`.
    static func named(_ name: String, margin: Double) throws -> PairRule {
        switch name {
        case "magic": return .magic
        case "margin": return .margin(margin)
        default: throw ValidationError("--rule must be magic or margin, got '\(name)'")
        }
    }
}
