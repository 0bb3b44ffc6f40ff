import Foundation
import Testing
@testable import RoundsTensor

@Suite struct TrainingTests {
    /// One training step of TinyNet on noise targets, consuming the RNG (data, timesteps, dropout).
    static func trainStep(_ net: TinyNet, _ opt: AdamW, _ ema: EMA, _ rng: inout PCG32, step: Int,
                          schedule: WarmupCosineSchedule) -> Float {
        let x = Tensor.randomNormal([2, 3, 4, 4], using: &rng)
        let target = Tensor.randomNormal([2, 4, 4, 4], using: &rng)
        let t = (0..<2).map { _ in Float(rng.nextUInt32() % 1000) }
        opt.learningRate = schedule.learningRate(at: step)
        opt.zeroGrad()
        let y = net(x, t: t).dropout(0.1, training: true, using: &rng)
        let loss = Tensor.mseLoss(y, target)
        loss.backward()
        clipGradientNorm(opt.parameters, maxNorm: 0.5)
        opt.step()
        ema.update(from: opt.parameters)
        return loss.scalar
    }

    static func bits(_ net: any Module) -> [[UInt32]] { net.namedParameters().map { $0.parameter.value.scalars.map(\.bitPattern) } }

    @Test func resumeAfterStopEqualsUninterruptedRun() throws {
        let schedule = WarmupCosineSchedule(baseLearningRate: 1e-2, warmupSteps: 2, totalSteps: 8)
        func fresh() -> (TinyNet, AdamW, EMA) {
            var init_ = PCG32(seed: 11)
            let net = TinyNet(rng: &init_)
            let opt = AdamW(parameters: net.namedParameters(), weightDecay: 0.05)
            return (net, opt, EMA(parameters: net.namedParameters(), maxDecay: 0.99))
        }
        // uninterrupted: 6 steps
        let (n1, o1, e1) = fresh()
        var r1 = PCG32(seed: 99)
        var losses1: [Float] = []
        for s in 0..<6 { losses1.append(Self.trainStep(n1, o1, e1, &r1, step: s, schedule: schedule)) }

        // interrupted: 3 steps, save, restore into new objects, 3 more
        let (n2, o2, e2) = fresh()
        var r2 = PCG32(seed: 99)
        for s in 0..<3 { _ = Self.trainStep(n2, o2, e2, &r2, step: s, schedule: schedule) }
        let path = NSTemporaryDirectory() + "rounds-state-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try TrainingState(step: 3, rng: r2, extra: ["config": "tiny"]).save(to: path, model: n2, optimizer: o2, ema: e2)

        var other = PCG32(seed: 12345)
        let n3 = TinyNet(rng: &other)  // different initial weights: all must come from the file
        let o3 = AdamW(parameters: n3.namedParameters())
        let e3 = EMA(parameters: n3.namedParameters(), maxDecay: 0.99)
        let state = try TrainingState.restore(from: path, model: n3, optimizer: o3, ema: e3)
        #expect(state.step == 3)
        #expect(state.extra == ["config": "tiny"])
        #expect(o3.weightDecay == 0.05)
        var r3 = state.rng
        var losses3: [Float] = []
        for s in state.step..<6 { losses3.append(Self.trainStep(n3, o3, e3, &r3, step: s, schedule: schedule)) }

        #expect(Self.bits(n3) == Self.bits(n1), "weights differ after resume")
        #expect(losses3.map(\.bitPattern) == losses1[3...].map(\.bitPattern))
        #expect(o3.state == o1.state, "optimizer moments differ")
        #expect(e3.shadow.mapValues { $0.map(\.bitPattern) } == e1.shadow.mapValues { $0.map(\.bitPattern) })
        #expect(r3 == r1)
        #expect(losses1.last! < losses1.first! * 1.5)  // it trains without blowing up
    }

