import Foundation
import RoundsCore
import RoundsTensor
import Testing

@testable import RoundsDiffusion

/// LoRA training on latents with the tiny `sd1` pipeline: only adapters move, gradients through the
/// SD blocks match central differences, a DPO step is the published formula, resume is bit for bit.
@Suite(.serialized) struct LatentTrainerTests {
    static let prompts = ["a photo of vitiligo", "a photo of psoriasis"]

    /// Latents `[4, 8, 8]` per example, seeded.
    static func examples(_ n: Int, seed: UInt64) -> [LatentExample] {
        var rng = PCG32(seed: seed)
        return (0..<n).map { i in LatentExample(latents: rng.normals(4 * 8 * 8), prompt: i % 2, weight: Float(i + 1) / Float(n)) }
    }

    static func trainer(_ p: StableDiffusionPipeline, seed: UInt64 = 5, adapter: String? = nil) throws -> LatentTrainer {
        let set = try adapter.map { try LoRASet.load($0, into: p) }
            ?? LoRASet.attach(LoRAConfig(rank: 4, alpha: 4), to: p.unet, seed: 1)
        var o = LatentTrainingOptions()
        o.seed = seed
        o.learningRate = 1e-2
        return try LatentTrainer(pipeline: p, lora: set, prompts: prompts, options: o)
    }

    @Test func onlyTheAdaptersMove() throws {
        let p = try LoRAFileTests.pipeline()
        let before = values(p.unet), textBefore = values(p.textEncoder)
        let t = try Self.trainer(p)
        let adaptersBefore = values(t.lora)
        for _ in 0..<2 { _ = try t.rftStep(Self.examples(4, seed: 9)) }
        #expect(values(p.unet) == before)
        #expect(values(p.textEncoder) == textBefore)
        let after = values(t.lora)
        #expect(after.keys.allSatisfy { after[$0]! != adaptersBefore[$0]! }, "every down and up weight moved")
        #expect(p.unet.namedParameters().allSatisfy { $0.parameter.grad == nil }, "no gradient reached the frozen base")
    }

