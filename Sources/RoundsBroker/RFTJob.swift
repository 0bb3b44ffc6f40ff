import Foundation
import RoundsChecklists
import RoundsCore
import RoundsStore

/// `rounds broker rft`: scores every judged synthetic image, weighs it, writes the weights file and
/// stores the set with how it was made.
public struct RFTJob: Sendable {
    /// The judge runs (none: each image's latest judgment) and raters whose verdicts make the scores.
    public var sources: ScoreSources
    /// The one judge run of `sources`, or nil for none or several; setting it replaces the runs.
    public var run: Int64? {
        get { sources.runs.count == 1 ? sources.runs[0] : nil }
        set { sources.runs = newValue.map { [$0] } ?? [] }
    }
    public var policy: ScorePolicy
    /// Leaves out criteria the judge disagrees with the experts on (on by default; `.off` to disable).
    public var trustGate = TrustGate()
    public var weighting: RFTWeighting
    /// Checklist scores (default) or stored reward-model predictions.
    public var rewardSource: RFTRewardSource = .checklist
    /// `.csv` or `.jsonl`, or with `format` a MAGIC JSON file or an image folder.
    public var out: String
    /// The export format; nil takes it from `out`'s extension.
    public var format: RFTExportFormat?

    public init(run: Int64?, policy: ScorePolicy, weighting: RFTWeighting, out: String) {
        self.sources = ScoreSources(runs: run.map { [$0] } ?? [])
        self.policy = policy
        self.weighting = weighting
        self.out = out
    }

    /// What the job made.
    public struct Result: Sendable {
        public var weights: RFTWeightSet
        /// The stored preference set's id.
        public var setID: Int64
        public var runIDs: [Int64]
        /// Synthetic images with no verdicts (in the run) against their current checklist: not weighted.
        public var unjudged: [String]
        /// Judged images without a score (every criterion excluded): not weighted.
        public var unscored: [String]
        /// Synthetic images whose condition has no checklist: not weighted.
        public var withoutChecklist: [String]
        /// The score policy used, with the trust gate's exclusions.
        public var policy: ScorePolicy
        /// What the trust gate decided.
        public var trustGate: TrustGateDecision
    }

    /// Runs the job.
    ///
    /// - Throws: `BrokerError` `.invalidParameter` for a bad output extension, weighting or unknown
    ///   run, `.emptyInput` when no synthetic image has verdicts (in the run); `StoreError` from the store.
    /// RFT weights are written as `.csv` or `.jsonl`; anything else is `.invalidParameter`.
    public static func checkOutput(_ out: String, format: RFTExportFormat? = nil) throws(BrokerError) {
        _ = try RFTExportFormat.resolve(out: out, format: format)
    }

    /// Writes the weights as `format` (or `out`'s extension says), with labels and prompts from the catalog.
    func export(_ weights: RFTWeightSet, catalog: ChecklistCatalog) throws {
        try weights.write(to: out, format: try RFTExportFormat.resolve(out: out, format: format),
                          context: RFTExportContext(catalog: catalog))
    }

    public func run(store: Store, catalog: ChecklistCatalog) throws -> Result {
        try weighting.validate()
        if case .rewardModel(let version) = rewardSource {
            return try runWithRewardModel(version: version, store: store, catalog: catalog)
        }
        try Self.checkOutput(out, format: format)
        let judged = try JudgedSyntheticImages.load(
            store: store, catalog: catalog, sources: sources, policy: self.policy, trustGate: trustGate)
        let (loaded, policy) = (judged.verdicts, judged.policy)
        let scores = try ScoreCalculator.score(loaded.imageVerdicts, policy: policy)
        let paths = Dictionary(loaded.images.map { ($0.image.id, $0.image.path) }, uniquingKeysWith: { a, _ in a })
        let rewards = try RewardedImage.fromScores(scores, paths: paths)
        let weights = try weighting.weigh(rewards.images)
        try export(weights, catalog: catalog)

        let runIDs = loaded.runIDs
        let parameters: JSONValue = [
            "weighting": weighting.provenance, "score_policy": policy.provenance, "reward": "checklist_score",
            "runs": .array(runIDs.map { .number(Double($0)) }), "run_option": run.map { .number(Double($0)) } ?? .null,
            "sources": sources.provenance, "source_counts": judged.sourcesProvenance,
            "judgments": .number(Double(loaded.images.reduce(0) { $0 + $1.judgmentIDs.count })),
            "checklist_versions": .object(
                Dictionary(
                    uniqueKeysWithValues: loaded.checklists.map {
                        ($0.key.description, JSONValue.string($0.value.version))
                    })),
            "unjudged": .number(Double(loaded.unjudged.count)), "unscored": .number(Double(rewards.unscored.count)),
            "without_checklist": .number(Double(loaded.withoutChecklist.count)), "out": .string(out),
            "format": .string((try? RFTExportFormat.resolve(out: out, format: format))?.rawValue ?? "csv"),
            "trust_gate": judged.gate.provenance,
        ]
        let record = PreferenceSetRecord(
            kind: .rft, rule: weighting.function.name, parameters: parameters.canonicalString,
            runID: runIDs.count == 1 ? runIDs[0] : nil)
        let members = weights.entries.map {
            PreferenceMemberRecord(setID: 0, imageID: $0.image.imageID, weight: $0.weight)
        }
        let stored = try store.addPreferenceSet(record, members: members)
        return Result(
            weights: weights, setID: stored.id ?? 0, runIDs: runIDs, unjudged: loaded.unjudged,
            unscored: rewards.unscored, withoutChecklist: loaded.withoutChecklist, policy: policy,
            trustGate: judged.gate)
    }

    static func noVerdicts(run: Int64?, images: Int, store: Store) -> BrokerError {
        if let run {
            return BrokerError(
                .emptyInput,
                "\(store.path): judge run \(run) has no verdicts for any of the \(images) synthetic image(s) "
                    + "against their current checklists (an empty or failed run, or one made with other checklists)")
        }
        return BrokerError(
            .emptyInput,
            "\(store.path): none of the \(images) synthetic image(s) has judge verdicts against its current checklist; "
                + "run rounds judge --pending first")
    }
}

extension WeightFunction {
    /// `linear`, `threshold` or `softmax`, the rule name stored with a set.
    public var name: String {
        switch self {
        case .linear: return "linear"
        case .threshold: return "threshold"
        case .softmax: return "softmax"
        }
    }
}
