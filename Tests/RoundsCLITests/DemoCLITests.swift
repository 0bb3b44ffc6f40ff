import Foundation
import RoundsCore
import Testing

/// `rounds demo --quick`, the README's first command in the size CI runs: the whole round (sample, judge
/// over HTTP, broker, RFT and DPO finetuning, sample and judge again) on the shipped checkpoint trained
/// on flawed data, and (second test) on the clean one.
@Suite struct DemoCLITests {
    static let pretrained = CLIRunner.packageRoot.appendingPathComponent("Models/defect85-scratch-unet").path
    static let clean = CLIRunner.packageRoot.appendingPathComponent("Models/demo-unet").path

    @Test func quickDemoRunsTheWholeRoundAndWritesTheSummary() throws {
        let work = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let result = try CLIRunner.run(
            ["demo", "--quick", "--json", "--out", "out", "--pretrained", Self.pretrained], in: work)
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try JSONValue(parsing: result.stdout)
        #expect(summary["samples_per_model"]?.doubleValue == 32)
        #expect(summary["simulator"]?["flip_rate"]?.doubleValue == 0.05)
        for model in ["before", "after.control", "after.rft", "after.dpo"] {
            var node: JSONValue? = summary
            for key in model.split(separator: ".") { node = node?[String(key)] }
            let rate = try #require(node?["all_criteria_rate"]?.doubleValue, "\(model)")
            #expect((0...1).contains(rate))
            let ci = try #require(node?["ci95"]?.arrayValue)
            #expect(ci.count == 2 && ci[0].doubleValue! <= rate && rate <= ci[1].doubleValue!)
            #expect(node?["per_criterion"]?.objectValue?.count == 20, "\(model): 4 conditions x 5 criteria")
            let measured = try #require(node?["measured"]?["all_criteria_rate"]?.doubleValue, "\(model): ground truth")
            #expect((0...1).contains(measured))
            #expect(node?["measured"]?["n"]?.doubleValue == 32)
            #expect(node?["measured"]?["per_condition"]?.objectValue?.count == 4)
            #expect(node?["measured"]?["per_criterion"]?.objectValue?.count == 20, "\(model): measured per criterion")
            #expect((node?["measured"]?["per_skin_tone"]?.objectValue?.count ?? 0) >= 1, "\(model): measured per band")
        }
        // Each objective against the control: ratio, difference and Newcombe's interval around it.
        #expect(summary["interval_method"]?.stringValue?.contains("Newcombe") == true)
        for objective in ["rft", "dpo"] {
            for block in [summary["gain_over_control"]?[objective], summary["gain_over_control"]?[objective]?["measured"]] {
                let d = try #require(block?["difference"]?.doubleValue, "gain_over_control.\(objective)")
                let ci = try #require(block?["ci95"]?.arrayValue?.compactMap { $0.doubleValue })
                #expect(ci.count == 2 && ci[0] <= d && d <= ci[1] && ci[0] >= -1 && ci[1] <= 1, "\(ci) around \(d)")
                #expect(block?["ratio"] != nil && block?["intervals_overlap"]?.boolValue != nil)
            }
            let arm = try #require(summary["after"]?[objective]?["all_criteria_rate"]?.doubleValue)
            let control = try #require(summary["after"]?["control"]?["all_criteria_rate"]?.doubleValue)
            #expect(abs(summary["gain_over_control"]![objective]!["difference"]!.doubleValue! - (arm - control)) < 1e-12)
        }
        // The control arm: RFT's steps on RFT's (judge-filtered) real term alone, listed beside the signal.
        #expect(summary["training"]?["control"]?["steps"]?.doubleValue == 10)
        #expect(summary["training"]?["control"]?["real_images"]?.doubleValue == summary["training"]?["rft"]?["real_images"]?.doubleValue)
        let listing = try String(contentsOf: work.appendingPathComponent("out/signal/control-real-images.csv"), encoding: .utf8)
            .split(separator: "\n")
        #expect(listing.first == "image_id,condition,path")
        #expect(Double(listing.count - 1) == summary["training"]?["control"]?["real_images"]?.doubleValue)
        // Evaluation samples come from other seeds than the samples that built the signal.
        #expect(summary["signal_samples"]?["n"]?.doubleValue == 32)
        let signalPNG = try Data(contentsOf: work.appendingPathComponent("out/samples/signal/target-lesion/target-lesion-0000.png"))
        let beforePNG = try Data(contentsOf: work.appendingPathComponent("out/samples/before/target-lesion/target-lesion-0000.png"))
        #expect(signalPNG != beforePNG, "the parent's evaluation sample must not be its signal sample")
        for objective in ["rft", "dpo"] {
            #expect(summary["gain"]?[objective]?["measured_ratio"] != nil, "gain.\(objective).measured_ratio")
            #expect(summary["gain"]?[objective]?["measured_intervals_overlap"]?.boolValue != nil)
        }
        #expect(summary["real_defect_rate"]?.doubleValue == 0.85)
        #expect(summary["simulator"]?["samples_per_image"]?.doubleValue == 3, "three judge samples per image by default")
        #expect(summary["training"]?["rft"]?["judge_real"]?.boolValue == true)
        let kept = try #require(summary["training"]?["rft"]?["real_images"]?.doubleValue)
        #expect(kept > 40 && kept < 300, "85% of the real images are painted broken; the judge keeps about 11% (kept \(kept))")
        #expect(summary["training"]?["dpo"]?["sft_weight"]?.doubleValue == 100)
        #expect((summary["training"]?["dpo"]?["real_pairs"]?.doubleValue ?? 0) > 0)

        for model in ["before", "control", "rft", "dpo"] {
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
        for objective in ["control", "rft", "dpo"] {
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
        // The clean checkpoint with half its real images painted broken, judged and filtered for RFT's real
        // term and paired for DPO, with a winner term of 1. These change only what the finetuning reads,
        // which the commands below consume.
        let demo = try CLIRunner.run(
            ["demo", "--quick", "--out", "out", "--pretrained", Self.clean, "--defect-rate", "0.5", "--judge-real",
             "--dpo-sft-weight", "1"], in: work)
        #expect(demo.status == 0, "\(demo.stderr)")
        let summary = try JSONValue(parsing: Data(contentsOf: work.appendingPathComponent("out/summary.json")))
        let realTerm = summary["training"]?["rft"]
        #expect(realTerm?["judge_real"]?.boolValue == true)
        #expect(realTerm?["real_images_available"]?.doubleValue == 820)
        let kept = try #require(realTerm?["real_images"]?.doubleValue)
        #expect(kept > 100 && kept < 600, "about half the real images are painted broken and the judge drops those (kept \(kept))")
        #expect(summary["training"]?["dpo"]?["sft_weight"]?.doubleValue == 1)
        let realPairs = try #require(summary["training"]?["dpo"]?["real_pairs"]?.doubleValue)
        let listed = try String(contentsOf: work.appendingPathComponent("out/signal/dpo-real-pairs.csv"), encoding: .utf8)
            .split(separator: "\n")
        #expect(listed.first == "winner_id,loser_id,condition")
        #expect(realPairs > 0 && Double(listed.count - 1) == realPairs, "real pairs: \(realPairs), listed \(listed.count - 1)")
        #expect(demo.stderr.contains("real training images meet every criterion"))
        let db = ["--db", "out/rounds.sqlite"]
        let rft = try CLIRunner.run(
            ["finetune", "--model", Self.clean, "--objective", "rft", "--signal", "out/signal/rft-weights.csv",
             "--data", "out/dataset", "--out", "ft-rft", "--steps", "2", "--json"] + db, in: work)
        #expect(rft.status == 0, "\(rft.stderr)")
        let doc = try JSONValue(parsing: rft.stdout)
        #expect(doc["objective"]?.stringValue == "rft")
        #expect(doc["hyperparameters"]?["synthetic_share"]?.doubleValue == 0.2)
        let dpo = try CLIRunner.run(
            ["finetune", "--model", Self.clean, "--objective", "dpo", "--signal", "out/signal/dpo-pairs.parquet",
             "--out", "ft-dpo", "--steps", "2"] + db, in: work)
        #expect(dpo.status == 0, "\(dpo.stderr)")
        let dpoLog = try String(contentsOf: work.appendingPathComponent("ft-dpo/dpo.csv"), encoding: .utf8)
        #expect(dpoLog.hasPrefix("step,loss,implicit_accuracy,margin\n"))

        let csv = try String(contentsOf: work.appendingPathComponent("out/signal/rft-weights.csv"), encoding: .utf8)
        let firstPath = try #require(csv.split(separator: "\n").dropFirst().first?.split(separator: ",").first)
        try FileManager.default.removeItem(atPath: String(firstPath))
        let gone = try CLIRunner.run(
            ["finetune", "--model", Self.clean, "--objective", "rft", "--signal", "out/signal/rft-weights.csv",
             "--out", "ft-gone", "--steps", "2"] + db, in: work)
        #expect(gone.status == 2)
        #expect(gone.stderr.contains("rft-weights.csv:2: image"), "\(gone.stderr)")
        #expect(gone.stderr.contains("no such image file"))

        // A row whose image_id is another image's: the pixels decide, the row is named.
        var rows = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        rows.remove(at: 1)  // its file was removed above
        try #require(rows.count >= 3)
        rows[1][1] = rows[2][1]
        try (rows.map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n")
            .write(to: work.appendingPathComponent("out/signal/swapped.csv"), atomically: true, encoding: .utf8)
        let swapped = try CLIRunner.run(
            ["finetune", "--model", Self.clean, "--objective", "rft", "--signal", "out/signal/swapped.csv",
             "--out", "ft-swapped", "--steps", "2"] + db, in: work)
        #expect(swapped.status == 2, "\(swapped.stderr)")
        #expect(swapped.stderr.contains("swapped.csv:2: image") && swapped.stderr.contains("the signal names"), "\(swapped.stderr)")

        // A folder that holds a model already (here the one just finetuned) is not overwritten.
        let weights = try Data(contentsOf: work.appendingPathComponent("ft-dpo/unet/diffusion_pytorch_model.safetensors"))
        let onto = try CLIRunner.run(
            ["finetune", "--model", "ft-dpo", "--objective", "dpo", "--signal", "out/signal/dpo-pairs.parquet",
             "--out", "ft-dpo", "--steps", "2"] + db, in: work)
        #expect(onto.status == 64, "\(onto.stderr)")
        #expect(onto.stderr.contains("ft-dpo/rounds.json: a model is already there"), "\(onto.stderr)")
        #expect(try Data(contentsOf: work.appendingPathComponent("ft-dpo/unet/diffusion_pytorch_model.safetensors")) == weights)
    }

    /// `--seeds 2` at the smallest size: two whole rounds into DIR/seed-S/ and their spread in seeds.json.
    @Test func seedsRunWholeRoundsAndReportTheSpread() throws {
        let work = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let result = try CLIRunner.run(
            ["demo", "--quick", "--out", "out", "--pretrained", Self.pretrained, "--seeds", "2",
             "--eval-per-condition", "2", "--real-per-condition", "10", "--judge-samples", "1", "--rft-steps", "2",
             "--dpo-steps", "2"], in: work)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Spread over 2 seeds (2026, 2027)"), "\(result.stdout)")
        #expect(result.stdout.contains("rft − control (measured)"))
        let spread = try JSONValue(parsing: Data(contentsOf: work.appendingPathComponent("out/seeds.json")))
        #expect(spread["seeds"]?.arrayValue?.compactMap(\.doubleValue) == [2026, 2027])
        for arm in ["before", "control", "rft", "dpo"] {
            let judged = try #require(spread["arms"]?[arm]?["judged"], "\(arm)")
            let values = try #require(judged["values"]?.arrayValue?.compactMap { $0.doubleValue })
            #expect(values.count == 2)
            #expect(judged["min"]?.doubleValue == values.min() && judged["max"]?.doubleValue == values.max())
        }
        #expect(spread["gain_over_control"]?["rft"]?["measured"]?["beats_control_every_seed"]?.boolValue != nil)
        for seed in [2026, 2027] {
            let one = try JSONValue(parsing: Data(contentsOf: work.appendingPathComponent("out/seed-\(seed)/summary.json")))
            #expect(one["after"]?["control"]?["n"]?.doubleValue == 8)
        }
        // Different seeds sample different images.
        let a = try Data(contentsOf: work.appendingPathComponent("out/seed-2026/samples/before/target-lesion/target-lesion-0000.png"))
        let b = try Data(contentsOf: work.appendingPathComponent("out/seed-2027/samples/before/target-lesion/target-lesion-0000.png"))
        #expect(a != b)
    }

    @Test func aMissingPretrainedModelIsAClearError() throws {
        let work = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let result = try CLIRunner.run(["demo", "--quick", "--out", "out", "--pretrained", "nowhere"], in: work)
        #expect(result.status == 2)
        #expect(result.stderr.contains("nowhere: no pretrained model"))
        for bad in [["--judge-samples", "0"], ["--dpo-sft-weight", "-1"], ["--defect-rate", "1.5"], ["--seeds", "0"],
                    ["--eval-per-condition", "0"], ["--real-per-condition", "0"]] {
            let refused = try CLIRunner.run(["demo", "--quick", "--out", "out"] + bad, in: work)
            #expect(refused.status == 64, "\(bad)")
            #expect(refused.stderr.contains(bad[0]), "\(bad): \(refused.stderr)")
        }
    }
}

/// `rounds dataset measure`: the ground truth of painted folders, as text and JSON, and a clear error.
@Suite struct DatasetMeasureCLITests {
    @Test func measuresPaintedFoldersAndNamesABadOne() throws {
        let work = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let synth = try CLIRunner.run(["dataset", "synth", "--out", "clean", "--per-condition", "3"], in: work)
        #expect(synth.status == 0, "\(synth.stderr)")
        let text = try CLIRunner.run(["dataset", "measure", "clean"], in: work)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("all criteria         100.0%"), "\(text.stdout)")
        #expect(text.stdout.contains("ground truth"))
        _ = try CLIRunner.run(["dataset", "synth", "--out", "broken", "--per-condition", "3", "--defect-rate", "1"], in: work)
        let json = try CLIRunner.run(["dataset", "measure", "clean", "broken", "--json"], in: work)
        #expect(json.status == 0, "\(json.stderr)")
        let reports = try #require(try JSONValue(parsing: json.stdout).arrayValue)
        #expect(reports.count == 2)
        #expect(reports[0]["all_criteria"]?["rate"]?.doubleValue == 1)
        #expect(reports[1]["all_criteria"]?["rate"]?.doubleValue == 0, "every image painted with a broken criterion")
        #expect(reports[1]["per_criterion"]?.objectValue?.count == 20)
        let missing = try CLIRunner.run(["dataset", "measure", "nowhere"], in: work)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nowhere: no such folder"), "\(missing.stderr)")
    }
}