    @Test func restoreRejectsFilesThatDoNotFit() throws {
        var rng = PCG32(seed: 5)
        let net = TinyNet(rng: &rng)
        let opt = AdamW(parameters: net.namedParameters())
        let path = NSTemporaryDirectory() + "rounds-state-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        // plain weights are not a training state
        try net.saveSafetensors(to: path)
        let e1 = #expect(throws: TensorError.self) { _ = try TrainingState.restore(from: path, model: net, optimizer: opt) }
        #expect(e1?.description.contains("not a training state") == true)
        // saved without EMA, restored with one
        try TrainingState(step: 0, rng: rng).save(to: path, model: net, optimizer: opt)
        let ema = EMA(parameters: net.namedParameters())
        let e2 = #expect(throws: TensorError.self) { _ = try TrainingState.restore(from: path, model: net, optimizer: opt, ema: ema) }
        #expect(e2?.description.contains("no EMA weights for 'conv_in.weight'") == true)
        // a different model
        let small = Linear(2, 2, rng: &rng)
        let e3 = #expect(throws: TensorError.self) {
            _ = try TrainingState.restore(from: path, model: small, optimizer: AdamW(parameters: small.namedParameters()))
        }
        #expect(e3?.description.contains("missing keys (2): weight, bias") == true)
    }

    @Test func gradientClippingUsesTheGlobalNorm() {
        let a = Parameter(.zeros([2])), b = Parameter(.zeros([1]))
        a.grad = Tensor(shape: [2], scalars: [3, 0])
        b.grad = Tensor(shape: [1], scalars: [4])
        let norm = clipGradientNorm([("a", a), ("b", b)], maxNorm: 1)
        #expect(norm == 5)
        #expect(abs(a.grad!.scalars[0] - 0.6) < 1e-6 && abs(b.grad!.scalars[0] - 0.8) < 1e-6)
        let n2 = clipGradientNorm([("a", a), ("b", b)], maxNorm: 10)
        #expect(abs(n2 - 1) < 1e-5 && abs(b.grad!.scalars[0] - 0.8) < 1e-6, "no scaling below the limit")
    }

    @Test func warmupCosineSchedule() {
        let s = WarmupCosineSchedule(baseLearningRate: 1, warmupSteps: 4, totalSteps: 14)
        #expect(s.learningRate(at: 0) == 0)
        #expect(s.learningRate(at: 2) == 0.5)
        #expect(s.learningRate(at: 4) == 1)
        #expect(abs(s.learningRate(at: 9) - 0.5) < 1e-6)
        #expect(s.learningRate(at: 14) < 1e-6)
    }

    @Test func emaDecayFollowsDiffusers() {
        let p = Parameter(Tensor(shape: [1], scalars: [0]))
        let ema = EMA(parameters: [("p", p)], maxDecay: 0.9999)
        #expect(ema.decay(at: 1) == 0)
        #expect(ema.decay(at: 2) == Float(2) / 11)
        p.value = Tensor(shape: [1], scalars: [1])
        ema.update(from: [("p", p)])  // step 1: decay 0 -> shadow jumps to the weights
        #expect(ema.shadow["p"] == [1])
        let warm = EMA(parameters: [], useWarmup: true, invGamma: 1, power: 0.75)
        #expect(abs(warm.decay(at: 11) - (1 - powf(11, -0.75))) < 1e-6)
    }

    /// Finetuning's EMA: the first step keeps 0.99 of the starting weights instead of jumping to the raw ones.
    @Test func constantDecayStartsAtTheInitialWeights() {
        let p = Parameter(Tensor(shape: [1], scalars: [0]))
        let ema = EMA(parameters: [("p", p)], maxDecay: 0.99, constantDecay: true)
        #expect(ema.decay(at: 1) == 0.99 && ema.decay(at: 500) == 0.99)
        p.value = Tensor(shape: [1], scalars: [1])
        ema.update(from: [("p", p)])
        #expect(abs(ema.shadow["p"]![0] - 0.01) < 1e-7)
        ema.update(from: [("p", p)])
        #expect(abs(ema.shadow["p"]![0] - (1 - 0.99 * 0.99)) < 1e-6)
    }

    @Test func pcg32MatchesTheReferenceSequence() {
        // pcg32-demo: pcg32_srandom_r(&rng, 42u, 54u) prints these first outputs.
        var rng = PCG32(seed: 42, stream: 54)
        #expect((0..<6).map { _ in rng.nextUInt32() } == [0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e])
        var a = PCG32(seed: 7), b = PCG32(seed: 7)
        #expect(a.normals(5) == b.normals(5))
        let n = a.normals(20000)
        let mean = n.reduce(0, +) / Float(n.count), v = n.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(n.count)
        #expect(abs(mean) < 0.03 && abs(v - 1) < 0.05)
    }
}
