import Foundation
import RoundsCore
import Testing

/// `rounds finetune` with LoRA on a Stable Diffusion pipeline folder, then `rounds sample|transfer --lora`:
/// the adapter folder, its lineage in the store, resume bit for bit, bad inputs named.
@Suite struct LoRACLITests {
    typealias Workspace = DiffusionCLITests.Workspace
    static let pipeline = StableDiffusionCLITests.pipeline

    /// Four sampled images of one condition and an RFT weights file over them; returns (file, condition).
    private func signal(_ w: Workspace) throws -> (weights: String, pairs: String, condition: String) {
        let r = try w.run(["sample", "--model", Self.pipeline, "--condition", "atypical-mole", "-n", "4", "--steps", "2",
                           "--seed", "5", "--out", w.path("samples"), "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try DiffusionCLITests.object(r.stdout)
        let condition = try #require(summary["condition"] as? String)
        let images = try #require(summary["images"] as? [[String: Any]]).map { ($0["path"] as! String, $0["image_id"] as! String) }
        var weights = "", pairs = ""
        for (i, (path, id)) in images.enumerated() {
            let line: [String: Any] = ["path": path, "image_id": id, "condition": condition, "weight": Double(i + 1) / 4]
            weights += String(decoding: try JSONSerialization.data(withJSONObject: line), as: UTF8.self) + "\n"
        }
        for k in [0, 2] {
            let line: [String: Any] = ["path_0": images[k].0, "image_id_0": images[k].1, "path_1": images[k + 1].0,
                                       "image_id_1": images[k + 1].1, "condition": condition, "label_0": 1]
            pairs += String(decoding: try JSONSerialization.data(withJSONObject: line), as: UTF8.self) + "\n"
        }
        try weights.write(toFile: w.path("weights.jsonl"), atomically: true, encoding: .utf8)
        try pairs.write(toFile: w.path("pairs.jsonl"), atomically: true, encoding: .utf8)
        return (w.path("weights.jsonl"), w.path("pairs.jsonl"), condition)
    }

    private func finetune(_ w: Workspace, _ objective: String, signal: String, out: String, steps: Int, _ extra: [String] = []) throws -> CLIRunner.Result {
        try w.run(["finetune", "--model", Self.pipeline, "--objective", objective, "--signal", signal, "--out", w.path(out),
                   "--steps", "\(steps)", "--lora-rank", "4", "--lr", "0.01", "--warmup", "1", "--json"] + extra)
    }

    @Test func rftAdapterIsWrittenRecordedAndSampledWith() throws {
        let w = try Workspace()
        let s = try signal(w)
        let r = try finetune(w, "rft", signal: s.weights, out: "adapter", steps: 4, ["--batch", "2", "--save-every", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("encoding 4 images to latents"), "\(r.stderr)")
        let doc = try DiffusionCLITests.object(r.stdout)
        #expect(doc["adapted_layers"] as? Int == 32, "\(doc)")
        for file in ["pytorch_lora_weights.safetensors", "adapter.json", "loss.csv", "training_state.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: w.path("adapter/\(file)")), "\(file)")
        }
        let manifest = try DiffusionCLITests.object(try String(contentsOfFile: w.path("adapter/adapter.json"), encoding: .utf8))
        #expect(manifest["format"] as? String == "rounds-lora/1")
        #expect((manifest["base_pipeline_sha256"] as? String)?.count == 64)
        #expect((manifest["prompts"] as? [String: String])?[s.condition]?.isEmpty == false)
        #expect((manifest["hyperparameters"] as? [String: Any])?["lora_rank"] as? Int == 4)
        let adapterID = try #require(doc["checkpoint_id"] as? Int)

        // Sampling with the adapter: recorded under the adapter's row, the recipe names it, pixels differ.
        let base = try w.run(["sample", "--model", Self.pipeline, "--condition", "atypical-mole", "-n", "1", "--steps", "3",
                              "--seed", "9", "--out", w.path("base"), "--json"])
        let adapted = try w.run(["sample", "--model", Self.pipeline, "--condition", "atypical-mole", "-n", "1", "--steps", "3",
                                 "--seed", "9", "--lora", w.path("adapter"), "--out", w.path("adapted"), "--json"])
        #expect(base.status == 0 && adapted.status == 0, "\(adapted.stderr)")
        let a = try DiffusionCLITests.object(adapted.stdout), b = try DiffusionCLITests.object(base.stdout)
        #expect(a["checkpoint_id"] as? Int == adapterID)
        #expect(b["checkpoint_id"] as? Int == doc["parent_checkpoint_id"] as? Int)
        let sampler = try #require(a["sampler"] as? [String: Any])
        #expect((sampler["lora_sha256"] as? String)?.count == 64)
        let pa = try #require((a["images"] as? [[String: Any]])?.first?["path"] as? String)
        let pb = try #require((b["images"] as? [[String: Any]])?.first?["path"] as? String)
        #expect(try DiffusionCLITests.bytes(pa) != DiffusionCLITests.bytes(pb), "the adapter changed the image")

        // Transfer with the adapter too.
        let t = try w.run(["transfer", "--model", Self.pipeline, "--from", pb, "--to", "atypical-mole", "--strength", "0.5",
                           "--steps", "4", "--seed", "3", "--lora", w.path("adapter"), "--out", w.path("moved"), "--json"])
        #expect(t.status == 0, "\(t.stderr)")
        #expect(try DiffusionCLITests.object(t.stdout)["checkpoint_id"] as? Int == adapterID)
    }

    @Test func resumeContinuesBitForBitAndDPOTrains() throws {
        let w = try Workspace()
        let s = try signal(w)
        let straight = try finetune(w, "rft", signal: s.weights, out: "straight", steps: 4, ["--batch", "2"])
        #expect(straight.status == 0, "\(straight.stderr)")
        let half = try finetune(w, "rft", signal: s.weights, out: "resumed", steps: 2, ["--batch", "2"])
        #expect(half.status == 0, "\(half.stderr)")
        let again = try finetune(w, "rft", signal: s.weights, out: "resumed", steps: 4, ["--batch", "2"])
        #expect(again.status == 64 && again.stderr.contains("--resume"), "\(again.stderr)")
        let rest = try finetune(w, "rft", signal: s.weights, out: "resumed", steps: 4, ["--batch", "2", "--resume"])
        #expect(rest.status == 0, "\(rest.stderr)")
        #expect(rest.stderr.contains("resuming at step 2 of 4"), "\(rest.stderr)")
        #expect(try DiffusionCLITests.bytes(w.path("resumed/pytorch_lora_weights.safetensors"))
                == DiffusionCLITests.bytes(w.path("straight/pytorch_lora_weights.safetensors")))
        #expect(try String(contentsOfFile: w.path("resumed/loss.csv"), encoding: .utf8)
                == String(contentsOfFile: w.path("straight/loss.csv"), encoding: .utf8))
        let otherSettings = try finetune(w, "rft", signal: s.weights, out: "resumed", steps: 6, ["--batch", "3", "--resume"])
        #expect(otherSettings.status != 0 && otherSettings.stderr.contains("other settings"), "\(otherSettings.stderr)")

        let dpo = try finetune(w, "dpo", signal: s.pairs, out: "dpo", steps: 2, ["--beta", "100"])
        #expect(dpo.status == 0, "\(dpo.stderr)")
        let metrics = try #require(try DiffusionCLITests.object(dpo.stdout)["metrics"] as? [String: Any])
        #expect(metrics["implicit_accuracy"] != nil)
        #expect(FileManager.default.fileExists(atPath: w.path("dpo/dpo.csv")))
    }

    @Test func badInputsAreNamed() throws {
        let w = try Workspace()
        let weights = w.path("none.jsonl")
        try "".write(toFile: weights, atomically: true, encoding: .utf8)
        let targets = try finetune(w, "rft", signal: weights, out: "a", steps: 1, ["--lora-targets", "everything"])
        #expect(targets.status == 64 && targets.stderr.contains("--lora-targets"), "\(targets.stderr)")
        let ema = try finetune(w, "rft", signal: weights, out: "a", steps: 1, ["--ema-decay", "0.9"])
        #expect(ema.status == 64 && ema.stderr.contains("--ema-decay"), "\(ema.stderr)")
        let resume = try finetune(w, "rft", signal: weights, out: "a", steps: 1, ["--resume"])
        #expect(resume.status == 64 && resume.stderr.contains("nothing to continue"), "\(resume.stderr)")
        let empty = try finetune(w, "rft", signal: weights, out: "a", steps: 1)
        #expect(empty.status != 0 && empty.stderr.contains("no synthetic images"), "\(empty.stderr)")
        let size = try finetune(w, "rft", signal: weights, out: "a", steps: 1, ["--resolution", "10"])
        #expect(size.status == 64 && size.stderr.contains("--resolution"), "\(size.stderr)")
        let pixel = try w.run(["finetune", "--model", DiffusionCLITests.bareModel, "--objective", "rft", "--signal", weights,
                               "--out", w.path("p"), "--lora-rank", "8"])
        #expect(pixel.status == 64 && pixel.stderr.contains("--lora-rank"), "\(pixel.stderr)")
        let sample = try w.run(["sample", "--model", DiffusionCLITests.bareModel, "--condition", "0", "-n", "1", "--lora", w.path("x"),
                                "--out", w.path("o")])
        #expect(sample.status == 64 && sample.stderr.contains("--lora needs"), "\(sample.stderr)")
        let missing = try w.run(["sample", "--model", Self.pipeline, "--prompt", "x", "-n", "1", "--steps", "2", "--lora", w.path("x"),
                                 "--out", w.path("o")])
        #expect(missing.status != 0 && missing.stderr.contains("no such adapter"), "\(missing.stderr)")
        #expect(try w.images().isEmpty, "nothing stored")
    }
}

/// `rounds round --model SD_DIR`: the whole loop with LoRA against the simulator judge on loopback.
@Suite struct StableDiffusionRoundCLITests {
    @Test func aRoundSamplesJudgesFinetunesAdaptersAndJudgesAgain() throws {
        let simulator = try SimulatorProcess()
        defer { simulator.stop() }
        let work = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let synth = try CLIRunner.run(["dataset", "synth", "--out", "D", "--size", "32", "--per-condition", "2"], in: work)
        try #require(synth.status == 0, "\(synth.stderr)")
        let add = try CLIRunner.run(["images", "add", "--manifest", "D/manifest.csv", "--origin", "real", "--db", "r.sqlite"], in: work)
        try #require(add.status == 0, "\(add.stderr)")
        try simulator.endpointsYAML().write(to: work.appendingPathComponent("endpoints.yaml"), atomically: true, encoding: .utf8)
        let args = ["round", "--model", StableDiffusionCLITests.pipeline, "--condition", "synthetic/scaly-plaque",
                    "--condition", "synthetic/atypical-mole", "--endpoint", "sim", "--objective", "rft", "--objective", "dpo",
                    "--per-condition", "3", "--sampling-steps", "2", "--rft-steps", "2", "--dpo-steps", "2", "--lora-rank", "4",
                    "--out", "R", "--db", "r.sqlite", "--json"]
        let r = try CLIRunner.run(args, in: work)
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try JSONValue(parsing: r.stdout)
        #expect(doc["samples_per_model"]?.doubleValue == 6)
        #expect((doc["real_images"]?.doubleValue ?? 0) > 0)
        #expect(doc["before"]?["all_criteria_rate"]?.doubleValue != nil)
        #expect(doc["after"]?["rft"]?["all_criteria_rate"]?.doubleValue != nil, "\(r.stdout)")
        #expect(doc["after"]?["control"]?["all_criteria_rate"]?.doubleValue != nil, "\(r.stdout)")
        #expect(doc["gain_over_control"]?["rft"]?["difference"]?.doubleValue != nil, "\(r.stdout)")
        if doc["after"]?["dpo"] == nil {
            #expect(r.stderr.contains("no one-winner pairs"), "DPO neither ran nor said why: \(r.stderr)")
        }
        for name in ["rft", "control"] {
            #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("R/adapters/\(name)/pytorch_lora_weights.safetensors").path))
        }
        #expect(doc["checkpoints"]?["rft"]?.doubleValue != doc["checkpoints"]?["before"]?.doubleValue)

        // MAGIC's image-to-image route: the stored real images of one condition transferred to both.
        let i2i = try CLIRunner.run(["round", "--model", StableDiffusionCLITests.pipeline, "--condition", "synthetic/scaly-plaque",
                                     "--condition", "synthetic/atypical-mole", "--endpoint", "sim", "--objective", "rft",
                                     "--from", "D/target-lesion", "--transfers-per-source", "2", "--strength", "0.5",
                                     "--sampling-steps", "4", "--rft-steps", "2", "--lora-rank", "4", "--no-control",
                                     "--out", "I", "--db", "r.sqlite", "--json"], in: work)
        #expect(i2i.status == 0, "\(i2i.stderr)")
        let i2iDoc = try JSONValue(parsing: i2i.stdout)
        #expect(i2iDoc["samples_per_model"]?.doubleValue == 8, "2 sources x 2 copies x 2 conditions")
        #expect(i2i.stderr.contains("transferring 2 source(s) x 2"), "\(i2i.stderr)")

        let again = try CLIRunner.run(args, in: work)
        #expect(again.status != 0 && again.stderr.contains("already exists"), "\(again.stderr)")
        let noCondition = try CLIRunner.run(["round", "--model", StableDiffusionCLITests.pipeline, "--endpoint", "sim",
                                             "--objective", "rft", "--db", "r.sqlite"], in: work)
        #expect(noCondition.status == 64 && noCondition.stderr.contains("--condition"), "\(noCondition.stderr)")
        let pixel = try CLIRunner.run(["round", "--model", RoundCLITests.pretrained, "--endpoint", "sim", "--objective", "rft",
                                       "--condition", "synthetic/scaly-plaque", "--db", "r.sqlite"], in: work)
        #expect(pixel.status == 64 && pixel.stderr.contains("--condition need"), "\(pixel.stderr)")
    }
}
