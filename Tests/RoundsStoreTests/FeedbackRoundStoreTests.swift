import Foundation
import GRDB
import RoundsStore
import Testing

/// The `feedbackRound` table (migration v4): rows round-trip, and the schema refuses what no round makes.
@Suite struct FeedbackRoundStoreTests {
    private func checkpoints(_ store: Store) throws -> (Int64, Int64) {
        let parent = try store.findOrAddCheckpoint(CheckpointRecord(
            path: "/m/parent", sha256: String(repeating: "a", count: 64), objective: .pretrain))
        let child = try store.findOrAddCheckpoint(CheckpointRecord(
            path: "/m/rft", sha256: String(repeating: "b", count: 64), parentID: parent.id, objective: .rft))
        return (try #require(parent.id), try #require(child.id))
    }

    @Test func roundsRoundTripInOrder() throws {
        let t = try TempStore()
        defer { t.remove() }
        let (parent, child) = try checkpoints(t.store)
        let row = try t.store.addFeedbackRound(FeedbackRoundRecord(
            parentCheckpointID: parent, checkpointID: child, objective: "rft", judgeModel: "rounds-simulator",
            beforeRunID: nil, afterRunID: nil, samples: 256, beforeRate: 0.5, afterRate: 0.75,
            summary: #"{"gain":{"ratio":1.5}}"#))
        #expect(row.id != nil)
        let stored = try t.store.feedbackRounds()
        #expect(stored.count == 1)
        #expect(stored[0].afterRate == 0.75 && stored[0].checkpointID == child && stored[0].summary.contains("ratio"))
    }

    @Test func refusesRatesOutsideZeroOneAndBadSummaries() throws {
        let t = try TempStore()
        defer { t.remove() }
        let (parent, child) = try checkpoints(t.store)
        let base = FeedbackRoundRecord(
            parentCheckpointID: parent, checkpointID: child, objective: "dpo", judgeModel: "gpt-4o",
            beforeRunID: nil, afterRunID: nil, samples: 8, beforeRate: 0.5, afterRate: 0.5, summary: "{}")
        var rate = base
        rate.afterRate = 1.5
        #expect(throws: (any Error).self) { try t.store.addFeedbackRound(rate) }
        var summary = base
        summary.summary = "{not json"
        #expect(throws: (any Error).self) { try t.store.addFeedbackRound(summary) }
        var objective = base
        objective.objective = "pretrain"
        #expect(throws: (any Error).self) { try t.store.addFeedbackRound(objective) }
        #expect(try t.store.feedbackRounds().isEmpty, "nothing half-stored")
    }
}
