import ArgumentParser
import Foundation
import RoundsBroker
import RoundsCore

/// `rounds broker`: judge verdicts into training signal.
struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Turn judge verdicts into training signal: RFT weights or DPO pairs.",
        subcommands: [BrokerRFT.self, BrokerDPO.self]
    )
}

/// How verdicts become scores, shared by `broker rft` and `broker dpo`.
struct ScoreOptions: ParsableArguments {
    @Option(
        help: "A judge run whose verdicts to use; repeat to average several runs (default: each image's latest judgment).")
    var run: [Int64] = []

    @Option(
        help: ArgumentHelp(
            "Also average this rater's per-criterion labels in as a score source; repeat for several raters.",
            valueName: "name"))
    var rater: [String] = []

    @Option(
        help: ArgumentHelp(
            "What uncertain and indeterminate verdicts count for: not-met (0), half (0.5) or exclude (left out).",
            valueName: "not-met|half|exclude"))
    var uncertain: String = "not-met"

    @Option(
        help: ArgumentHelp(
            "Trust gate: measure the judge only against this rater; repeat for several (default: every rater).",
            valueName: "name"))
    var trustRater: [String] = []

    @Option(
        help: """
            Trust gate: a criterion whose mean judge-vs-expert κ (per condition) is below this is left out of the \
            judge's verdicts (Landis & Koch's 'moderate' starts at 0.4).
            """)
    var kappaThreshold: Double = 0.4

    @Flag(help: "Turn the trust gate off: use every criterion even where expert labels disagree with the judge.")
    var noTrustGate = false

    var trustGate: TrustGate {
        noTrustGate ? .off : TrustGate(threshold: kappaThreshold, raters: trustRater)
    }

    var sources: ScoreSources { ScoreSources(runs: run, raters: rater) }

    /// The trust gate as the commands' help explains it.
    static let gateHelp = """
        Trust gate (on by default): for each condition whose images experts labelled per criterion, a \
        criterion whose judge-vs-expert Cohen's κ (mean over judge runs and raters) is below --kappa-threshold \
        is left out of the judge's verdicts; the choice is printed on stderr and stored with the set. Without \
        expert labels every criterion is used, and that is said and stored too. --no-trust-gate turns it off.
        """

    /// Says on stderr what the trust gate decided.
    func reportGate(_ decision: TrustGateDecision) {
        if !decision.gate.enabled {
            Console.error("trust gate: off (--no-trust-gate); all criteria used")
            return
        }
        for line in decision.lines { Console.error(line) }
    }

    func validate() throws {
        _ = try unresolved()
        if !kappaThreshold.isFinite || kappaThreshold < -1 || kappaThreshold > 1 {
            throw ValidationError("--kappa-threshold must be in [-1, 1], got \(kappaThreshold)")
        }
        if trustRater.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw ValidationError("--trust-rater must not be empty")
        }
        if rater.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw ValidationError("--rater must not be empty")
        }
        if noTrustGate && !trustRater.isEmpty {
            throw ValidationError("--no-trust-gate turns the gate off; it cannot be combined with --trust-rater")
        }
        if let bad = run.first(where: { $0 < 1 }) { throw ValidationError("--run must be a judge run id ≥ 1, got \(bad)") }
        do {
            try sources.validate()
        } catch let error as BrokerError {
            throw ValidationError("--run/--rater: \(error.message)")
        }
    }

    func unresolved() throws -> ScorePolicy.Unresolved {
        switch uncertain {
        case "not-met", "not_met": return .notMet
        case "half": return .half
        case "exclude": return .exclude
        default: throw ValidationError("--uncertain must be not-met, half or exclude, got '\(uncertain)'")
        }
    }

    func policy() throws -> ScorePolicy {
        let rule = try unresolved()
        return ScorePolicy(uncertain: rule, indeterminate: rule)
    }
}

