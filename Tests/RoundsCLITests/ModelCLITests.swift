import Foundation
import Testing

/// Writes safetensors files by hand (this target links only the CLI), in any dtype the format allows.
enum SafetensorsWriter {
    enum Values: Sendable { case f32([Float]), i64([Int64]), i32([Int32]), f64([Double]) }

    static func encode(_ tensors: [(String, [Int], Values)]) -> Data {
        var header: [String] = [], body = Data()
        for (name, shape, values) in tensors {
            let start = body.count
            let dtype: String
            switch values {
            case .f32(let v): dtype = "F32"; v.withUnsafeBytes { body.append(contentsOf: $0) }
            case .i64(let v): dtype = "I64"; v.withUnsafeBytes { body.append(contentsOf: $0) }
            case .i32(let v): dtype = "I32"; v.withUnsafeBytes { body.append(contentsOf: $0) }
            case .f64(let v): dtype = "F64"; v.withUnsafeBytes { body.append(contentsOf: $0) }
            }
            let dims = shape.map(String.init).joined(separator: ",")
            header.append(
                "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":[\(dims)],\"data_offsets\":[\(start),\(body.count)]}")
        }
        var json = Array(("{" + header.joined(separator: ",") + "}").utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        var n = UInt64(json.count).littleEndian
        var out = Data(bytes: &n, count: 8)
        out.append(contentsOf: json)
        out.append(body)
        return out
    }
}

@Suite struct ModelCLITests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("RoundsDiffusionTests/Fixtures/unet")
    static let model = fixture.appendingPathComponent("model").path