    /// ∂L/∂(adapter weight) against central differences through the whole UNet: cross-attention, layer
    /// norms, GEGLU, group norms and the resnets all lie between the adapters and the loss.
    @Test func adapterGradientsMatchCentralDifferences() throws {
        let p = try LoRAFileTests.pipeline()
        let set = try LoRASet.load(LoRAFileTests.lora.appendingPathComponent("diffusers").path, into: p)
        p.unet.setFrozen(true)
        let i = try LoRAFileTests.inputs()
        var rng = PCG32(seed: 4)
        let r = Tensor.randomNormal(i.expected.shape, using: &rng)
        func loss() -> Double {
            let y = withoutGradients { p.unet(i.sample, timesteps: i.t, context: i.context) }
            return zip(y.scalars, r.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        p.unet(i.sample, timesteps: i.t, context: i.context).backward(seed: r)
        let probes = [set.entries.first!, set.entries[set.entries.count / 2], set.entries.last!]
        for e in probes {
            for param in [e.adapter.down, e.adapter.up] {
                let g = try #require(param.grad).scalars
                for k in [0, param.value.count / 2, param.value.count - 1] {
                    let eps: Float = 1e-2
                    var v = param.value.scalars
                    let x = v[k]
                    v[k] = x + eps; param.value = Tensor(shape: param.shape, scalars: v)
                    let plus = loss()
                    v[k] = x - eps; param.value = Tensor(shape: param.shape, scalars: v)
                    let minus = loss()
                    v[k] = x; param.value = Tensor(shape: param.shape, scalars: v)
                    let numeric = (plus - minus) / Double(2 * eps)
                    #expect(abs(numeric - Double(g[k])) <= 2e-3 + 2e-2 * abs(numeric), "\(e.path) element \(k): analytic \(g[k]), numeric \(numeric)")
                }
            }
        }
    }

    @Test func dpoStepIsTheFormulaByHand() throws {
        let p = try LoRAFileTests.pipeline()
        let t = try Self.trainer(p, adapter: LoRAFileTests.lora.appendingPathComponent("diffusers").path)
        let w = Self.examples(2, seed: 1), l = Self.examples(2, seed: 2)
        let dpo = DPOOptions(beta: 500, maxTimestep: 600)
        var rng = t.rng
        let ts = (0..<2).map { _ in Int(rng.next() % 600) }
        let eps = rng.normals(2 * 256)
        let z0 = (w + l).flatMap(\.latents), prompts = (w + l).map(\.prompt)
        let ref = try t.errors(z0, shape: [4, 4, 8, 8], prompts: prompts, noise: eps + eps, timesteps: ts + ts, reference: true).scalars
        let pol = try withoutGradients { try t.errors(z0, shape: [4, 4, 8, 8], prompts: prompts, noise: eps + eps, timesteps: ts + ts) }.scalars
        #expect(pol != ref, "the loaded adapter changes the errors")
        var inside: [Double] = []
        for i in 0..<2 {
            let policyDiff = Double(pol[i]) - Double(pol[2 + i]), referenceDiff = Double(ref[i]) - Double(ref[2 + i])
            inside.append(-Double(dpo.beta) / 2 * (policyDiff - referenceDiff))
        }
        var expected = 0.0
        for x in inside { expected += log(1 + exp(-x)) / 2 }
        let r = try t.dpoStep(winners: w, losers: l, options: dpo)
        #expect(r.timesteps == ts)
        #expect(abs(Double(r.loss) - expected) <= 1e-4 * max(1, expected), "loss \(r.loss), by hand \(expected)")
        #expect(r.implicitAccuracy == Float(inside.filter { $0 > 0 }.count) / 2)
    }

    @Test func aFreshAdapterStartsDPOAtLogTwo() throws {
        let p = try LoRAFileTests.pipeline()
        let t = try Self.trainer(p)
        let r = try t.dpoStep(winners: Self.examples(2, seed: 1), losers: Self.examples(2, seed: 2), options: DPOOptions(beta: 1000))
        #expect(abs(r.loss - Float(log(2.0))) < 1e-6, "policy = reference at B = 0: inside 0, loss log 2; got \(r.loss)")
    }

    @Test func resumeIsBitExact() throws {
        let batches = (0..<4).map { Self.examples(3, seed: UInt64(20 + $0)) }
        let straight = try Self.trainer(try LoRAFileTests.pipeline())
        for b in batches { _ = try straight.rftStep(b) }

        let first = try Self.trainer(try LoRAFileTests.pipeline())
        for b in batches.prefix(2) { _ = try first.rftStep(b) }
        let path = try UNetFixture.temporaryDirectory().appendingPathComponent("state.safetensors").path
        try first.saveState(to: path, extra: ["k": "v"])
        let resumed = try Self.trainer(try LoRAFileTests.pipeline())
        #expect(try resumed.restoreState(from: path) == ["k": "v"])
        #expect(resumed.step == 2)
        for b in batches.suffix(2) { _ = try resumed.rftStep(b) }
        #expect(values(resumed.lora) == values(straight.lora))
        #expect(resumed.rng.state == straight.rng.state)

        let other = try LoRAFileTests.pipeline()
        let wrongShape = try LatentTrainer(pipeline: other, lora: LoRASet.attach(LoRAConfig(rank: 2, alpha: 2), to: other.unet),
                                           prompts: Self.prompts, options: LatentTrainingOptions())
        #expect(throws: DiffusionError.self) { try wrongShape.restoreState(from: path) }
        #expect(wrongShape.step == 0)
    }

    @Test func latentsAreEncodedOncePerImage() throws {
        let p = try LoRAFileTests.pipeline()
        let cache = LatentCache(vae: p.vae, vaeKey: "sd1")
        var rng = PCG32(seed: 2)
        let pixels = (0..<(3 * 16 * 16)).map { _ in rng.nextUniform() * 2 - 1 }
        let a = try cache.latents(id: "img", pixels: pixels, size: 16)
        let b = try cache.latents(id: "img", pixels: pixels, size: 16)
        #expect(a == b && a.count == 4 * 8 * 8 && cache.encoded == 1 && cache.hits == 1)
        #expect(throws: DiffusionError.self) { try cache.latents(id: "other", pixels: pixels, size: 15) }
    }

    @Test func badBatchesAreRefused() throws {
        let t = try Self.trainer(try LoRAFileTests.pipeline())
        #expect(throws: DiffusionError.self) { try t.rftStep([]) }
        #expect(throws: DiffusionError.self) { try t.rftStep([LatentExample(latents: [0, 1, 2], prompt: 0)]) }
        #expect(throws: DiffusionError.self) { try t.rftStep([LatentExample(latents: Array(repeating: 0, count: 256), prompt: 5)]) }
        #expect(throws: DiffusionError.self) { try t.rftStep([LatentExample(latents: Array(repeating: 0, count: 256), prompt: 0, weight: -1)]) }
        #expect(throws: DiffusionError.self) { try t.dpoStep(winners: Self.examples(2, seed: 1), losers: Self.examples(1, seed: 1), options: DPOOptions()) }
        #expect(t.step == 0)
    }
}

/// Every parameter's values by name (tensors are not `Equatable`; their values are).
func values(_ module: any Module) -> [String: [Float]] { module.stateDict().mapValues(\.scalars) }
