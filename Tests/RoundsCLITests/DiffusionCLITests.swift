import Foundation
import Testing

/// `rounds train`, `rounds sample` and `rounds transfer` end to end at tiny size (8×8 images, a UNet with
/// block_out_channels (16, 32)): outputs, store rows, exit codes and bad inputs.
@Suite struct DiffusionCLITests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("RoundsDiffusionTests/Fixtures/unet")
    static let bareModel = fixture.appendingPathComponent("model").path

    /// A work folder with `data/a` (3 checkerboards, 8×8) and `data/b` (3 half-split images, 16×16, resized
    /// by train), `unet.json` (the fixture's config with 3 class embeddings) and a database path.
    struct Workspace {
        let dir: URL
        var db: String { dir.appendingPathComponent("rounds.sqlite").path }
        var data: String { dir.appendingPathComponent("data").path }
        var config: String { dir.appendingPathComponent("unet.json").path }
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

        init(numClassEmbeds: Int = 3, channels: Int = 3) throws {
            dir = try CLIRunner.temporaryDirectory()
            let fm = FileManager.default
            for folder in ["a", "b"] {
                try fm.createDirectory(
                    at: dir.appendingPathComponent("data/\(folder)"), withIntermediateDirectories: true)
            }
            for i in 0..<3 {
                try TinyPNG.write(dir.appendingPathComponent("data/a/\(i).png"), width: 8, height: 8) { x, y in
                    (x + y) % 2 == 0 ? (200, UInt8(40 + 10 * i), 50) : (20, 20, 20)
                }
                try TinyPNG.write(dir.appendingPathComponent("data/b/\(i).png"), width: 16, height: 16) { x, _ in
                    x < 8 ? (30, 30, UInt8(220 - 10 * i)) : (240, 240, 240)
                }
            }
            let source = try String(
                contentsOf: DiffusionCLITests.fixture.appendingPathComponent("model/config.json"), encoding: .utf8)
            try source.replacingOccurrences(
                of: "\"num_class_embeds\": 5", with: "\"num_class_embeds\": \(numClassEmbeds)"
            )
            .replacingOccurrences(of: "_channels\": 3", with: "_channels\": \(channels)")
            .write(to: dir.appendingPathComponent("unet.json"), atomically: true, encoding: .utf8)
        }

        func run(_ args: [String]) throws -> CLIRunner.Result {
            try CLIRunner.run(args + ["--db", db], in: dir)
        }

        func train(out: String, steps: Int, extra: [String] = []) throws -> CLIRunner.Result {
            try run(
                [
                    "train", "--data", data, "--config", config, "--steps", "\(steps)", "--batch", "4", "--out",
                    path(out),
                    "--json",
                ] + extra)
        }

        /// The store's image rows (`rounds export images --format jsonl`) by image id; none when no
        /// command has created the store.
        func images() throws -> [String: [String: Any]] {
            guard FileManager.default.fileExists(atPath: db) else { return [:] }
            let r = try run(["export", "images", "--format", "jsonl"])
            #expect(r.status == 0, "\(r.stderr)")
            var out: [String: [String: Any]] = [:]
            for line in r.stdout.split(separator: "\n") {
                let row = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                out[try #require(row["image_id"] as? String)] = row
            }
            return out
        }
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text)")
    }

    static func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test func trainWritesTheModelDirectoryLossFilesAndCheckpoint() throws {
        let w = try Workspace()
        let r = try w.train(out: "model", steps: 20)
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try Self.object(r.stdout)
        #expect(summary["conditions"] as? [String] == ["synthetic/a", "synthetic/b"])
        #expect(summary["images"] as? Int == 6)
        #expect(summary["parent_checkpoint_id"] is NSNull)
        #expect(summary["checkpoint_id"] as? Int == 1)
        #expect(r.stderr.contains("train: step 20/20, loss "), "\(r.stderr)")
        #expect(r.stderr.contains("images/s, ETA"))
        let manifest = try Self.object(String(decoding: try Self.bytes(w.path("model/rounds.json")), as: UTF8.self))
        #expect(manifest["ema"] as? Bool == true)
        #expect(manifest["null_class_index"] as? Int == 2)
        #expect(manifest["image_size"] as? Int == 8)
        let lineage = try #require(manifest["lineage"] as? [String: Any])
        #expect(lineage["objective"] as? String == "pretrain")
        let hyper = try #require(lineage["hyperparameters"] as? [String: Any])
        #expect(hyper["steps"] as? Int == 20 && hyper["batch"] as? Int == 4 && hyper["seed"] as? Int == 0)
        let csv = String(decoding: try Self.bytes(w.path("model/loss.csv")), as: UTF8.self)
            .split(separator: "\n")
        #expect(csv.first == "step,loss" && csv.count == 21)
        #expect(csv.dropFirst().allSatisfy { line in Float(String(line.split(separator: ",")[1]))?.isFinite == true })
        let svg = String(decoding: try Self.bytes(w.path("model/loss.svg")), as: UTF8.self)
        #expect(svg.contains("<svg") && svg.contains("Training loss"))
        for file in [
            "unet/config.json", "unet/diffusion_pytorch_model.safetensors", "scheduler/scheduler_config.json",
            "training_state.safetensors",
        ] {
            #expect(FileManager.default.fileExists(atPath: w.path("model/\(file)")), "\(file)")
        }
        let info = try CLIRunner.run(["model", "info", w.path("model"), "--json"])
        #expect(info.status == 0 && info.stdout.contains("synthetic/a"), "\(info.stderr)")

        // Without EMA the saved weights are the raw ones and rounds.json says so.
        let plain = try w.train(out: "plain", steps: 2, extra: ["--ema-decay", "0"])
        #expect(plain.status == 0, "\(plain.stderr)")
        let m2 = try Self.object(String(decoding: try Self.bytes(w.path("plain/rounds.json")), as: UTF8.self))
        #expect(m2["ema"] as? Bool == false)
    }

    @Test func resumeContinuesBitForBit() throws {
        let w = try Workspace()
        let straight = try w.train(out: "straight", steps: 8, extra: ["--seed", "5"])
        #expect(straight.status == 0, "\(straight.stderr)")
        let half = try w.train(out: "resumed", steps: 4, extra: ["--seed", "5", "--checkpoint-every", "2"])
        #expect(half.status == 0, "\(half.stderr)")
        let firstID = try #require(try Self.object(half.stdout)["checkpoint_id"] as? Int)
        let rest = try w.train(out: "resumed", steps: 8, extra: ["--resume"])
        #expect(rest.status == 0, "\(rest.stderr)")
        #expect(rest.stderr.contains("step 8/8"))
        #expect(!rest.stderr.contains("step 4/8"), "resumed past step 4: \(rest.stderr)")
        #expect(try Self.object(rest.stdout)["parent_checkpoint_id"] as? Int == firstID)
        for file in [
            "unet/diffusion_pytorch_model.safetensors", "training_state.safetensors", "loss.csv", "rounds.json",
        ] {
            #expect(try Self.bytes(w.path("straight/\(file)")) == Self.bytes(w.path("resumed/\(file)")), "\(file)")
        }

        // A resumed run must keep its settings; a finished one has nothing left to do.
        let batch = try w.run(
            [
                "train", "--data", w.data, "--config", w.config, "--steps", "9", "--batch", "2", "--out",
                w.path("resumed"), "--resume",
            ])
        #expect(
            batch.status == 64 && batch.stderr.contains("--batch 2 differs from the resumed run's 4"), "\(batch.stderr)"
        )
        let seed = try w.train(out: "resumed", steps: 9, extra: ["--resume", "--seed", "6"])
        #expect(seed.status == 64 && seed.stderr.contains("--seed 6 differs"), "\(seed.stderr)")
        let done = try w.train(out: "resumed", steps: 8, extra: ["--resume"])
        #expect(done.status == 2 && done.stderr.contains("already at step 8"), "\(done.stderr)")
        let overwrite = try w.train(out: "resumed", steps: 9)
        #expect(overwrite.status == 2 && overwrite.stderr.contains("a model is already there"), "\(overwrite.stderr)")
        let missing = try w.train(out: "nothing-here", steps: 8, extra: ["--resume"])
        #expect(
            missing.status == 2 && missing.stderr.contains("training_state.safetensors: missing"), "\(missing.stderr)")
    }

    @Test func trainRejectsBadConfigsAndData() throws {
        let w = try Workspace(numClassEmbeds: 5)
        let r = try w.train(out: "m", steps: 2)
        #expect(r.status == 2)
        #expect(r.stderr.contains("unet.json: num_class_embeds: expected 3 (2 condition folders"), "\(r.stderr)")
        #expect(r.stderr.contains("got 5"))

        let ok = try Workspace()
        try FileManager.default.createDirectory(
            at: ok.dir.appendingPathComponent("data/empty"), withIntermediateDirectories: true)
        let empty = try ok.train(out: "m", steps: 2)
        #expect(empty.status == 2 && empty.stderr.contains("data/empty: no PNG or JPEG images"), "\(empty.stderr)")
        try FileManager.default.removeItem(at: ok.dir.appendingPathComponent("data/empty"))

        try FileManager.default.createDirectory(
            at: ok.dir.appendingPathComponent("data/Bad Name"), withIntermediateDirectories: true)
        let bad = try ok.train(out: "m", steps: 2)
        #expect(bad.status == 2 && bad.stderr.contains("Bad Name: folder name"), "\(bad.stderr)")
        try FileManager.default.removeItem(at: ok.dir.appendingPathComponent("data/Bad Name"))

        try Data("not an image".utf8).write(to: ok.dir.appendingPathComponent("data/a/broken.png"))
        let broken = try ok.train(out: "m", steps: 2)
        #expect(broken.status == 2 && broken.stderr.contains("broken.png"), "\(broken.stderr)")
        try FileManager.default.removeItem(at: ok.dir.appendingPathComponent("data/a/broken.png"))

        let noData = try ok.run(
            [
                "train", "--data", ok.path("nope"), "--config", ok.config, "--steps", "2", "--batch", "2", "--out",
                ok.path("m"),
            ])
        #expect(noData.status == 2 && noData.stderr.contains("nope: no such data folder"), "\(noData.stderr)")
        let zero = try ok.train(out: "m", steps: 0)
        #expect(zero.status == 64 && zero.stderr.contains("--steps"), "\(zero.stderr)")
        try Data("{\"in_channels\": ".utf8).write(to: URL(fileURLWithPath: ok.config))
        let json = try ok.train(out: "m", steps: 2)
        #expect(json.status == 2 && json.stderr.contains("unet.json"), "\(json.stderr)")
    }
}

