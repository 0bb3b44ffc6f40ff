import Foundation
import RoundsCore
import RoundsStore
import Testing

/// `rounds cas` and `rounds report` show memorisation and the finetuning curves.
@Suite("rounds cas and report: memorisation and training curves", .serialized)
struct ReportExtrasCLITests {
    @Test("memorisation against real train images in cas (text and JSON) and the report; curves once recorded")
    func memorisationAndCurves() throws {
        let f = try CASCLITests.fixture()
        defer { f.remove() }
        let cas = [
            "cas", "--run", "1", "--reference-split", "test", "--k", "1", "--allow-missing", "--resamples", "100",
        ]
        let without = try f.run(cas)
        try #require(without.status == 0, "\(without.stderr)")
        #expect(without.stdout.contains("memorisation: not measured: 0 training image(s) (real, split train)"))

        try f.expectOK(["dataset", "synth", "--out", "T", "--per-condition", "2", "--seed", "9"])
        let manifest = try String(contentsOf: f.dir.appendingPathComponent("T/manifest.csv"), encoding: .utf8)
        let train = manifest.split(separator: "\n").enumerated().map { i, line in
            var cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if i > 0 { cells[2] = "train" }
            return cells.joined(separator: ",")
        }
        try (train.joined(separator: "\n") + "\n").write(
            to: f.dir.appendingPathComponent("T/train.csv"), atomically: true, encoding: .utf8)
        try f.expectOK(["images", "add", "--manifest", "T/train.csv", "--origin", "real"], db: true)
        let text = try f.run(cas)
        try #require(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("generated image(s) are near-copies of the 8 training image(s)"))
        let json = try JSONValue(parsing: try f.run(cas + ["--json"]).stdout)
        let memorisation = try #require(json["memorisation"])
        #expect(memorisation["training_images"]?.doubleValue == 8)
        #expect(memorisation["generated"]?.doubleValue == 12)
        #expect(memorisation["images"]?.arrayValue?.count == 12)
        #expect(memorisation["groups"]?.arrayValue?.first?["group"]?.stringValue == "sim-a")

        let report = try f.run(["report", "--out", "r.html"])
        try #require(report.status == 0, "\(report.stderr)")
        var html = try String(contentsOf: f.dir.appendingPathComponent("r.html"), encoding: .utf8)
        #expect(html.contains("No finetuning runs recorded"))
        #expect(html.contains("near-copies of the 8 training image(s)"))

        let model = f.dir.appendingPathComponent("dpo-model")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        try "step,loss\n1,0.69\n2,0.66\n".write(
            to: model.appendingPathComponent("loss.csv"), atomically: true, encoding: .utf8)
        try "step,loss,implicit_accuracy,margin\n1,0.69,0.5,0\n2,0.66,0.75,0.04\n".write(
            to: model.appendingPathComponent("dpo.csv"), atomically: true, encoding: .utf8)
        _ = try f.store().addCheckpoint(CheckpointRecord(path: model.path, sha256: SHA256.hex("m"), objective: .dpo))
        try f.expectOK(["report", "--out", "r.html"], db: true)
        html = try String(contentsOf: f.dir.appendingPathComponent("r.html"), encoding: .utf8)
        #expect(!html.contains("No finetuning runs recorded"))
        #expect(html.contains("DPO implicit accuracy") && html.contains(model.path))
        let doc = try JSONValue(
            parsing: try String(contentsOf: f.dir.appendingPathComponent("r.json"), encoding: .utf8))
        #expect(doc["training"]?.arrayValue?.first?["objective"]?.stringValue == "dpo")

        try "step,loss\n1,oops\n".write(to: model.appendingPathComponent("loss.csv"), atomically: true, encoding: .utf8)
        let broken = try f.run(["report", "--out", "r.html"])
        #expect(broken.status == 2)
        #expect(broken.stderr.contains("dpo-model/loss.csv:2: loss: expected a number, found 'oops'"))
    }
}
