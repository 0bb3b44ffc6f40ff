import Foundation
import RoundsCore
import Testing

/// `rounds demo --quick`, the README's first command in the size CI runs: the whole round (sample, judge
/// over HTTP, broker, RFT and DPO finetuning, sample and judge again) on the shipped checkpoint.
@Suite struct DemoCLITests {
    static let pretrained = CLIRunner.packageRoot.appendingPathComponent("Models/demo-unet").path

    @Test func quickDemoRunsTheWholeRoundAndWritesTheSummary() throws {
        let work = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let result = try CLIRunner.run(
            ["demo", "--quick", "--json", "--out", "out", "--pretrained", Self.pretrained], in: work)
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try JSONValue(parsing: result.stdout)
        #expect(summary["samples_per_model"]?.doubleValue == 32)
        #expect(summary["simulator"]?["flip_rate"]?.doubleValue == 0.05)
        for model in ["before", "after.rft", "after.dpo"] {
            var node: JSONValue? = summary
            for key in model.split(separator: ".") { node = node?[String(key)] }
            let rate = try #require(node?["all_criteria_rate"]?.doubleValue, "\(model)")
            #expect((0...1).contains(rate))
            let ci = try #require(node?["ci95"]?.arrayValue)
            #expect(ci.count == 2 && ci[0].doubleValue! <= rate && rate <= ci[1].doubleValue!)
            #expect(node?["per_criterion"]?.objectValue?.count == 20, "\(model): 4 conditions x 5 criteria")
        }
        for model in ["before", "rft", "dpo"] {
            let accuracy = try #require(summary["classifier_accuracy"]?[model]?.doubleValue, "classifier_accuracy.\(model)")
            #expect((0...1).contains(accuracy))
        }
        #expect(summary["training"]?["rft"]?["steps"]?.doubleValue == 10)
        #expect(summary["training"]?["dpo"]?["steps"]?.doubleValue == 8)
        let implicit = try #require(summary["training"]?["dpo"]?["implicit_accuracy"]?.doubleValue)
        #expect((0...1).contains(implicit))
        let agreement = try #require(summary["judge_check"]?["verdict_agreement"]?.doubleValue)
        #expect(agreement > 0.8, "the simulator flips 5% of verdicts; agreement with the painting should stay high")
        let onDisk = try JSONValue(parsing: Data(contentsOf: work.appendingPathComponent("out/summary.json")))
        #expect(onDisk == summary)
        #expect(result.stderr.contains("SIMULATOR judge"))
        for objective in ["rft", "dpo"] {
            let model = work.appendingPathComponent("out/models/\(objective)")
            #expect(FileManager.default.fileExists(atPath: model.appendingPathComponent("loss.csv").path))
            let manifest = try JSONValue(parsing: Data(contentsOf: model.appendingPathComponent("rounds.json")))
            #expect(manifest["lineage"]?["objective"]?.stringValue == objective)
            #expect(manifest["lineage"]?["parent"]?.stringValue == Self.pretrained)
        }
    }

    /// `rounds finetune` on the signal files a quick demo left behind: both objectives, then a weights
    /// file naming an image that is gone.
    @Test func finetuneConsumesTheBrokersFilesAndNamesAMissingImage() throws {
        let work = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let demo = try CLIRunner.run(["demo", "--quick", "--out", "out", "--pretrained", Self.pretrained], in: work)
        #expect(demo.status == 0, "\(demo.stderr)")
        let db = ["--db", "out/rounds.sqlite"]
        let rft = try CLIRunner.run(
            ["finetune", "--model", Self.pretrained, "--objective", "rft", "--signal", "out/signal/rft-weights.csv",
             "--data", "out/dataset", "--out", "ft-rft", "--steps", "2", "--json"] + db, in: work)
        #expect(rft.status == 0, "\(rft.stderr)")
        let doc = try JSONValue(parsing: rft.stdout)
        #expect(doc["objective"]?.stringValue == "rft")
        #expect(doc["hyperparameters"]?["synthetic_share"]?.doubleValue == 0.2)
        let dpo = try CLIRunner.run(
            ["finetune", "--model", Self.pretrained, "--objective", "dpo", "--signal", "out/signal/dpo-pairs.parquet",
             "--out", "ft-dpo", "--steps", "2"] + db, in: work)
        #expect(dpo.status == 0, "\(dpo.stderr)")
        let dpoLog = try String(contentsOf: work.appendingPathComponent("ft-dpo/dpo.csv"), encoding: .utf8)
        #expect(dpoLog.hasPrefix("step,loss,implicit_accuracy,margin\n"))

        let csv = try String(contentsOf: work.appendingPathComponent("out/signal/rft-weights.csv"), encoding: .utf8)
        let firstPath = try #require(csv.split(separator: "\n").dropFirst().first?.split(separator: ",").first)
        try FileManager.default.removeItem(atPath: String(firstPath))
        let gone = try CLIRunner.run(
            ["finetune", "--model", Self.pretrained, "--objective", "rft", "--signal", "out/signal/rft-weights.csv",
             "--out", "ft-gone", "--steps", "2"] + db, in: work)
        #expect(gone.status == 2)
        #expect(gone.stderr.contains("rft-weights.csv:2: image"), "\(gone.stderr)")
        #expect(gone.stderr.contains("no such image file"))
    }

    @Test func aMissingPretrainedModelIsAClearError() throws {
        let work = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let result = try CLIRunner.run(["demo", "--quick", "--out", "out", "--pretrained", "nowhere"], in: work)
        #expect(result.status == 2)
        #expect(result.stderr.contains("nowhere: no pretrained model"))
    }
}