    /// Reads F32 `noise_pred` back (header parsed with JSONSerialization).
    func readNoisePred(_ url: URL) throws -> (shape: [Int], values: [Float]) {
        let data = try Data(contentsOf: url)
        let n = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let header = try #require(
            try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as? [String: Any])
        let entry = try #require(header["noise_pred"] as? [String: Any])
        #expect(entry["dtype"] as? String == "F32")
        let offsets = try #require(entry["data_offsets"] as? [Int])
        let raw = data.subdata(in: (8 + n + offsets[0])..<(8 + n + offsets[1]))
        let values = raw.withUnsafeBytes { p in
            (0..<(raw.count / 4)).map { p.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
        }
        return (try #require(entry["shape"] as? [Int]), values)
    }

    @Test func predictReproducesDiffusersOutput() throws {
        let dir = try CLIRunner.temporaryDirectory()
        let out = dir.appendingPathComponent("pred.safetensors")
        let input = Self.fixture.appendingPathComponent("io.safetensors")
        let r = try CLIRunner.run(["model", "predict", "--model", Self.model, "--input", input.path, "--out", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("wrote noise_pred [2, 3, 8, 8]"))
        let (shape, ours) = try readNoisePred(out)
        let (_, theirs) = try readNoisePred(input)
        #expect(shape == [2, 3, 8, 8])
        let diff = zip(ours, theirs).map { abs($0 - $1) }.max() ?? 1
        #expect(diff < 1e-4)
    }

    struct BadInput: Sendable, CustomTestStringConvertible {
        typealias T = (String, [Int], SafetensorsWriter.Values)
        let name: String, tensors: [T], message: String
        var testDescription: String { name }
        static func zeros(_ n: Int) -> SafetensorsWriter.Values { .f32([Float](repeating: 0, count: n)) }
        static let all: [BadInput] = [
            BadInput(name: "missing", tensors: [("timestep", [2], .i64([1, 2]))], message: "no tensor 'sample'"),
            BadInput(
                name: "f64 sample",
                tensors: [
                    ("sample", [2, 3, 8, 8], .f64([Double](repeating: 0, count: 384))),
                    ("timestep", [2], .i64([1, 2])),
                ],
                message: "tensor 'sample': dtype F64 not supported"),
            BadInput(
                name: "i32 sample",
                tensors: [
                    ("sample", [1, 3, 8, 8], .i32([Int32](repeating: 0, count: 192))),
                    ("timestep", [1], .i64([1])),
                ],
                message: "tensor 'sample': expected dtype F32, got I32"),
            BadInput(
                name: "rank", tensors: [("sample", [3, 8, 8], zeros(192)), ("timestep", [1], .i64([1]))],
                message: "tensor 'sample': expected shape [N, C, H, W], got [3, 8, 8]"),
            BadInput(
                name: "channels",
                tensors: [
                    ("sample", [1, 1, 8, 8], zeros(64)), ("timestep", [1], .i64([1])),
                    ("class_labels", [1], .i64([0])),
                ],
                message: "sample: expected shape [N, 3, H, W], got [1, 1, 8, 8]"),
            BadInput(
                name: "size",
                tensors: [
                    ("sample", [1, 3, 7, 8], zeros(168)), ("timestep", [1], .i64([1])),
                    ("class_labels", [1], .i64([0])),
                ],
                message: "height and width must be positive multiples of 2"),
            BadInput(
                name: "timesteps",
                tensors: [
                    ("sample", [2, 3, 8, 8], zeros(384)), ("timestep", [3], .i64([1, 2, 3])),
                    ("class_labels", [2], .i64([0, 1])),
                ],
                message: "tensor 'timestep': expected shape [2], got [3]"),
            BadInput(
                name: "float labels",
                tensors: [
                    ("sample", [1, 3, 8, 8], zeros(192)), ("timestep", [1], .f32([1])),
                    ("class_labels", [1], .f32([0])),
                ],
                message: "tensor 'class_labels': expected dtype I64 or I32, got F32"),
            BadInput(
                name: "label range",
                tensors: [
                    ("sample", [1, 3, 8, 8], zeros(192)), ("timestep", [1], .f32([1])),
                    ("class_labels", [1], .i32([5])),
                ],
                message: "class_labels[0]: 5 is outside 0..<5"),
            BadInput(
                name: "no labels", tensors: [("sample", [1, 3, 8, 8], zeros(192)), ("timestep", [1], .f32([1]))],
                message: "class_labels: the model is class-conditional"),
        ]
    }

    @Test(arguments: BadInput.all)
    func predictRefusesBadInputs(_ bad: BadInput) throws {
        let (name, tensors, message) = (bad.name, bad.tensors, bad.message)
        let dir = try CLIRunner.temporaryDirectory()
        let input = dir.appendingPathComponent("in.safetensors")
        try SafetensorsWriter.encode(tensors).write(to: input)
        let out = dir.appendingPathComponent("out.safetensors")
        let r = try CLIRunner.run(["model", "predict", "--model", Self.model, "--input", input.path, "--out", out.path])
        #expect(r.status == 2, "\(name)")
        #expect(r.stderr.contains(message), "\(name): \(r.stderr)")
        #expect(r.stderr.contains(input.path) || message.hasPrefix("class_labels"), "\(name): \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    /// The issue's input: `[1, 3, 4000, 4000]` is a valid shape for the fixture (any multiple of 2), but
    /// its attention level alone would ask for tens of terabytes; it is refused before the forward pass
    /// with what it needs and what the machine has, instead of a crash in the allocator.
    @Test func predictRefusesASampleTooBigForMemory() throws {
        let dir = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("big.safetensors")
        try SafetensorsWriter.encode([
            ("sample", [1, 3, 4000, 4000], BadInput.zeros(3 * 4000 * 4000)), ("timestep", [1], .i64([10])),
            ("class_labels", [1], .i64([0])),
        ]).write(to: input)
        let out = dir.appendingPathComponent("out.safetensors")
        let r = try CLIRunner.run(["model", "predict", "--model", Self.model, "--input", input.path, "--out", out.path])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("\(input.path): tensor 'sample' [1, 3, 4000, 4000] needs at least"), "\(r.stderr)")
        #expect(r.stderr.contains("GB of memory for one forward pass; this machine has"), "\(r.stderr)")
        #expect(!r.stderr.contains("Fatal error") && !FileManager.default.fileExists(atPath: out.path))
    }

    @Test func predictNamesBadFilesAndMissingOptions() throws {
        let dir = try CLIRunner.temporaryDirectory()
        let garbage = dir.appendingPathComponent("garbage.safetensors")
        try Data("not a safetensors file".utf8).write(to: garbage)
        let r1 = try CLIRunner.run([
            "model", "predict", "--model", Self.model, "--input", garbage.path, "--out",
            dir.appendingPathComponent("o").path,
        ])
        #expect(r1.status == 2 && r1.stderr.contains(garbage.path))
        let r2 = try CLIRunner.run(["model", "predict", "--model", dir.path, "--input", garbage.path, "--out", "o"])
        #expect(r2.status == 2 && r2.stderr.contains("not a model directory"))
        let r3 = try CLIRunner.run(["model", "predict", "--model", Self.model])
        #expect(r3.status == 64 && r3.stderr.contains("--input"))
    }

    @Test func infoPrintsSummaryAndJSON() throws {
        let text = try CLIRunner.run(["model", "info", Self.model])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("layout: bare-unet"))
        #expect(text.stdout.contains("conditions (4):"))
        #expect(text.stdout.contains("4: (null class, guidance)"))
        let r = try CLIRunner.run(["model", "info", Self.model, "--json"])
        #expect(r.status == 0)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(doc["layout"] as? String == "bare-unet")
        #expect(doc["conditions"] as? [String] == ["0", "1", "2", "3"])
        #expect(doc["null_class_index"] as? Int == 4)
        #expect(doc["scheduler"] as? String == "DDPMScheduler")
        #expect((doc["parameters"] as? Int ?? 0) > 100_000)
        let unet = try #require(doc["unet"] as? [String: Any])
        #expect(unet["block_out_channels"] as? [Int] == [16, 32])
        let missing = try CLIRunner.run(["model", "info", "/nonexistent/model"])
        #expect(missing.status == 2 && missing.stderr.contains("/nonexistent/model: no such model directory"))
    }

    @Test func infoReadsARoundsModelDirectoryWithLineage() throws {
        let dir = try CLIRunner.temporaryDirectory().appendingPathComponent("m")
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("unet"), withIntermediateDirectories: true)
        for f in ["config.json", "diffusion_pytorch_model.safetensors"] {
            try fm.copyItem(atPath: Self.model + "/" + f, toPath: dir.appendingPathComponent("unet/" + f).path)
        }
        let manifest = """
            {"format": "rounds-model/1", "conditions": ["chest/effusion", "chest/nodule", "skin/melanoma", "skin/nevus"],
             "null_class_index": 4, "image_size": 8, "channels": 3, "ema": true,
             "lineage": {"parent": "runs/base", "objective": "dpo", "signal": "prefs.parquet", "hyperparameters": {"beta": 2500}}}
            """
        try Data(manifest.utf8).write(to: dir.appendingPathComponent("rounds.json"))
        let noScheduler = try CLIRunner.run(["model", "info", dir.path])
        #expect(
            noScheduler.status == 2 && noScheduler.stderr.contains("scheduler/scheduler_config.json"),
            "\(noScheduler.stderr)")
        try fm.createDirectory(at: dir.appendingPathComponent("scheduler"), withIntermediateDirectories: true)
        try Data(#"{"_class_name": "DDPMScheduler", "beta_schedule": "squaredcos_cap_v2"}"#.utf8)
            .write(to: dir.appendingPathComponent("scheduler/scheduler_config.json"))
        let r = try CLIRunner.run(["model", "info", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        for line in [
            "layout: rounds", "weights: EMA", "  3: skin/nevus", "  4: (null class, guidance)",
            "lineage: parent runs/base, objective dpo, signal prefs.parquet", "  beta: 2500",
            "scheduler: DDPMScheduler",
        ] {
            #expect(r.stdout.contains(line), "missing '\(line)' in \(r.stdout)")
        }
        let j = try CLIRunner.run(["model", "info", dir.path, "--json"])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        let lineage = try #require(doc["lineage"] as? [String: Any])
        #expect(lineage["objective"] as? String == "dpo" && doc["ema"] as? Bool == true)
        // a manifest that disagrees with the UNet is an error naming rounds.json and the key
        try Data(manifest.replacingOccurrences(of: "\"channels\": 3", with: "\"channels\": 1").utf8)
            .write(to: dir.appendingPathComponent("rounds.json"))
        let bad = try CLIRunner.run(["model", "info", dir.path])
        #expect(bad.status == 2 && bad.stderr.contains("rounds.json: channels: 1, but the UNet's in_channels is 3"))
    }

    @Test func helpListsTheSubcommandsAndOptions() throws {
        let r = try CLIRunner.run(["model", "--help"])
        #expect(r.status == 0 && r.stdout.contains("predict") && r.stdout.contains("info"))
        let p = try CLIRunner.run(["model", "predict", "--help"])
        for option in ["--model", "--input", "--out", "class_labels I64 or I32 [N]"] {
            #expect(p.stdout.contains(option), "\(option)")
        }
    }
}
