import Foundation
import Testing

/// `rounds sample` and `rounds transfer` on a diffusers Stable Diffusion pipeline folder (the tiny random
/// SD1-style fixture of RoundsDiffusionTests): images out, full provenance in the store, bad inputs named.
@Suite struct StableDiffusionCLITests {
    static let pipeline = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("RoundsDiffusionTests/Fixtures/sd/sd1").path

    typealias Workspace = DiffusionCLITests.Workspace

    private func sample(_ w: Workspace, _ extra: [String], out: String = "out") throws -> CLIRunner.Result {
        try w.run(["sample", "--model", Self.pipeline, "-n", "2", "--steps", "3", "--seed", "11", "--out", w.path(out), "--json"] + extra)
    }

    @Test func samplingAPromptWritesImagesWithTheirWholeRecipe() throws {
        let w = try Workspace()
        let r = try sample(w, ["--prompt", "a mole with three shades", "--negative-prompt", "blurry"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("loading the Stable Diffusion pipeline"), "\(r.stderr)")
        let summary = try DiffusionCLITests.object(r.stdout)
        let images = try #require(summary["images"] as? [[String: Any]])
        #expect(images.count == 2)
        let sampler = try #require(summary["sampler"] as? [String: Any])
        #expect(sampler["prompt"] as? String == "a mole with three shades")
        #expect(sampler["negative_prompt"] as? String == "blurry")
        #expect(sampler["steps"] as? Int == 3)
        let hash = try #require(sampler["pipeline_sha256"] as? String)
        #expect(hash.count == 64)
        let rows = try w.images()
        #expect(rows.count == 2)
        for item in images {
            let path = try #require(item["path"] as? String)
            #expect(FileManager.default.fileExists(atPath: path))
            #expect(rows[try #require(item["image_id"] as? String)] != nil)
        }

        // The same seed again gives the same pixels and finds the same checkpoint row by content hash.
        let again = try sample(w, ["--prompt", "a mole with three shades", "--negative-prompt", "blurry"], out: "again")
        #expect(again.status == 0, "\(again.stderr)")
        let second = try DiffusionCLITests.object(again.stdout)
        #expect(second["checkpoint_id"] as? Int == summary["checkpoint_id"] as? Int)
        let firstPaths = images.compactMap { $0["path"] as? String }
        let secondPaths = try #require(second["images"] as? [[String: Any]]).compactMap { $0["path"] as? String }
        for (a, b) in zip(firstPaths, secondPaths) {
            #expect(try DiffusionCLITests.bytes(a) == DiffusionCLITests.bytes(b))
        }
    }

    @Test func aConditionSamplesWithItsChecklistPromptAndDPMSolverWorks() throws {
        let w = try Workspace()
        let r = try sample(w, ["--condition", "atypical-mole", "--scheduler", "dpmsolver"])
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try DiffusionCLITests.object(r.stdout)
        #expect((summary["condition"] as? String)?.hasSuffix("atypical-mole") == true, "\(summary)")
        let sampler = try #require(summary["sampler"] as? [String: Any])
        #expect(sampler["scheduler"] as? String == "dpmsolver")
        #expect((sampler["prompt"] as? String)?.isEmpty == false)
        let rows = try w.images()
        #expect(rows.values.allSatisfy { ($0["condition"] as? String)?.hasSuffix("atypical-mole") == true }, "\(rows)")
    }

    @Test func transferNoisesStoredSourcesTowardThePrompt() throws {
        let w = try Workspace()
        try FileManager.default.createDirectory(at: w.dir.appendingPathComponent("src"), withIntermediateDirectories: true)
        for i in 0..<2 {
            try TinyPNG.write(w.dir.appendingPathComponent("src/s\(i).png"), width: 20, height: 12) { x, y in
                (UInt8(10 * x), UInt8(15 * y), UInt8(100 + 50 * i))
            }
        }
        let r = try w.run([
            "transfer", "--model", Self.pipeline, "--from", w.path("src"), "--prompt", "a scaly plaque", "--strength", "0.5",
            "--steps", "4", "--seed", "3", "--origin", "real", "--out", w.path("out"), "--json",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try DiffusionCLITests.object(r.stdout)
        let listed = try #require(summary["images"] as? [[String: Any]])
        #expect(listed.count == 2)
        #expect((summary["sampler"] as? [String: Any])?["strength"] as? Double == 0.5)
        let rows = try w.images()
        #expect(rows.count == 4, "two sources stored as real, two outputs")
        for item in listed {
            #expect((item["parent_image_id"] as? String)?.isEmpty == false)
        }
    }

    @Test func modelInfoDescribesAPipelineFolder() throws {
        let w = try Workspace()
        let r = try CLIRunner.run(["model", "info", Self.pipeline, "--json"], in: w.dir)
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try DiffusionCLITests.object(r.stdout)
        #expect(doc["layout"] as? String == "stable-diffusion")
        #expect(doc["pipeline_class"] as? String == "StableDiffusionPipeline")
        #expect(doc["resolution"] as? Int == 16)
        let parts = try #require(doc["components"] as? [String: [String: Any]])
        #expect(Set(parts.keys) == ["text_encoder", "unet", "vae"])
        #expect((parts["unet"]?["files"] as? [String])?.count == 7, "the sharded UNet's index and 6 shards: \(parts)")
        let total = parts.values.compactMap { $0["parameters"] as? Int }.reduce(0, +)
        #expect(total > 0 && doc["parameters"] as? Int == total)
        #expect((doc["scheduler"] as? [String: Any])?["class"] as? String == "PNDMScheduler")
        let text = try CLIRunner.run(["model", "info", Self.pipeline], in: w.dir)
        #expect(text.status == 0 && text.stdout.contains("layout: stable-diffusion") && text.stdout.contains("unet:"), "\(text.stdout)")
    }

    @Test func badInputsAreNamedAndNothingIsStored() throws {
        let w = try Workspace()
        let both = try sample(w, ["--prompt", "x", "--condition", "atypical-mole"])
        #expect(both.status == 64 && both.stderr.contains("--condition and --prompt"), "\(both.stderr)")
        let neither = try sample(w, [])
        #expect(neither.status == 64 && neither.stderr.contains("--condition"), "\(neither.stderr)")
        let pixel = try w.run(["sample", "--model", DiffusionCLITests.bareModel, "--prompt", "x", "-n", "1", "--out", w.path("o")])
        #expect(pixel.status == 64 && pixel.stderr.contains("need a Stable Diffusion pipeline folder"), "\(pixel.stderr)")
        let unknown = try sample(w, ["--condition", "no-such-condition"])
        #expect(unknown.status != 0 && unknown.stderr.contains("no-such-condition"), "\(unknown.stderr)")

        // A pipeline folder whose UNet weights are missing: the error names the folder.
        let broken = w.dir.appendingPathComponent("broken")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: Self.pipeline), to: broken)
        for name in try FileManager.default.contentsOfDirectory(atPath: broken.appendingPathComponent("unet").path)
        where name.hasSuffix(".safetensors") || name.hasSuffix(".json") && name != "config.json" {
            try FileManager.default.removeItem(at: broken.appendingPathComponent("unet/\(name)"))
        }
        let missing = try w.run(["sample", "--model", broken.path, "--prompt", "x", "-n", "1", "--steps", "2", "--out", w.path("o")])
        #expect(missing.status != 0 && missing.stderr.contains("unet"), "\(missing.stderr)")
        #expect(try w.images().isEmpty, "nothing stored after failures")
    }
}