/// `rounds broker rft --out FILE [--format csv|jsonl|magic|imagefolder] [...]`.
struct BrokerRFT: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rft",
        abstract: "Weigh judged synthetic images for reward-weighted finetuning.",
        discussion: """
            Each synthetic image's reward is its checklist score (the weighted share of criteria met, averaged \
            over each source's samples, then over the sources: every --run and --rater given), mapped to a weight: \
            linear w = r, threshold w = 1 if r ≥ τ else 0, or softmax w_i = N·exp(r_i/T)/Σ exp(r_j/T); then \
            clipped to [min, max]. The set is stored with its rule, β_r, ρ and the judge runs used. CSV header: \
            path,image_id,condition,weight.

            Formats: csv and jsonl (path, image_id, condition, weight, score) carry every weight; magic writes \
            MAGIC's LoRA input, a JSON array of {"image_path", "label", "prompt"} (label: the condition's display \
            name; prompt: the generation prompt); imagefolder copies the images into the --out folder with \
            metadata.jsonl (file_name, text, weight) for diffusers' train_text_to_image scripts. Those two \
            trainers take no weights, so they get the images weighted above 0: use --weighting threshold to \
            keep only the images that pass, as MAGIC does.

            \(ScoreOptions.gateHelp)
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var checklists: ChecklistOptions
    @OptionGroup var scoring: ScoreOptions

    @Option(help: "Output: a .csv or .jsonl file, a .json file with --format magic, a folder with --format imagefolder.")
    var out: String

    @Option(help: ArgumentHelp("Output format (default: from --out's extension).", valueName: "csv|jsonl|magic|imagefolder"))
    var format: String?

    @Option(help: ArgumentHelp("How rewards become weights.", valueName: "linear|threshold|softmax"))
    var weighting: String = "linear"

    @Option(help: "Threshold τ of --weighting threshold.")
    var threshold: Double = 0.6

    @Option(help: "Temperature T of --weighting softmax.")
    var temperature: Double = 0.5

    @Option(help: "Lower clip bound of the weights.")
    var minWeight: Double = 0

    @Option(help: "Upper clip bound of the weights.")
    var maxWeight: Double = 5

    @Option(help: ArgumentHelp("Where rewards come from: the judge's checklist score, or stored reward-model predictions (rounds reward score).",
                               valueName: "checklist|reward-model"))
    var rewardsFrom: String = "checklist"

    @Option(help: "With --rewards-from reward-model: the reward model version (SHA-256) whose scores to use (default: the newest).")
    var rewardModel: String?

    @Option(help: "β_r, the real-data likelihood weight recorded with the set.")
    var betaR: Double = 0.3

    @Option(help: "ρ, the synthetic share per training batch recorded with the set.")
    var rho: Double = 0.2

    @Flag(help: "Print one JSON document on stdout.")
    var json = false

    func validate() throws {
        guard rewardsFrom == "checklist" || rewardsFrom == "reward-model" else {
            throw ValidationError("--rewards-from must be checklist or reward-model, got '\(rewardsFrom)'")
        }
        if rewardModel != nil, rewardsFrom != "reward-model" {
            throw ValidationError("--reward-model needs --rewards-from reward-model")
        }
        do {
            try recipe().validate()
            try RFTJob.checkOutput(out, format: try exportFormat())
        } catch let error as BrokerError {
            throw ValidationError(error.message)
        }
    }

    func exportFormat() throws -> RFTExportFormat? {
        guard let format else { return nil }
        guard let parsed = RFTExportFormat(rawValue: format) else {
            throw ValidationError("--format must be csv, jsonl, magic or imagefolder, got '\(format)'")
        }
        return parsed
    }

    func function() throws -> WeightFunction {
        try WeightFunction.named(weighting, threshold: threshold, temperature: temperature)
    }

    func recipe() throws -> RFTWeighting {
        RFTWeighting(
            function: try function(), minWeight: minWeight, maxWeight: maxWeight, realWeight: betaR,
            syntheticShare: rho)
    }

    func run() async throws {
        do {
            var job = RFTJob(run: nil, policy: try scoring.policy(), weighting: try recipe(), out: out)
            job.format = try exportFormat()
            let written = try RFTExportFormat.resolve(out: out, format: job.format)
            job.sources = scoring.sources
            job.trustGate = scoring.trustGate
            if rewardsFrom == "reward-model" { job.rewardSource = .rewardModel(version: rewardModel) }
            let result = try job.run(store: try database.open(), catalog: try checklists.catalog())
            scoring.reportGate(result.trustGate)
            let skipped = result.unjudged.count + result.unscored.count + result.withoutChecklist.count
            if skipped > 0 {
                Console.error(
                    "broker rft: not weighted: \(result.unjudged.count) unjudged, \(result.unscored.count) without a score, "
                        + "\(result.withoutChecklist.count) without a checklist")
            }
            let weights = result.weights.entries.map(\.weight)
            let mean = weights.reduce(0, +) / Double(weights.count)
            let trained = weights.filter { $0 > 0 }.count
            if written == .magic || written == .imagefolder, trained < weights.count {
                Console.error("broker rft: \(written.rawValue) carries no weights: wrote the \(trained) image(s) weighted above 0, "
                              + "left out \(weights.count - trained) weighted 0")
            }
            if json {
                Console.write(
                    JSONValue.object([
                        "out": .string(out), "set_id": .number(Double(result.setID)), "format": .string(written.rawValue),
                        "images": .number(Double(weights.count)), "mean_weight": .number(mean),
                        "images_written": .number(Double(written == .magic || written == .imagefolder ? trained : weights.count)),
                        "runs": .array(result.runIDs.map { .number(Double($0)) }),
                        "unjudged": .number(Double(result.unjudged.count)),
                        "unscored": .number(Double(result.unscored.count)),
                        "without_checklist": .number(Double(result.withoutChecklist.count)),
                        "weighting": result.weights.weighting.provenance,
                        "sources": job.sources.provenance, "trust_gate": result.trustGate.provenance,
                    ]).canonicalString + "\n")
            } else {
                Console.write(
                    "wrote \(weights.count) weight(s) to \(out) (mean \(String(format: "%.4f", mean))), "
                        + "preference set \(result.setID), "
                        + (rewardsFrom == "reward-model"
                            ? "rewards from the reward model\n"
                            : "judge run(s) \(result.runIDs.map(String.init).joined(separator: ", "))\n")
                )
            }
        } catch {
            throw StoreCommandFailure.exit(error)
        }
    }
}

extension WeightFunction {
    /// The `--weighting` of `broker rft` and `round`, with its `--threshold` τ and `--temperature` T.
    static func named(_ name: String, threshold: Double, temperature: Double) throws -> WeightFunction {
        switch name {
        case "linear": return .defaultLinear
        case "threshold": return .threshold(tau: threshold, low: 0)
        case "softmax": return .softmax(temperature: temperature)
        default: throw ValidationError("--weighting must be linear, threshold or softmax, got '\(name)'")
        }
    }
}
