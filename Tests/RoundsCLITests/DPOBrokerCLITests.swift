import Foundation
import RoundsBroker
import RoundsCore
import RoundsStore
import Testing

/// `rounds broker dpo` and `rounds agreement` on a real judged store.
@Suite struct DPOBrokerCLITests {
    @Test func dpoWritesPickAPicParquetThatReadsBack() throws {
        let f = try BrokerFixture.make()
        defer { f.remove() }
        let result = try f.run(["broker", "dpo", "--out", "pairs.parquet", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("both-win"))
        #expect(result.stderr.contains("one-winner"))
        let json = try JSONValue(parsing: result.stdout)
        #expect(json["pair_source"]?.stringValue == "all_within_condition")
        #expect(json["counts"]?["total"]?.doubleValue == 24)  // 4 conditions × C(4, 2)
        let written = try #require(json["pairs_written"]?.doubleValue)
        #expect(written >= 1 && written == json["counts"]?["one_winner"]?.doubleValue)

        let path = f.dir.appendingPathComponent("pairs.parquet").path
        let table = try ParquetReader.read(path: path)
        #expect(Double(table.numRows) == written)
        let rows = try PickAPicFile.read(path: path)
        let store = try f.store()
        for row in rows {
            #expect(row.label0 == 0 || row.label0 == 1)
            let image = try #require(try store.image(id: row.imageID0))
            #expect(row.jpg0 == Array(try Data(contentsOf: URL(fileURLWithPath: image.path))))
            #expect(row.condition == image.condition?.description)
            #expect(!row.caption.isEmpty && !row.caption.contains("/"))  // the display name, not the id
        }
        let sets = try store.preferenceSets()
        #expect(sets.count == 1 && sets[0].set.kind == .dpo && sets[0].set.rule == "magic")
        let members = sets[0].members
        #expect(Double(members.count) == written && members.allSatisfy { $0.loserImageID != nil })
    }

    @Test func dpoUsesStoredPairsAndWritesJSONL() throws {
        let f = try BrokerFixture.make()
        defer { f.remove() }
        try f.expectOK(["pairs", "make", "--condition", "target-lesion"], db: true)
        let result = try f.run(["broker", "dpo", "--out", "pairs.jsonl", "--rule", "margin", "--margin", "0", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONValue(parsing: result.stdout)
        #expect(json["pair_source"]?.stringValue == "stored")
        #expect(json["counts"]?["total"]?.doubleValue == 6)
        let text = try String(contentsOf: f.dir.appendingPathComponent("pairs.jsonl"), encoding: .utf8)
        let lines = try text.split(separator: "\n").map { try JSONValue(parsing: String($0)) }
        #expect(Double(lines.count) == json["pairs_written"]?.doubleValue)
        for line in lines {
            #expect(line["condition"]?.stringValue == "synthetic/target-lesion")
            let (s0, s1) = (line["score_0"]?.doubleValue ?? -1, line["score_1"]?.doubleValue ?? -1)
            #expect(line["label_0"]?.doubleValue == (s0 > s1 ? 1 : 0))
        }
    }

    @Test func dpoRejectsPairsAcrossConditionsAndBadInputs() throws {
        let f = try BrokerFixture.make()
        defer { f.remove() }
        let store = try f.store()
        let a = try #require(try store.images(condition: ConditionID(parsing: "synthetic/target-lesion")).first)
        let b = try #require(try store.images(condition: ConditionID(parsing: "synthetic/scaly-plaque")).first)
        _ = try store.addPair(PairCandidateRecord(imageA: a.id, imageB: b.id, condition: "synthetic/target-lesion"))
        let across = try f.run(["broker", "dpo", "--out", "p.parquet"])
        #expect(across.status == 2)
        #expect(across.stderr.contains("pairs must share one condition"))
        #expect(!FileManager.default.fileExists(atPath: f.dir.appendingPathComponent("p.parquet").path))
        let unknown = try f.run(["broker", "dpo", "--out", "p.parquet", "--run", "5"])
        #expect(unknown.status == 2 && unknown.stderr.contains("no judge run 5"))
        let badRule = try f.run(["broker", "dpo", "--out", "p.parquet", "--rule", "elo"])
        #expect(badRule.status == 64)
        let badMargin = try f.run(["broker", "dpo", "--out", "p.parquet", "--rule", "margin", "--margin", "2"])
        #expect(badMargin.status == 64 && badMargin.stderr.contains("margin must be in [0, 1]"))
        // An --out without .parquet or .jsonl is a dataset folder, so an existing file there is a usage error.
        try Data("x".utf8).write(to: f.dir.appendingPathComponent("p.csv"))
        let fileAsFolder = try f.run(["broker", "dpo", "--out", "p.csv"])
        #expect(fileAsFolder.status == 64 && fileAsFolder.stderr.contains("is a dataset folder, and this is a file"),
                "a usage error: \(fileAsFolder.stderr)")
    }

    @Test func sameSourcePairsOfUnjudgedTransfersLeaveNothingToExport() throws {
        let f = try BrokerFixture.make()
        defer { f.remove() }
        let store = try f.store()
        let images = try store.images(condition: ConditionID(parsing: "synthetic/target-lesion"))
        // Three image-to-image outputs of the first image (rows as `rounds transfer` would store them).
        let children = images.dropFirst().enumerated().map { i, image in
            var child = image
            child.id = SHA256.hex(Array("transfer \(i)".utf8))
            child.parentImageID = images[0].id
            return child
        }
        try store.addImages(Array(children))
        let made = try f.run(["pairs", "make", "--condition", "target-lesion", "--same-source", "--json"])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(try JSONValue(parsing: made.stdout)["pairs"]?.doubleValue == 3)
        let pairs = try store.pairs()
        #expect(pairs.count == 3 && pairs.allSatisfy { $0.pair.sameSource })
        #expect(pairs.allSatisfy { p in children.contains { $0.id == p.pair.imageA } })

        let dpo = try f.run(["broker", "dpo", "--out", "p.parquet", "--same-source"])
        #expect(dpo.status == 2)
        #expect(dpo.stderr.contains("no one-winner pairs to write to p.parquet: of 3 pair(s)"))
        #expect(dpo.stderr.contains("3 unscored (3 paired image(s) have no verdicts)"))
        #expect(try store.preferenceSets().isEmpty)
    }

    // MARK: agreement

    @Test func agreementReportsKappaAndUnjudgedImages() throws {
        let f = try BrokerFixture.make()
        defer { f.remove() }
        // Two more images of the condition, added after judging: labelled but never judged.
        try f.expectOK(["dataset", "synth", "--out", "E", "--per-condition", "1", "--seed", "7"])
        try f.expectOK(["images", "add", "--manifest", "E/manifest.csv", "--origin", "synthetic"], db: true)
        try f.label(condition: "target-lesion", rater: "alice") { row, column in
            (row + column) % 3 == 0 ? "not_met" : "met"
        }
        let result = try f.run(["agreement", "--rater", "alice", "--json", "--resamples", "200"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONValue(parsing: result.stdout)
        #expect(json["rater"]?.stringValue == "alice")
        #expect(json["labelled_images"]?.doubleValue == 5)
        #expect(json["never_judged"]?.arrayValue?.count == 1)
        let criteria = try #require(json["criteria"]?.arrayValue)
        #expect(criteria.count == 5)
        let overall = try #require(json["overall"])
        let total = ["both_met", "both_not_met", "judge_met_rater_not", "judge_not_rater_met"]
            .compactMap { overall["confusion"]?[$0]?.doubleValue }.reduce(0, +)
        #expect(total == 20)  // 4 judged images × 5 criteria
        #expect(overall["kappa_ci95"]?.arrayValue?.count == 2)
        #expect(result.stderr.contains("1 of 5 labelled image(s) were never judged"))
        for c in criteria {
            let kappa = c["kappa"]?.doubleValue
            let flagged = json["flagged"]?[c["criterion"]!.stringValue!] != nil
            #expect(flagged == (kappa.map { $0 < 0.4 - 1e-9 } ?? true))
        }
        let text = try f.run(["agreement", "--rater", "alice", "--kappa-threshold=-1", "--resamples", "50"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("overall"))
        #expect(text.stdout.contains("never judged: "))
    }

    @Test func agreementRejectsUnknownRaterAndRun() throws {
        let f = try BrokerFixture.make()
        defer { f.remove() }
        let none = try f.run(["agreement", "--rater", "bob"])
        #expect(none.status == 2 && none.stderr.contains("no labels are stored"))
        try f.label(condition: "scaly-plaque", rater: "alice") { _, _ in "met" }
        let unknown = try f.run(["agreement", "--rater", "bob"])
        #expect(unknown.status == 2 && unknown.stderr.contains("no labels by rater 'bob' (raters: alice)"))
        let badRun = try f.run(["agreement", "--rater", "alice", "--run", "3"])
        #expect(badRun.status == 2 && badRun.stderr.contains("no judge run 3"))
        let badThreshold = try f.run(["agreement", "--rater", "alice", "--kappa-threshold", "2"])
        #expect(badThreshold.status == 64)
    }
}
