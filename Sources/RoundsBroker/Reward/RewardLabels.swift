import RoundsChecklists
import RoundsCore
import RoundsStore

/// The 0/1 plausibility labels the reward model learns from: a rater's latest plausible/implausible
/// label per image, then (when asked) judge verdicts for the synthetic images the rater did not label
/// (1 when every criterion was met, uncertain and indeterminate counting as not met).
struct RewardLabels {
    var items: [(image: ImageRecord, label: Float, source: RewardExample.Source)]

    static func collect(store: Store, rater: String, includeJudge: JudgeSelection?, catalog: ChecklistCatalog?) throws
        -> RewardLabels
    {
        var latest: [String: Bool] = [:]
        for stored in try store.labels(rater: rater) {
            if let plausible = stored.label.plausible { latest[stored.label.imageID] = plausible }
        }
        guard !latest.isEmpty else {
            let raters = try store.raters()
            throw BrokerError(
                .emptyInput,
                "\(store.path): rater '\(rater)' has no plausible/implausible labels"
                    + (raters.isEmpty
                        ? " (no rater has; import some with rounds labels import FILE --rater NAME)"
                        : " (raters with labels: \(raters.joined(separator: ", ")))"))
        }
        var items: [(ImageRecord, Float, RewardExample.Source)] = []
        for id in latest.keys.sorted() {
            guard let image = try store.image(id: id) else { continue }
            items.append((image, latest[id]! ? 1 : 0, .human))
        }
        if let includeJudge {
            guard let catalog else {
                throw BrokerError(.invalidParameter, "--include-judge needs the checklists to score verdicts")
            }
            let judged = try JudgedSyntheticImages.load(
                store: store, catalog: catalog, sources: ScoreSources(runs: includeJudge.runID.map { [$0] } ?? []),
                policy: ScorePolicy(), trustGate: .off)
            let scores = try ScoreCalculator.score(judged.verdicts.imageVerdicts, policy: judged.policy)
            let byID = Dictionary(judged.images.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            for s in scores.scores where latest[s.imageID] == nil {
                guard let score = s.score, let image = byID[s.imageID] else { continue }
                items.append((image, score >= 1 - 1e-9 ? 1 : 0, .judge))
            }
        }
        return RewardLabels(items: items)
    }
}
