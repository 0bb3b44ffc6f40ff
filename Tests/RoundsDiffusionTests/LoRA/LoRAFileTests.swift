import Foundation
import RoundsCore
import RoundsTensor
import Testing

@testable import RoundsDiffusion

/// Adapters against diffusers + peft on the tiny `sd1` pipeline (`Tools/make_lora_fixtures.py`): the
/// same adapter in diffusers' format and in kohya-ss's gives diffusers' noise prediction, a new adapter
/// changes nothing, and what Rounds writes reads back bit for bit (and in diffusers, when Python has it).
@Suite(.serialized) struct LoRAFileTests {
    static let sd = Fixture.directory.appendingPathComponent("sd")
    static let lora = sd.appendingPathComponent("lora")

    static func pipeline() throws -> StableDiffusionPipeline {
        try StableDiffusionPipeline(directory: sd.appendingPathComponent("sd1").path)
    }

    static func inputs() throws -> (sample: Tensor, t: [Float], context: Tensor, expected: Tensor) {
        let f = try SafetensorsFile(contentsOfFile: lora.appendingPathComponent("lora_unet.safetensors").path)
        return (try f.tensor("sample"), try f.integers("timestep").map(Float.init), try f.tensor("encoder_hidden_states"),
                try f.tensor("noise_pred"))
    }

    static func predict(_ p: StableDiffusionPipeline) throws -> Tensor {
        let i = try inputs()
        return withoutGradients { p.unet(i.sample, timesteps: i.t, context: i.context) }
    }

    @Test func newAdapterLeavesTheOutputUnchangedBitForBit() throws {
        let p = try Self.pipeline()
        let base = try Self.predict(p)
        let set = try LoRASet.attach(LoRAConfig(rank: 4, alpha: 8, targets: LoRAConfig.attentionTargets + LoRAConfig.feedForwardTargets),
                                     to: p.unet, seed: 3)
        #expect(set.entries.count == 4 * (2 * 4 + 2), "4 transformer blocks: two attentions of 4 projections, 2 feed-forward layers")
        #expect(set.entries.allSatisfy { $0.adapter.down.value.scalars.contains { $0 != 0 } })
        let adapted = try Self.predict(p)
        #expect(adapted.scalars == base.scalars)
        set.detach()
        #expect(p.unet.namedModules().allSatisfy { ($0.module as? Linear)?.adapter == nil })
    }

    @Test(arguments: ["diffusers", "kohya.safetensors"])
    func loadsWhatDiffusersLoads(_ name: String) throws {
        let p = try Self.pipeline()
        let base = try Self.predict(p)
        let set = try LoRASet.load(Self.lora.appendingPathComponent(name).path, into: p)
        #expect(set.entries.count == 32)
        #expect(set.entries.allSatisfy { $0.adapter.rank == 4 && $0.adapter.alpha == 8 })
        let y = try Self.predict(p)
        let expected = try Self.inputs().expected
        expectClose(y.scalars, expected.scalars, rtol: 2e-5, "\(name) noise_pred with LoRA")
        // The adapter matters: the base is far from the adapted prediction.
        #expect(zip(base.scalars, expected.scalars).map { abs($0 - $1) }.max()! > 0.1)
        set.isEnabled = false
        #expect(try Self.predict(p).scalars == base.scalars)
    }

