import Foundation
import RoundsChecklists
import RoundsCore
import RoundsDiffusion
import RoundsStore

/// The judge's verdicts on a round's real training images (`FeedbackRound.Settings.judgeReal`): which
/// meet every criterion and which break one. Real data can be clinically wrong too (mislabelled, or
/// painted with broken criteria); RFT's real term keeps only the compliant images, and DPO adds pairs
/// of a compliant real winner and a non-compliant real loser of the same condition.
public struct RealFeedback {
    public var compliant: [RealExample]
    public var broken: [RealExample]
    /// Real images left unjudged (a failed request, or an endpoint that may not see real images).
    public var unjudged: Int

    public init(compliant: [RealExample], broken: [RealExample], unjudged: Int) {
        self.compliant = compliant
        self.broken = broken
        self.unjudged = unjudged
    }

    /// Reads the latest verdicts of `real` (already judged) from the store.
    public static func read(_ real: [RealExample], store: Store, catalog: ChecklistCatalog) throws -> RealFeedback {
        let met = try ModelEvaluation.allCriteriaMet(real.map(\.record), store: store, catalog: catalog)
        return RealFeedback(
            compliant: real.filter { met[$0.record.id] == true }, broken: real.filter { met[$0.record.id] == false },
            unjudged: real.count { met[$0.record.id] == nil })
    }

    /// Pairs of the same condition, compliant winner against broken loser: `perCondition[label]` pairs for
    /// each class label (or one per winner where none is given), winners taken in turn and losers drawn
    /// with a seeded generator, so a round repeats exactly.
    public func pairs(perCondition: [Int: Int], seed: UInt64) -> [(winner: RealExample, loser: RealExample)] {
        var rng = SeededGenerator(seed: seed)
        var out: [(RealExample, RealExample)] = []
        let winners = Dictionary(grouping: compliant, by: \.example.label)
        let losers = Dictionary(grouping: broken, by: \.example.label)
        for label in winners.keys.sorted() {
            guard let w = winners[label], let l = losers[label], !l.isEmpty else { continue }
            let n = perCondition[label] ?? w.count
            for i in 0..<n { out.append((w[i % w.count], l[Int(rng.next() % UInt64(l.count))])) }
        }
        return out
    }

    /// The pairs as a CSV the round leaves beside its other signal files (`winner_id,loser_id,condition`).
    public static func writePairs(_ pairs: [(winner: RealExample, loser: RealExample)], to path: String) throws {
        var text = "winner_id,loser_id,condition\n"
        for p in pairs {
            text += "\(p.winner.record.id),\(p.loser.record.id),\(p.winner.record.condition?.description ?? "")\n"
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }
}
