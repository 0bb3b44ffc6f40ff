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
    @Option(help: "The judge run whose verdicts to use (default: each image's latest judgment).")
    var run: Int64?

    @Option(
        help: ArgumentHelp(
            "What uncertain and indeterminate verdicts count for: not-met (0), half (0.5) or exclude (left out).",
            valueName: "not-met|half|exclude"))
    var uncertain: String = "not-met"

    @Option(
        help: ArgumentHelp(
            "Trust gate: leave out criteria on which the judge's κ against this rater is below --kappa-threshold.",
            valueName: "name"))
    var trustRater: String?

    @Option(help: "κ threshold of the trust gate.")
    var kappaThreshold: Double = 0.4

    var trustGate: TrustGate? { trustRater.map { TrustGate(rater: $0, threshold: kappaThreshold) } }

    /// Says on stderr which criteria the trust gate left out.
    func reportExclusions(_ policy: ScorePolicy) {
        guard trustRater != nil else { return }
        if policy.excludedCriteria.isEmpty {
            StandardError.print("trust gate: every criterion passed (κ ≥ \(kappaThreshold))")
        }
        for (criterion, reason) in policy.excludedCriteria.sorted(by: { $0.key < $1.key }) {
            StandardError.print("trust gate: left out \(criterion): \(reason)")
        }
    }

    func validate() throws {
        _ = try unresolved()
        if !kappaThreshold.isFinite || kappaThreshold < -1 || kappaThreshold > 1 {
            throw ValidationError("--kappa-threshold must be in [-1, 1], got \(kappaThreshold)")
        }
        if let trustRater, trustRater.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--trust-rater must not be empty")
        }
        if let run, run < 1 { throw ValidationError("--run must be a judge run id ≥ 1, got \(run)") }
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

/// `rounds broker rft --out FILE.csv|FILE.jsonl [...]`.
struct BrokerRFT: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rft",
        abstract: "Weigh judged synthetic images for reward-weighted finetuning.",
        discussion: """
            Each synthetic image's reward is its checklist score (the weighted share of criteria met, averaged \
            over the run's samples), mapped to a weight: linear w = r, threshold w = 1 if r ≥ τ else 0, or softmax \
            w_i = N·exp(r_i/T)/Σ exp(r_j/T); then clipped to [min, max]. The set is stored with its rule, β_r, ρ \
            and the judge runs used. CSV header: path,image_id,condition,weight.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var checklists: ChecklistOptions
    @OptionGroup var scoring: ScoreOptions

    @Option(help: "Output file: .csv or .jsonl.")
    var out: String

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
        } catch let error as BrokerError {
            throw ValidationError(error.message)
        }
    }

    func function() throws -> WeightFunction {
        switch weighting {
        case "linear": return .defaultLinear
        case "threshold": return .threshold(tau: threshold, low: 0)
        case "softmax": return .softmax(temperature: temperature)
        default: throw ValidationError("--weighting must be linear, threshold or softmax, got '\(weighting)'")
        }
    }

    func recipe() throws -> RFTWeighting {
        RFTWeighting(
            function: try function(), minWeight: minWeight, maxWeight: maxWeight, realWeight: betaR,
            syntheticShare: rho)
    }

    func run() async throws {
        do {
            var job = RFTJob(run: scoring.run, policy: try scoring.policy(), weighting: try recipe(), out: out)
            job.trustGate = scoring.trustGate
            if rewardsFrom == "reward-model" { job.rewardSource = .rewardModel(version: rewardModel) }
            let result = try job.run(store: try database.open(), catalog: try checklists.catalog())
            scoring.reportExclusions(result.policy)
            let skipped = result.unjudged.count + result.unscored.count + result.withoutChecklist.count
            if skipped > 0 {
                StandardError.print(
                    "broker rft: not weighted: \(result.unjudged.count) unjudged, \(result.unscored.count) without a score, "
                        + "\(result.withoutChecklist.count) without a checklist")
            }
            let weights = result.weights.entries.map(\.weight)
            let mean = weights.reduce(0, +) / Double(weights.count)
            if json {
                StandardOutput.write(
                    JSONValue.object([
                        "out": .string(out), "set_id": .number(Double(result.setID)),
                        "images": .number(Double(weights.count)), "mean_weight": .number(mean),
                        "runs": .array(result.runIDs.map { .number(Double($0)) }),
                        "unjudged": .number(Double(result.unjudged.count)),
                        "unscored": .number(Double(result.unscored.count)),
                        "without_checklist": .number(Double(result.withoutChecklist.count)),
                        "weighting": result.weights.weighting.provenance,
                    ]).canonicalString + "\n")
            } else {
                StandardOutput.write(
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
