import Foundation
import RoundsCore
import RoundsDiffusion
import RoundsPipeline
import RoundsStore
import Testing

/// DPO's real pairs: a compliant winner and a broken loser of the same condition, as many per condition
/// as asked, repeatable from the seed.
@Suite struct RealFeedbackTests {
    func example(_ id: String, label: Int) throws -> RealExample {
        let condition = try ConditionID(domain: "synthetic", name: ["atypical-mole", "scaly-plaque", "target-lesion"][label])
        let record = ImageRecord(
            id: id, fileSHA256: id, path: "/nowhere/\(id).png", format: .png, width: 1, height: 1, byteCount: 1,
            condition: condition, origin: .real, split: .train, generator: nil, skinTone: nil)
        return RealExample(record: record, example: FinetuneExample(image: [Float(label)], label: label))
    }

    @Test func pairsACompliantWinnerWithABrokenLoserOfTheSameCondition() throws {
        let feedback = RealFeedback(
            compliant: [try example("w0", label: 0), try example("w1", label: 0), try example("w2", label: 1),
                        try example("w3", label: 2)],
            broken: [try example("l0", label: 0), try example("l1", label: 1), try example("l2", label: 1)],
            unjudged: 0)
        let pairs = feedback.pairs(perCondition: [0: 5, 1: 3], seed: 9)
        #expect(pairs.count == 5 + 3, "label 2 has no broken image to lose against")
        for p in pairs {
            #expect(p.winner.example.label == p.loser.example.label)
            #expect(p.winner.record.id.hasPrefix("w") && p.loser.record.id.hasPrefix("l"))
        }
        #expect(pairs.filter { $0.winner.example.label == 0 }.map(\.winner.record.id) == ["w0", "w1", "w0", "w1", "w0"])
        let again = feedback.pairs(perCondition: [0: 5, 1: 3], seed: 9)
        #expect(again.map(\.loser.record.id) == pairs.map(\.loser.record.id))
        #expect(feedback.pairs(perCondition: [:], seed: 9).count == 3, "one per winner when no count is given")

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pairs-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try RealFeedback.writePairs(Array(pairs.prefix(1)), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "winner_id,loser_id,condition\nw0,l0,synthetic/atypical-mole\n")
    }
}
