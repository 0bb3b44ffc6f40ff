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

    @Test func aMissingPretrainedModelIsAClearError() throws {
        let work = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let result = try CLIRunner.run(["demo", "--quick", "--out", "out", "--pretrained", "nowhere"], in: work)
        #expect(result.status == 2)
        #expect(result.stderr.contains("nowhere: no pretrained model"))
    }
}
