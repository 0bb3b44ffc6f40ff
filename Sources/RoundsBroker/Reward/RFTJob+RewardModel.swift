import Foundation
import RoundsChecklists
import RoundsCore
import RoundsStore

/// Where RFT's per-image rewards come from.
public enum RFTRewardSource: Sendable, Hashable {
    /// The judge's checklist score (default).
    case checklist
    /// Stored reward-model predictions (`rounds reward score`): those of this reward model version, or
    /// of the newest version stored when nil.
    case rewardModel(version: String?)
}

extension RFTJob {
    /// Weighs every synthetic image that has a stored reward-model score (its latest from `version`).
    ///
    /// - Throws: `BrokerError.emptyInput` when no reward-model score (of that version) is stored.
    func runWithRewardModel(version: String?, store: Store, catalog: ChecklistCatalog) throws -> Result {
        try Self.checkOutput(out, format: format)
        let dimension = RewardScoreJob.dimension
        let tag = try version.map { $0.hasPrefix("reward:") ? $0 : "reward:\($0)" } ?? store.newestScorer(dimension: dimension)
        let scores = try tag.map { try store.latestSyntheticScores(dimension: dimension, computedBy: $0) } ?? []
        guard let tag, !scores.isEmpty else {
            throw BrokerError(
                .emptyInput,
                "\(store.path): no reward-model scores of synthetic images\(version.map { " from reward model \($0)" } ?? "") are stored; run rounds reward score first")
        }
        var rewards: [RewardedImage] = []
        var withoutCondition: [String] = []
        for row in scores {
            guard let text = row.condition, let condition = try? ConditionID(parsing: text) else {
                withoutCondition.append(row.imageID); continue
            }
            rewards.append(RewardedImage(path: row.path, imageID: row.imageID, condition: condition, reward: row.score))
        }
        let weights = try weighting.weigh(rewards)
        try export(weights, catalog: catalog)
        let parameters: JSONValue = [
            "weighting": weighting.provenance, "reward": "reward_model", "reward_model": .string(tag),
            "out": .string(out), "images": .number(Double(rewards.count)),
        ]
        let record = PreferenceSetRecord(kind: .rft, rule: weighting.function.name, parameters: parameters.canonicalString,
                                         runID: nil)
        let members = weights.entries.map { PreferenceMemberRecord(setID: 0, imageID: $0.image.imageID, weight: $0.weight) }
        let stored = try store.addPreferenceSet(record, members: members)
        return Result(weights: weights, setID: stored.id ?? 0, runIDs: [], unjudged: [], unscored: [],
                      withoutChecklist: withoutCondition, policy: policy,
                      trustGate: TrustGateDecision(gate: .off, runs: [], raters: [], conditions: []))
    }
}