extension DiffusionCLITests {
    @Test func sampleWritesAndRecordsSyntheticImages() throws {
        let w = try Workspace()
        let t = try w.train(out: "model", steps: 3)
        #expect(t.status == 0, "\(t.stderr)")
        let checkpoint = try #require(try Self.object(t.stdout)["checkpoint_id"] as? Int)
        let args = [
            "sample", "--model", w.path("model"), "--condition", "b", "-n", "3", "--steps", "4", "--seed", "7",
            "--out", w.path("out"), "--json",
        ]
        let r = try w.run(args)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("sample synthetic/b: 4/4"), "\(r.stderr)")
        let summary = try Self.object(r.stdout)
        #expect(summary["checkpoint_id"] as? Int == checkpoint)
        #expect(summary["seed"] as? Int == 7)
        let listed = try #require(summary["images"] as? [[String: Any]])
        #expect(listed.compactMap { $0["path"] as? String } == (0..<3).map { w.path("out/b-7-\($0).png") })
        let rows = try w.images()
        #expect(rows.count == 3)
        for item in listed {
            let id = try #require(item["image_id"] as? String)
            let row = try #require(rows[id])
            #expect(row["origin"] as? String == "synthetic")
            #expect(row["condition"] as? String == "synthetic/b")
            #expect(row["generator"] as? String == "model")
            #expect(row["checkpoint_id"] as? Int == checkpoint)
            #expect(row["seed"] as? Int == 7)
            #expect(row["width"] as? Int == 8 && row["format"] as? String == "png")
            let params = try Self.object(try #require(row["sampler_parameters"] as? String))
            #expect(params["scheduler"] as? String == "ddim" && params["steps"] as? Int == 4)
            #expect(params["guidance"] as? Double == 3 && params["eta"] as? Double == 0)
        }

        // Same seed, same images; another seed, others.
        let again = try w.run(args.map { $0 == w.path("out") ? w.path("again") : $0 })
        #expect(again.status == 0, "\(again.stderr)")
        for i in 0..<3 {
            #expect(try Self.bytes(w.path("out/b-7-\(i).png")) == Self.bytes(w.path("again/b-7-\(i).png")))
        }
        let ddpm = try w.run(
            [
                "sample", "--model", w.path("model"), "--condition", "synthetic/a", "-n", "1", "--steps", "3",
                "--scheduler", "ddpm", "--seed", "8", "--out", w.path("out"),
            ])
        #expect(ddpm.status == 0 && ddpm.stdout.contains("a-8-0.png"), "\(ddpm.stderr)")
        #expect(try w.images().count == 4)

        // The same seed into the same folder would overwrite files the store records as other images:
        // refused before sampling, files and rows unchanged.
        let before = try Self.bytes(w.path("out/b-7-0.png"))
        let rerun = try w.run(args.filter { $0 != "--json" } + ["--steps", "5"])
        #expect(rerun.status == 2, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("\(w.path("out/b-7-0.png")): already exists"), "\(rerun.stderr)")
        #expect(!rerun.stderr.contains("sample synthetic/b:"), "refused before sampling: \(rerun.stderr)")
        #expect(try Self.bytes(w.path("out/b-7-0.png")) == before)
        #expect(try w.images().count == 4)
    }