    @Test func savedAdapterReadsBackBitForBitAndInDiffusers() throws {
        let p = try Self.pipeline()
        let set = try LoRASet.load(Self.lora.appendingPathComponent("diffusers").path, into: p)
        let y = try Self.predict(p)
        let dir = try UNetFixture.temporaryDirectory()
        try set.save(to: dir.appendingPathComponent(LoRASet.fileName).path)
        let q = try Self.pipeline()
        let back = try LoRASet.load(dir.path, into: q)
        #expect(values(back) == values(set))
        #expect(try Self.predict(q).scalars == y.scalars)

        guard let python = UNetFixture.python else {
            print("skipped: python3 with torch, diffusers and peft is not available (diffusers half of the check)")
            return
        }
        let out = dir.appendingPathComponent("pred.safetensors").path
        let tool = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Tools/lora_noise_pred.py").path
        let r = try runProcess(python, [tool, "--pipeline", Self.sd.appendingPathComponent("sd1").path, "--lora", dir.path,
                                        "--inputs", Self.lora.appendingPathComponent("lora_unet.safetensors").path, "--out", out])
        if r.status == 3 { print("skipped: \(r.stdout)"); return }
        try #require(r.status == 0, "lora_noise_pred.py failed: \(r.stderr)")
        let line = try #require(r.stdout.split(separator: "\n").last.map(String.init))
        let info = try JSONValue(parsing: line)
        #expect(info["adapter_alpha"]?.doubleValue == 8 && info["adapter_rank"]?.doubleValue == 4, "diffusers read \(line)")
        let theirs = try SafetensorsFile(contentsOfFile: out).tensor("noise_pred")
        expectClose(theirs.scalars, y.scalars, rtol: 2e-5, "diffusers on Rounds' adapter")
    }

    @Test func badFilesAreRefusedWithTheirProblemsAndNothingAttached() throws {
        let p = try Self.pipeline()
        let good = try SafetensorsFile(contentsOfFile: Self.lora.appendingPathComponent("diffusers/\(LoRASet.fileName)").path)
        var tensors: [String: Tensor] = [:]
        for n in good.names { tensors[n] = try good.tensor(n) }
        let q = "unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q"
        let dir = try UNetFixture.temporaryDirectory()
        func refused(_ edit: (inout [String: Tensor]) -> Void, metadata: [String: String] = [:], _ expected: String) throws {
            var t = tensors
            edit(&t)
            let path = dir.appendingPathComponent("bad.safetensors").path
            try Safetensors.write(t, metadata: metadata, to: path)
            do {
                _ = try LoRASet.load(path, into: p)
                Issue.record("accepted a file that should fail with '\(expected)'")
            } catch {
                #expect(error.message.contains(path) && error.message.contains(expected), "\(error.message)")
            }
            #expect(p.unet.namedModules().allSatisfy { ($0.module as? Linear)?.adapter == nil }, "an adapter was attached")
        }
        try refused({ $0[q + ".lora.up.weight"] = nil }, "has a down weight without its up")
        try refused({ $0[q + ".lora.down.weight"] = Tensor.zeros([4, 9]) }, "do not fit a 8->8 layer")
        try refused({ $0["unet.down_blocks.7.attentions.0.proj.lora.down.weight"] = Tensor.zeros([4, 8]) }, "names no adaptable layer")
        try refused({ $0[q + ".lora.down.weight"] = Tensor(shape: [4, 8], scalars: [Float.nan] + Array(repeating: 0, count: 31)) }, "holds nan")
        try refused({ $0["lora_unet_mid_block_attentions_0_proj_in.hada_w1_a"] = Tensor.zeros([4, 8]) }, "'hada_' adapters are not supported")
        try refused({ $0["something_else"] = Tensor.zeros([1]) }, "not a LoRA tensor name")
        try refused({ $0 = [:]; $0["unrelated.weight"] = Tensor.zeros([1]) }, "not a LoRA tensor name")
        try refused({ _ = $0 }, metadata: ["lora_adapter_metadata": "{not json"], "not valid JSON")
        do {
            _ = try LoRASet.load(dir.appendingPathComponent("missing").path, into: p)
            Issue.record("accepted a missing path")
        } catch { #expect(error.message.contains("no such adapter file or folder")) }
        #expect(throws: DiffusionError.self) { try LoRASet.attach(LoRAConfig(rank: 4, alpha: 4, targets: ["to_x"]), to: p.unet) }
        #expect(throws: DiffusionError.self) { try LoRASet.attach(LoRAConfig(rank: 0, alpha: 4), to: p.unet) }
        #expect(p.unet.namedModules().allSatisfy { ($0.module as? Linear)?.adapter == nil })
    }
}

/// Runs `executable` (through /usr/bin/env) and returns its exit status and output.
func runProcess(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = [executable] + arguments
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}
