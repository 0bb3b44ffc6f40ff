import Foundation
import RoundsStore
import Testing

/// `rounds cas` over a store built through the CLI: 24 simulated images, half of each condition added
/// as real test images (the reference), half as synthetic from generator `sim-a`, all judged by the
/// simulator.
@Suite("rounds cas", .serialized)
struct CASCLITests {
    static func fixture() throws -> BrokerFixture {
        let f = BrokerFixture(dir: try CLIRunner.temporaryDirectory())
        try f.expectOK(["dataset", "synth", "--out", "D", "--per-condition", "6", "--defect-rate", "0.5"])
        let manifest = try String(contentsOf: f.dir.appendingPathComponent("D/manifest.csv"), encoding: .utf8)
        let lines = manifest.split(separator: "\n").map(String.init)
        let byCondition = Dictionary(grouping: lines.dropFirst(), by: { $0.split(separator: ",")[1] })
        var real = [lines[0]]
        var synthetic = [lines[0]]
        for (_, rows) in byCondition {
            for (i, row) in rows.enumerated() {
                var cells = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                cells[2] = i < 3 ? "test" : "none"
                (i < 3 ? { real.append($0) } : { synthetic.append($0) })(cells.joined(separator: ","))
            }
        }
        try (real.joined(separator: "\n") + "\n").write(to: f.dir.appendingPathComponent("D/real.csv"), atomically: true, encoding: .utf8)
        try (synthetic.joined(separator: "\n") + "\n").write(
            to: f.dir.appendingPathComponent("D/synthetic.csv"), atomically: true, encoding: .utf8)
        try f.expectOK(["images", "add", "--manifest", "D/synthetic.csv", "--origin", "synthetic", "--generator", "sim-a"], db: true)
        try f.expectOK(["images", "add", "--manifest", "D/real.csv", "--origin", "real", "--split", "test"], db: true)
        try f.judge()
        return f
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("CAS per image with every dimension explicit, stored with provenance, and the tail per generator")
    func scoresAndTail() throws {
        let f = try Self.fixture()
        defer { f.remove() }
        let strict = try f.run(["cas", "--run", "1", "--reference-split", "test", "--k", "1"])
        #expect(strict.status == 2)
        #expect(strict.stderr.contains("label_consistency for 24 image(s)"))
        #expect(strict.stderr.contains("domain synthetic has no artefacts checklist"))
        #expect(strict.stderr.contains("--allow-missing"))

        let result = try f.run(["cas", "--run", "1", "--reference-split", "test", "--k", "1", "--allow-missing", "--resamples", "200", "--json"])
        try #require(result.status == 0, "\(result.stderr)")
        let doc = try Self.object(result.stdout)
        let images = try #require(doc["images"] as? [[String: Any]])
        #expect(images.count == 24)
        for image in images {
            let dims = try #require(image["dimensions"] as? [String: Any])
            let gaps = try #require(image["unavailable"] as? [String: String])
            #expect(dims["label_consistency"] is NSNull && gaps["label_consistency"] != nil)
            #expect(dims["plausibility"] is NSNull && gaps["plausibility"] != nil)
            #expect(dims["checklist_fidelity"] is Double && dims["proximity"] is Double)
            let cas = try #require(image["cas"] as? Double)
            let expected = ((dims["checklist_fidelity"] as! Double) + (dims["proximity"] as! Double)) / 2
            #expect(abs(cas - expected) < 1e-9)
        }
        #expect(images.filter { $0["reference"] as? Bool == true }.count == 12)
        let tails = try #require(doc["tails"] as? [[String: Any]])
        #expect(tails.count == 1 && tails[0]["group"] as? String == "sim-a")
        let conditions = try #require(tails[0]["conditions"] as? [String: [String: Any]])
        #expect(conditions.count == 4)
        for (_, c) in conditions {
            let ci = try #require(c["ci95"] as? [Double])
            let share = try #require(c["share"] as? Double)
            #expect(ci[0] <= share + 1e-12 && share <= ci[1] + 1e-12)
        }
        let reference = try #require(doc["reference"] as? [String: Any])
        #expect(reference["set"] as? String == "split:test")

        let store = try f.store()
        let rows = try store.rawRecords(AlignmentScoreRecord.self, "SELECT * FROM alignmentScore")
        #expect(rows.filter { $0.dimension == "cas" }.count == 24)
        #expect(rows.allSatisfy { $0.reference == "split:test sha256:\(reference["sha256"] as! String)" })
        #expect(rows.filter { $0.dimension == "cas" }.allSatisfy {
            $0.computedBy.contains("judge-run=1") && $0.computedBy.contains("unavailable=label_consistency,plausibility")
        })

        let table = try f.run(["cas", "--run", "1", "--reference-split", "test", "--k", "1", "--weights", "1,0,0,1", "--dry-run", "--resamples", "200"])
        try #require(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("tail sim-a synthetic/"))
        #expect(table.stdout.contains("unavailable: label_consistency for 24 image(s)"))
        let after = try store.rawRows("SELECT COUNT(*) FROM alignmentScore").first.map { $0[0] as Int }
        #expect(after == rows.count)

