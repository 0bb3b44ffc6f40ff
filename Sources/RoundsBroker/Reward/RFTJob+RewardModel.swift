import Foundation
import GRDB
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
        let rows = try store.read("reading reward-model scores") { db -> (String?, [StoredReward]) in
            let tag: String?
            if let version {
                tag = version.hasPrefix("reward:") ? version : "reward:\(version)"
            } else {
                tag = try String.fetchOne(
                    db, sql: "SELECT computedBy FROM alignmentScore WHERE dimension = ? ORDER BY id DESC LIMIT 1",
                    arguments: [dimension])
            }
            guard let tag else { return (nil, []) }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT s.imageID, s.score, image.path, image.condition FROM alignmentScore s
                    JOIN image ON image.id = s.imageID
                    WHERE s.dimension = ? AND s.computedBy = ? AND image.origin = 'synthetic'
                      AND s.id = (SELECT max(id) FROM alignmentScore t
                                  WHERE t.imageID = s.imageID AND t.dimension = s.dimension AND t.computedBy = s.computedBy)
                    ORDER BY s.imageID
                    """, arguments: [dimension, tag])
            return (tag, rows.map { StoredReward(imageID: $0["imageID"], score: $0["score"], path: $0["path"],
                                                 condition: $0["condition"]) })
        }
        guard let tag = rows.0, !rows.1.isEmpty else {
            throw BrokerError(
                .emptyInput,
                "\(store.path): no reward-model scores of synthetic images\(version.map { " from reward model \($0)" } ?? "") are stored; run rounds reward score first")
        }
        var rewards: [RewardedImage] = []
        var withoutCondition: [String] = []
        for row in rows.1 {
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

/// One stored reward-model score with its image's file and condition.
struct StoredReward: Sendable {
    var imageID: String
    var score: Double
    var path: String
    var condition: String?
}
