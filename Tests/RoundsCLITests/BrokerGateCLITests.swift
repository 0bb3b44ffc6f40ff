import Foundation
import RoundsBroker
import RoundsCore
import RoundsStore
import Testing

/// The trust gate and score sources of `rounds broker rft|dpo` on a real judged store.
@Suite struct BrokerGateCLITests {
    @Test func withoutLabelsTheGateSaysSoAndCanBeTurnedOff() throws {
        let f = try BrokerFixture.make()
        defer { f.remove() }
        let rft = try f.run(["broker", "rft", "--out", "w.csv", "--json"])
        #expect(rft.status == 0, "\(rft.stderr)")
        #expect(rft.stderr.contains("trust gate: no expert labels; all criteria used"))
        let json = try JSONValue(parsing: rft.stdout)
        #expect(json["trust_gate"]?["note"]?.stringValue == "trust gate: no expert labels; all criteria used")
        #expect(json["sources"]?["latest_judgment"]?.boolValue == true)

        let off = try f.run(["broker", "dpo", "--out", "p.jsonl", "--no-trust-gate"])
        #expect(off.status == 0, "\(off.stderr)")
        #expect(off.stderr.contains("trust gate: off (--no-trust-gate); all criteria used"))
        let set = try #require(try f.store().preferenceSets(kind: .dpo).last)
        #expect(try JSONValue(parsing: set.set.parameters)["trust_gate"]?["enabled"]?.boolValue == false)

        let both = try f.run(["broker", "rft", "--out", "w.csv", "--no-trust-gate", "--trust-rater", "alice"])
        #expect(both.status == 64)
        #expect(both.stderr.contains("--no-trust-gate turns the gate off; it cannot be combined with --trust-rater"))
        let threshold = try f.run(["broker", "dpo", "--out", "p.jsonl", "--kappa-threshold", "1.5"])
        #expect(threshold.status == 64 && threshold.stderr.contains("--kappa-threshold must be in [-1, 1], got 1.5"))
    }

    @Test func labelsGateBothSignalsByDefaultAndRatersCanBeSources() throws {
        let f = try BrokerFixture.make()
        defer { f.remove() }
        try f.label(condition: "target-lesion", rater: "alice") { row, column in
            (row + column) % 3 == 0 ? "not_met" : "met"
        }
        let agreement = try JSONValue(
            parsing: try f.expectOK(["agreement", "--rater", "alice", "--json"], db: true).stdout)
        let flagged = try #require(agreement["flagged"]?.objectValue)
        #expect(!flagged.isEmpty, "the labels disagree with the judge on some criteria")

        for command in [["rft", "--out", "w.csv"], ["dpo", "--out", "p.jsonl"]] {
            let result = try f.run(["broker"] + command + ["--json"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(
                result.stderr.contains(
                    "trust gate: κ threshold 0.4, rater(s) alice; \(flagged.count) criterion(s) left out"))
            #expect(result.stderr.contains("trust gate: synthetic/scaly-plaque: no expert labels; all criteria used"))
            for criterion in flagged.keys {
                #expect(result.stderr.contains("trust gate: synthetic/target-lesion: left out \(criterion): "))
            }
            let gate = try #require(try JSONValue(parsing: result.stdout)["trust_gate"])
            let excluded = gate["excluded"]?["synthetic/target-lesion"]?.arrayValue?.compactMap(\.stringValue)
            #expect(Set(excluded ?? []) == Set(flagged.keys))
        }
        let sets = try f.store().preferenceSets()
        #expect(sets.count == 2)
        for set in sets {
            let parameters = try JSONValue(parsing: set.set.parameters)
            #expect(parameters["trust_gate"]?["kappa_threshold"]?.doubleValue == 0.4)
            #expect(
                parameters["trust_gate"]?["conditions"]?["synthetic/target-lesion"]?["status"]?.stringValue == "gated")
        }

        // alice's labels as a second score source: recorded, and every labelled image has two sources.
        let sourced = try f.run(["broker", "rft", "--out", "w2.csv", "--rater", "alice", "--json"])
        #expect(sourced.status == 0, "\(sourced.stderr)")
        let json = try JSONValue(parsing: sourced.stdout)
        #expect(json["sources"]?["raters"]?.arrayValue?.compactMap(\.stringValue) == ["alice"])
        let last = try #require(try f.store().preferenceSets(kind: .rft).last)
        let counts = try JSONValue(parsing: last.set.parameters)["source_counts"]?["images_by_source_count"]
        #expect(counts?["2"]?.doubleValue == 4 && counts?["1"]?.doubleValue == 12)
    }

    @Test func repeatedRunsAreEachUsedAndCheckedAndRatersMustExist() throws {
        let f = try BrokerFixture.make()
        defer { f.remove() }
        let twice = try f.run(["broker", "rft", "--out", "w.csv", "--run", "1", "--run", "1"])
        #expect(twice.status == 64 && twice.stderr.contains("judge run 1 is named twice"))
        let missing = try f.run(["broker", "dpo", "--out", "p.jsonl", "--run", "1", "--run", "2"])
        #expect(missing.status == 2 && missing.stderr.contains("no judge run 2 (stored runs: 1)"))
        let rater = try f.run(["broker", "rft", "--out", "w.csv", "--rater", "zoe"])
        #expect(rater.status == 2 && rater.stderr.contains("no labels by rater 'zoe'"))
        let empty = try f.run(["broker", "rft", "--out", "w.csv", "--rater", " "])
        #expect(empty.status == 64 && empty.stderr.contains("--rater must not be empty"))
    }
}