    @Test func sampleRecordsAnUnknownModelAsAnImportedCheckpointAndTakesInitialNoise() throws {
        let w = try Workspace()
        let noise = Self.fixture.appendingPathComponent("sampling.safetensors").path
        func run(seed: Int, out: String) throws -> [String: Any] {
            let r = try w.run(
                [
                    "sample", "--model", Self.bareModel, "--condition", "2", "-n", "2", "--steps", "5", "--guidance",
                    "3",
                    "--seed", "\(seed)", "--initial-noise", noise, "--out", w.path(out), "--json",
                ])
            #expect(r.status == 0, "\(r.stderr)")
            return try Self.object(r.stdout)
        }
        let a = try run(seed: 1, out: "a")
        let b = try run(seed: 2, out: "b")
        #expect(a["checkpoint_id"] as? Int == 1 && b["checkpoint_id"] as? Int == 1, "recorded once, found again")
        // Deterministic DDIM from the same x_T: the seed does not matter.
        let ids = { (s: [String: Any]) in (s["images"] as? [[String: Any]])?.compactMap { $0["image_id"] as? String } }
        #expect(ids(a) == ids(b) && ids(a)?.count == 2)
        let params = try #require(a["sampler"] as? [String: Any])
        #expect(params["initial_noise"] as? String == noise)
        let rows = try w.images()
        #expect(rows.values.allSatisfy { $0["condition"] is NSNull && $0["generator"] as? String == "model" })
    }

