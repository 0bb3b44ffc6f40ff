import Foundation
import RoundsBroker
import RoundsCore
import RoundsStore
import Testing

/// `rounds pairs make`, `rounds broker rft|dpo` and `rounds agreement` on a real judged store.
@Suite struct BrokerCLITests {
    // MARK: pairs make

    @Test func pairsMakeStoresSampledPairsAndKeepsThemOnRerun() throws {
        let f = try BrokerFixture.make(judge: false)
        defer { f.remove() }
        let first = try f.run(["pairs", "make", "--condition", "target-lesion", "--max", "4", "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let json = try JSONValue(parsing: first.stdout)
        #expect(json["condition"]?.stringValue == "synthetic/target-lesion")
        #expect(json["images"]?.doubleValue == 4)
        #expect(json["pairs"]?.doubleValue == 4)
        #expect(json["added"]?.doubleValue == 4)
        let all = try f.run(["pairs", "make", "--condition", "synthetic/target-lesion"])
        #expect(all.status == 0, "\(all.stderr)")
        #expect(all.stdout.contains("6 pair(s) of 4 synthetic image(s): 2 added, 4 already stored"))
        let stored = try f.store().pairs(condition: ConditionID(parsing: "synthetic/target-lesion"))
        #expect(stored.count == 6)
        #expect(stored.allSatisfy { $0.pair.imageA != $0.pair.imageB && !$0.pair.sameSource })
    }

    @Test func pairsMakeRejectsBadInputs() throws {
        let f = try BrokerFixture.make(judge: false)
        defer { f.remove() }
        let sameSource = try f.run(["pairs", "make", "--condition", "target-lesion", "--same-source"])
        #expect(sameSource.status == 2)
        #expect(sameSource.stderr.contains("no source image has two or more image-to-image outputs"))
        let unknown = try f.run(["pairs", "make", "--condition", "no-such-thing"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown condition 'no-such-thing'"))
        let zero = try f.run(["pairs", "make", "--condition", "target-lesion", "--max", "0"])
        #expect(zero.status == 64)
        #expect(zero.stderr.contains("--max must be at least 1"))
    }

    // MARK: broker rft

    @Test func rftWritesTheCSVAndStoresTheSet() throws {
        let f = try BrokerFixture.make()
        defer { f.remove() }
        let result = try f.run(["broker", "rft", "--out", "weights.csv", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let csv = try String(contentsOf: f.dir.appendingPathComponent("weights.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n")
        #expect(lines.first == "path,image_id,condition,weight")
        #expect(lines.count == 17)
        let weights = lines.dropFirst().map { Double($0.split(separator: ",").last!)! }
        #expect(weights.allSatisfy { (0...1).contains($0) })  // linear: the score itself
        #expect(Set(weights).count > 1, "half the images have a broken criterion, so scores differ")
        let json = try JSONValue(parsing: result.stdout)
        #expect(json["images"]?.doubleValue == 16)
        #expect(json["runs"]?.arrayValue?.count == 1)

        let sets = try f.store().preferenceSets()
        let set = try #require(sets.first?.set)
        #expect(sets.count == 1 && set.kind == .rft && set.rule == "linear" && set.runID == 1)
        let parameters = try JSONValue(parsing: set.parameters)
        #expect(parameters["weighting"]?["beta_r"]?.doubleValue == 0.3)
        #expect(parameters["weighting"]?["rho"]?.doubleValue == 0.2)
        #expect(parameters["score_policy"]?["uncertain"]?.stringValue == "not_met")
        let members = sets[0].members
        #expect(members.count == 16 && members.allSatisfy { $0.weight != nil && $0.loserImageID == nil })
    }

    @Test func rftSoftmaxJSONLHasMeanWeightOne() throws {
        let f = try BrokerFixture.make()
        defer { f.remove() }
        let result = try f.run(
            [
                "broker", "rft", "--out", "w.jsonl", "--weighting", "softmax", "--temperature", "0.5", "--max-weight",
                "100",
                "--uncertain", "half", "--run", "1",
            ])
        #expect(result.status == 0, "\(result.stderr)")
        let text = try String(contentsOf: f.dir.appendingPathComponent("w.jsonl"), encoding: .utf8)
        let rows = try text.split(separator: "\n").map { try JSONValue(parsing: String($0)) }
        #expect(rows.count == 16)
        let mean = rows.compactMap { $0["weight"]?.doubleValue }.reduce(0, +) / 16
        #expect(abs(mean - 1) < 1e-9)
    }

    @Test func rftAveragesTheRunsSelfConsistencySamples() throws {
        let f = try BrokerFixture.make(samples: 3)
        defer { f.remove() }
        let result = try f.run(["broker", "rft", "--out", "w.jsonl"])
        #expect(result.status == 0, "\(result.stderr)")
        let text = try String(contentsOf: f.dir.appendingPathComponent("w.jsonl"), encoding: .utf8)
        let weights = try text.split(separator: "\n").compactMap {
            try JSONValue(parsing: String($0))["weight"]?.doubleValue
        }
        #expect(weights.count == 16)
        // One sample of a 5-criterion checklist scores in steps of 1/5; the mean of 3 in steps of 1/15.
        #expect(weights.contains { w in abs(w * 5 - (w * 5).rounded()) > 1e-6 })
        let set = try #require(try f.store().preferenceSets(kind: .rft).first)
        #expect(try JSONValue(parsing: set.set.parameters)["judgments"]?.doubleValue == 16 * 4)  // 3 samples + majority
    }

    @Test func rftRejectsUnknownRunEmptyRunAndUnjudgedStore() throws {
        let f = try BrokerFixture.make(judge: false)
        defer { f.remove() }
        let unjudged = try f.run(["broker", "rft", "--out", "w.csv"])
        #expect(unjudged.status == 2)
        #expect(unjudged.stderr.contains("none of the 16 synthetic image(s) has judge verdicts"))
        #expect(!FileManager.default.fileExists(atPath: f.dir.appendingPathComponent("w.csv").path))

        _ = try f.store().beginRun(
            JudgeRunRecord(
                endpoint: "empty", baseURL: "http://127.0.0.1:1/v1", model: "m", provider: .openai,
                status: .failed))
        let empty = try f.run(["broker", "rft", "--out", "w.csv", "--run", "1"])
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("judge run 1 has no verdicts"))
        let unknown = try f.run(["broker", "rft", "--out", "w.csv", "--run", "99"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no judge run 99 (stored runs: 1)"))
        let badExtension = try f.run(["broker", "rft", "--out", "w.txt"])
        #expect(badExtension.status == 64, "a usage error, before any work: \(badExtension.stderr)")
        #expect(badExtension.stderr.contains("written as .csv or .jsonl"))
        let badWeighting = try f.run(["broker", "rft", "--out", "w.csv", "--weighting", "cubic"])
        #expect(badWeighting.status == 64)
        let badClip = try f.run(["broker", "rft", "--out", "w.csv", "--min-weight", "3", "--max-weight", "1"])
        #expect(badClip.status == 64)
        #expect(badClip.stderr.contains("0 ≤ min ≤ max"))
        let badUncertain = try f.run(["broker", "rft", "--out", "w.csv", "--uncertain", "maybe"])
        #expect(badUncertain.status == 64)
    }

    @Test func rftTrustGateLeavesOutTheFlaggedCriteriaAndRecordsThem() throws {
        let f = try BrokerFixture.make()
        defer { f.remove() }
        let unknown = try f.run(["broker", "rft", "--out", "w.csv", "--trust-rater", "alice"])
        #expect(unknown.status == 2 && unknown.stderr.contains("no labels by rater 'alice'"))
        try f.label(condition: "target-lesion", rater: "alice") { row, column in
            (row + column) % 3 == 0 ? "not_met" : "met"
        }
        let agreement = try JSONValue(
            parsing: try f.expectOK(["agreement", "--rater", "alice", "--json"], db: true).stdout)
        let flagged = try #require(agreement["flagged"]?.objectValue)
        #expect(!flagged.isEmpty, "the labels disagree with the judge on some criteria")
        let result = try f.run(["broker", "rft", "--out", "w.csv", "--trust-rater", "alice"])
        #expect(result.status == 0, "\(result.stderr)")
        let set = try #require(try f.store().preferenceSets(kind: .rft).first)
        let parameters = try JSONValue(parsing: set.set.parameters)
        let excluded = try #require(
            parameters["score_policy"]?["gated_criteria"]?["synthetic/target-lesion"]?.objectValue)
        #expect(Set(excluded.keys) == Set(flagged.keys))
        #expect(excluded.values.allSatisfy { $0.stringValue?.contains("vs alice: κ") == true })
        #expect(parameters["trust_gate"]?["raters"]?.arrayValue?.compactMap(\.stringValue) == ["alice"])
        for criterion in flagged.keys {
            #expect(result.stderr.contains("trust gate: synthetic/target-lesion: left out \(criterion)"))
        }
    }
}