        let one = try f.run(["cas", "D/\(try Self.firstSynthetic(f))", "--reference", "D", "--k", "1", "--allow-missing", "--generator", "sim-a", "--dry-run", "--json", "--resamples", "200"])
        try #require(one.status == 0, "\(one.stderr)")
        #expect((try Self.object(one.stdout)["images"] as? [Any])?.count == 1 + 12)
        let wrongGenerator = try f.run(["cas", "--run", "1", "--reference-split", "test", "--generator", "nope", "--allow-missing"])
        #expect(wrongGenerator.status == 2 && wrongGenerator.stderr.contains("generator 'nope'"))

        // The report over the stored CAS: one HTML page plus the same numbers as JSON and CSV.
        let report = try f.run(["report", "--out", "out/r.html", "--examples", "2"])
        #expect(report.status == 2)  // out/ does not exist: an error naming the file, not a trap
        #expect(report.stderr.contains("out/r.html"))
        let before = try f.run(["report", "--out", "nolabels.html"])
        #expect(before.status == 0)
        #expect(try String(contentsOf: f.dir.appendingPathComponent("nolabels.html"), encoding: .utf8)
            .contains("No expert labels in the store"))
        try f.label(condition: "synthetic/atypical-mole", rater: "dr-a") { row, column in (row + column) % 3 == 0 ? "not_met" : "met" }
        try f.expectOK(["report", "--out", "r.html", "--examples", "2"], db: true)
        let html = try String(contentsOf: f.dir.appendingPathComponent("r.html"), encoding: .utf8)
        #expect(html.contains("<td>dr-a</td>"))
        #expect(html.contains("Cohen&#39;s κ") || html.contains("Cohen's κ") || html.contains("Cohen&apos;s κ"))
        #expect(html.contains("simulator (rounds-simulator)"))
        #expect(!html.contains("<script"))
        #expect(html.components(separatedBy: "data:image/png;base64,").count - 1 == 4)
        let reportJSON = try Self.object(try String(contentsOf: f.dir.appendingPathComponent("r.json"), encoding: .utf8))
        #expect((reportJSON["images"] as? [Any])?.count == 24)
        let agreement = try #require(reportJSON["agreement"] as? [[String: Any]])
        #expect(agreement.count == 1 && agreement[0]["rater"] as? String == "dr-a" && agreement[0]["kappa"] is Double)
        let csv = try String(contentsOf: f.dir.appendingPathComponent("r.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("section,condition,group,key,metric,value\n"))
        try f.expectOK(["report", "--out", "real.html", "--examples", "2", "--embed-real", "thumbnails"], db: true)
        let withReal = try String(contentsOf: f.dir.appendingPathComponent("real.html"), encoding: .utf8)
        #expect(withReal.components(separatedBy: "data:image/png;base64,").count - 1 == 8)
    }

    static func firstSynthetic(_ f: BrokerFixture) throws -> String {
        let text = try String(contentsOf: f.dir.appendingPathComponent("D/synthetic.csv"), encoding: .utf8)
        return String(text.split(separator: "\n")[1].split(separator: ",")[0])
    }

    @Test("bad arguments are usage errors; unknown images, runs and folders are errors naming them")
    func badInputs() throws {
        let dir = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = ["--db", dir.appendingPathComponent("r.sqlite").path]
        for (args, needle) in [
            (["cas", "--reference-split", "test"], "either IMAGES or --run"),
            (["cas", "x.png", "--run", "1", "--reference-split", "test"], "either IMAGES or --run"),
            (["cas", "x.png"], "--reference real-DIR or --reference-split"),
            (["cas", "x.png", "--reference-split", "none"], "must be train or test"),
            (["cas", "x.png", "--reference-split", "test", "--weights", "1,2"], "needs 4 comma-separated numbers"),
            (["cas", "x.png", "--reference-split", "test", "--weights", "1,a,1,1"], "label_consistency weight 'a'"),
            (["cas", "x.png", "--reference-split", "test", "--weights", "0,0,0,0"], "all zero"),
            (["cas", "x.png", "--reference-split", "test", "--quantile", "120"], "--quantile must be in [0, 100]"),
            (["report", "--out", "r.txt"], "--out must name an .html file"),
            (["report", "--out", "r.html", "--embed-real", "all"], "embed-real"),
        ] {
            let r = try CLIRunner.run(args + db, in: dir)
            #expect(r.status == 64, "\(args)")
            #expect(r.stderr.contains(needle), "\(args): \(r.stderr)")
        }
        for (args, needle) in [
            (["cas", "x.png", "--reference-split", "test"], "not in the store: x.png"),
            (["cas", "--run", "7", "--reference-split", "test"], "judge run 7 is not in the store"),
            (["cas", "--run", "7", "--reference", "/nonexistent/real"], "judge run 7"),
            (["report", "--out", "r.html"], "rounds cas"),
        ] {
            let r = try CLIRunner.run(args + db, in: dir)
            #expect(r.status == 2, "\(args)")
            #expect(r.stderr.contains(needle), "\(args): \(r.stderr)")
        }
    }
}