    @Test func sampleRejectsBadInputs() throws {
        let w = try Workspace()
        let base = ["sample", "--model", Self.bareModel, "--out", w.path("out")]
        let unknown = try w.run(base + ["--condition", "melanoma", "-n", "1"])
        #expect(unknown.status == 2)
        #expect(
            unknown.stderr.contains(
                "condition 'melanoma': the model was not trained on it (its conditions: 0, 1, 2, 3)"),
            "\(unknown.stderr)")
        let noise = Self.fixture.appendingPathComponent("sampling.safetensors").path
        let shape = try w.run(base + ["--condition", "1", "-n", "3", "--initial-noise", noise])
        #expect(shape.status == 2)
        #expect(
            shape.stderr.contains("tensor 'initial_noise' has shape [2, 3, 8, 8], expected [3, 3, 8, 8]"),
            "\(shape.stderr)")
        let io = Self.fixture.appendingPathComponent("io.safetensors").path
        let names = try w.run(base + ["--condition", "1", "-n", "2", "--initial-noise", io])
        #expect(names.status == 2 && names.stderr.contains("no initial noise tensor"), "\(names.stderr)")
        // far more than the machine holds: refused up front instead of a crash in the allocator
        let huge = try w.run(base + ["--condition", "1", "-n", "100000000000"])
        #expect(huge.status == 2 && huge.stderr.contains("-n 100000000000 at 8x8 needs about"), "\(huge.stderr)")
        let hugeBatch = try w.train(out: "never", steps: 1, extra: ["--batch", "100000000000"])
        #expect(hugeBatch.status == 2 && hugeBatch.stderr.contains("--batch 100000000000 at 8x8 needs about"), "\(hugeBatch.stderr)")
        let missingNoise = try w.run(
            base + ["--condition", "1", "-n", "2", "--initial-noise", w.path("none.safetensors")])
        #expect(missingNoise.status == 2 && missingNoise.stderr.contains("none.safetensors"), "\(missingNoise.stderr)")
        let noModel = try w.run([
            "sample", "--model", w.path("nope"), "--condition", "1", "-n", "1", "--out", w.path("o"),
        ])
        #expect(noModel.status == 2 && noModel.stderr.contains("nope: no such model directory"), "\(noModel.stderr)")
        let zero = try w.run(base + ["--condition", "1", "-n", "0"])
        #expect(zero.status == 64 && zero.stderr.contains("-n: expected at least 1"), "\(zero.stderr)")
        let sched = try w.run(base + ["--condition", "1", "-n", "1", "--scheduler", "euler"])
        #expect(sched.status == 64, "\(sched.stderr)")
        #expect(try w.images().isEmpty, "nothing stored after failures")
    }

    @Test func transferRecordsEachOutputWithItsSource() throws {
        let w = try Workspace()
        let t = try w.train(out: "model", steps: 2)
        #expect(t.status == 0, "\(t.stderr)")
        try FileManager.default.createDirectory(
            at: w.dir.appendingPathComponent("src"), withIntermediateDirectories: true)
        for i in 0..<2 {
            try TinyPNG.write(w.dir.appendingPathComponent("src/s\(i).png"), width: 8, height: 8) { x, y in
                (UInt8(10 * x), UInt8(10 * y), UInt8(100 + 50 * i))
            }
        }
        let args = [
            "transfer", "--model", w.path("model"), "--from", w.path("src"), "--to", "b", "--steps", "10",
            "--seed", "4", "--out", w.path("out"), "--json",
        ]
        let unstored = try w.run(args)
        #expect(unstored.status == 64 && unstored.stderr.contains("s0.png is not in the store"), "\(unstored.stderr)")
        #expect(unstored.stderr.contains("--origin"))
        let r = try w.run(args + ["--origin", "real"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("transfer to synthetic/b: 3/3"), "strength 0.3 of 10 steps: \(r.stderr)")
        let summary = try Self.object(r.stdout)
        let listed = try #require(summary["images"] as? [[String: Any]])
        #expect(listed.compactMap { $0["path"] as? String } == [w.path("out/b-4-0.png"), w.path("out/b-4-1.png")])
        let rows = try w.images()
        #expect(rows.count == 4)
        for (i, item) in listed.enumerated() {
            let id = try #require(item["image_id"] as? String)
            let row = try #require(rows[id])
            let parentID = try #require(row["parent_image_id"] as? String)
            let parent = try #require(rows[parentID])
            #expect(parent["origin"] as? String == "real" && parent["path"] as? String == w.path("src/s\(i).png"))
            #expect(row["origin"] as? String == "synthetic" && row["condition"] as? String == "synthetic/b")
            let params = try Self.object(try #require(row["sampler_parameters"] as? String))
            #expect(
                params["strength"] as? Double == 0.3 && params["eta"] as? Double == 1
                    && params["guidance"] as? Double == 5)
        }
        // Stored sources need no --origin the second time.
        let single = try w.run(
            [
                "transfer", "--model", w.path("model"), "--from", w.path("src/s1.png"), "--to", "synthetic/a",
                "--strength", "0.5", "--steps", "4", "--seed", "9", "--out", w.path("out"),
            ])
        #expect(single.status == 0 && single.stdout.contains("a-9-0.png"), "\(single.stderr)")
        #expect(try w.images().count == 5)
    }

    @Test func transferRejectsSourcesThatDoNotFitTheModel() throws {
        let w = try Workspace()
        let base = ["transfer", "--model", Self.bareModel, "--to", "1", "--origin", "real", "--out", w.path("out")]
        try TinyPNG.write(w.dir.appendingPathComponent("big.png"), width: 16, height: 8) { _, _ in (1, 2, 3) }
        let size = try w.run(base + ["--from", w.path("big.png")])
        #expect(size.status == 2 && size.stderr.contains("big.png: 16x8 image, the model takes 8x8"), "\(size.stderr)")
        let g = try Workspace(channels: 1)
        let trained = try g.train(out: "gray", steps: 1)
        #expect(trained.status == 0, "\(trained.stderr)")
        try TinyPNG.write(w.dir.appendingPathComponent("colour.png"), width: 8, height: 8) { x, _ in (UInt8(x), 0, 200)
        }
        let colour = try w.run(
            [
                "transfer", "--model", g.path("gray"), "--to", "a", "--origin", "real", "--from", w.path("colour.png"),
                "--out", w.path("out"),
            ])
        #expect(colour.status == 2, "\(colour.stderr)")
        #expect(
            colour.stderr.contains("colour.png: a colour image (3 channels), the model takes 1-channel"),
            "\(colour.stderr)")
        try TinyPNG.write(w.dir.appendingPathComponent("ok.png"), width: 8, height: 8) { _, _ in (9, 9, 9) }
        let unknown = try w.run(
            ["transfer", "--model", Self.bareModel, "--to", "nine", "--from", w.path("ok.png"), "--out", w.path("o")])
        #expect(unknown.status == 2 && unknown.stderr.contains("condition 'nine'"), "\(unknown.stderr)")
        let strength = try w.run(base + ["--from", w.path("ok.png"), "--strength", "1.5"])
        #expect(strength.status == 64 && strength.stderr.contains("--strength"), "\(strength.stderr)")
        let none = try w.run(base + ["--from", w.path("missing.png")])
        #expect(none.status == 2 && none.stderr.contains("missing.png: no such file or folder"), "\(none.stderr)")
        #expect(try w.images().isEmpty)
    }
}
