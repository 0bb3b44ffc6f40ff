import Foundation

// A UNet shaped like diffusers' `UNet2DModel` (resnet blocks with a time embedding, down/up sampling
// with skip concatenation, self-attention at the lowest resolution and in the middle), built only to
// time a training step. The real, checkpoint-compatible UNet belongs to RoundsDiffusion; parameter
// names here follow diffusers anyway.

/// Configuration of the benchmark UNet and its training step.
public struct UNetStepConfig: Sendable, Codable, Hashable, CustomStringConvertible {
    public var imageSize: Int
    public var batch: Int
    public var channels: [Int]
    public var layersPerBlock: Int
    public var attentionHeadDim: Int
    public var groups: Int

    public init(imageSize: Int, batch: Int, channels: [Int] = [64, 128, 128], layersPerBlock: Int = 2,
                attentionHeadDim: Int = 8, groups: Int = 32) {
        self.imageSize = imageSize; self.batch = batch; self.channels = channels
        self.layersPerBlock = layersPerBlock; self.attentionHeadDim = attentionHeadDim; self.groups = groups
    }

    public static let defaults = [UNetStepConfig(imageSize: 32, batch: 8), UNetStepConfig(imageSize: 64, batch: 4)]

    public var description: String {
        "\(imageSize)x\(imageSize), batch \(batch), channels \(channels), \(layersPerBlock) resnet(s) per block, head dim \(attentionHeadDim)"
    }
}

public struct UNetStepResult: Sendable, Codable, Hashable {
    public var config: UNetStepConfig
    public var parameters: Int
    /// Best wall-clock time of one step.
    public var secondsPerStep: Double
    public var imagesPerSecond: Double
    /// Process CPU time per step (all threads), mean over the timed steps: on a busy machine
    /// `cpuSecondsPerStep / threads` estimates the step time the machine would give when idle.
    public var cpuSecondsPerStep: Double
    /// Floating-point operations of one step, the usual training count: 3x the forward pass's matrix
    /// products, convolutions and attention (the backward pass computes two products for each
    /// forward one), counted on the warm-up step. The same architecture, so the same count, for the peer.
    public var flopsPerStep: Double
    /// The step's rate over the machine's sgemm peak (`EngineBenchmark.Report.sgemmPeakGflops`), and
    /// the peer's: how close each comes to what the BLAS could do.
    public var fractionOfPeak: Double?
    public var peerFractionOfPeak: Double?
    /// Where one step's time goes, op by op (with `UNetStepBenchmark.profileSteps` > 0), averaged
    /// over profiled steps run after the timed ones.
    public var profile: OpProfile?
    /// The PyTorch peer's images/s on the same configuration in the same run, and ours over it.
    public var peerImagesPerSecond: Double?
    public var ratio: Double?

    /// The rate of a step of this size at `imagesPerSecond` (ours or the peer's) over `peakGflops`;
    /// nil without a peak.
    public func shareOfPeak(imagesPerSecond: Double, peakGflops: Double) -> Double? {
        guard peakGflops > 0 else { return nil }
        return flopsPerStep * imagesPerSecond / Double(config.batch) / 1e9 / peakGflops
    }
}

/// CPU time of the whole process, seconds.
func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

final class BenchResnet: Module {
    let norm1: GroupNorm, conv1: Conv2d, tembProj: Linear, norm2: GroupNorm, conv2: Conv2d, shortcut: Conv2d?
    init(_ cin: Int, _ cout: Int, temb: Int, groups: Int, rng: inout PCG32) {
        norm1 = GroupNorm(groups: groups, channels: cin, eps: 1e-5)
        conv1 = Conv2d(cin, cout, kernel: 3, padding: 1, rng: &rng)
        tembProj = Linear(temb, cout, rng: &rng)
        norm2 = GroupNorm(groups: groups, channels: cout, eps: 1e-5)
        conv2 = Conv2d(cout, cout, kernel: 3, padding: 1, rng: &rng)
        shortcut = cin == cout ? nil : Conv2d(cin, cout, kernel: 1, rng: &rng)
    }
    var children: [(String, any Module)] {
        [("norm1", norm1), ("conv1", conv1), ("time_emb_proj", tembProj), ("norm2", norm2), ("conv2", conv2)]
            + (shortcut.map { [("conv_shortcut", $0)] } ?? [])
    }
    func callAsFunction(_ x: Tensor, _ temb: Tensor) -> Tensor {
        var h = conv1(norm1.silu(x))
        h = h + tembProj(temb.silu()).reshaped([x.shape[0], -1, 1, 1])
        h = conv2(norm2.silu(h))
        return (shortcut?(x) ?? x) + h
    }
}

final class BenchAttention: Module {
    let norm: GroupNorm, q: Linear, k: Linear, v: Linear, out: Linear
    let heads: Int
    init(_ c: Int, headDim: Int, groups: Int, rng: inout PCG32) {
        norm = GroupNorm(groups: groups, channels: c, eps: 1e-5)
        q = Linear(c, c, rng: &rng); k = Linear(c, c, rng: &rng); v = Linear(c, c, rng: &rng); out = Linear(c, c, rng: &rng)
        heads = c / headDim
    }
    var children: [(String, any Module)] {
        [("group_norm", norm), ("to_q", q), ("to_k", k), ("to_v", v), ("to_out.0", out)]
    }
    func callAsFunction(_ x: Tensor) -> Tensor {
        let tokens = norm(x).spatialTokens()
        let a = Tensor.attention(query: q(tokens), key: k(tokens), value: v(tokens), heads: heads)
        return x + out(a).spatialImage(height: x.shape[2], width: x.shape[3])
    }
}

final class BenchBlock: Module {
    let resnets: ModuleList, attentions: ModuleList, sampler: Conv2d?
    let resnetList: [BenchResnet], attentionList: [BenchAttention]
    let upsample: Bool
    init(resnets: [BenchResnet], attentions: [BenchAttention], sampler: Conv2d?, upsample: Bool) {
        self.resnets = ModuleList(resnets); self.attentions = ModuleList(attentions)
        resnetList = resnets; attentionList = attentions
        self.sampler = sampler; self.upsample = upsample
    }
    var children: [(String, any Module)] {
        var c: [(String, any Module)] = [("resnets", resnets)]
        if !attentions.modules.isEmpty { c.append(("attentions", attentions)) }
        if let sampler { c.append((upsample ? "upsamplers.0.conv" : "downsamplers.0.conv", sampler)) }
        return c
    }
}

final class BenchUNet: Module {
    let config: UNetStepConfig
    let timeLinear1: Linear, timeLinear2: Linear, convIn: Conv2d
    let down: ModuleList, mid: ModuleList, up: ModuleList, normOut: GroupNorm, convOut: Conv2d

    init(_ cfg: UNetStepConfig, rng: inout PCG32) {
        config = cfg
        let ch = cfg.channels, tdim = ch[0] * 4, g = cfg.groups
        timeLinear1 = Linear(ch[0], tdim, rng: &rng); timeLinear2 = Linear(tdim, tdim, rng: &rng)
        convIn = Conv2d(3, ch[0], kernel: 3, padding: 1, rng: &rng)
        var skips = [ch[0]], downBlocks: [BenchBlock] = [], prev = ch[0]
        for (i, c) in ch.enumerated() {
            let last = i == ch.count - 1
            var res: [BenchResnet] = [], att: [BenchAttention] = []
            for j in 0..<cfg.layersPerBlock {
                res.append(BenchResnet(j == 0 ? prev : c, c, temb: tdim, groups: g, rng: &rng)); skips.append(c)
                if last { att.append(BenchAttention(c, headDim: cfg.attentionHeadDim, groups: g, rng: &rng)) }
            }
            let sampler = last ? nil : Conv2d(c, c, kernel: 3, stride: 2, padding: 1, rng: &rng)
            if !last { skips.append(c) }
            downBlocks.append(BenchBlock(resnets: res, attentions: att, sampler: sampler, upsample: false))
            prev = c
        }
        down = ModuleList(downBlocks)
        let top = ch[ch.count - 1]
        mid = ModuleList([BenchResnet(top, top, temb: tdim, groups: g, rng: &rng),
                          BenchAttention(top, headDim: cfg.attentionHeadDim, groups: g, rng: &rng),
                          BenchResnet(top, top, temb: tdim, groups: g, rng: &rng)])
        var upBlocks: [BenchBlock] = []
        for (i, c) in ch.reversed().enumerated() {
            let first = i == 0, last = i == ch.count - 1
            var res: [BenchResnet] = [], att: [BenchAttention] = []
            for _ in 0...cfg.layersPerBlock {
                res.append(BenchResnet(prev + skips.removeLast(), c, temb: tdim, groups: g, rng: &rng))
                prev = c
                if first { att.append(BenchAttention(c, headDim: cfg.attentionHeadDim, groups: g, rng: &rng)) }
            }
            let sampler = last ? nil : Conv2d(c, c, kernel: 3, padding: 1, rng: &rng)
            upBlocks.append(BenchBlock(resnets: res, attentions: att, sampler: sampler, upsample: true))
        }
        up = ModuleList(upBlocks)
        normOut = GroupNorm(groups: g, channels: ch[0], eps: 1e-5)
        convOut = Conv2d(ch[0], 3, kernel: 3, padding: 1, rng: &rng)
    }

    var children: [(String, any Module)] {
        [("time_embedding.linear_1", timeLinear1), ("time_embedding.linear_2", timeLinear2), ("conv_in", convIn),
         ("down_blocks", down), ("mid_block.resnets.0", mid.modules[0]), ("mid_block.attentions.0", mid.modules[1]),
         ("mid_block.resnets.1", mid.modules[2]), ("up_blocks", up), ("conv_norm_out", normOut), ("conv_out", convOut)]
    }

    func callAsFunction(_ x: Tensor, timesteps: [Float]) -> Tensor {
        let t0 = Tensor.timestepEmbedding(timesteps, dim: config.channels[0], flipSinToCos: true, downscaleFreqShift: 0)
        let temb = timeLinear2(timeLinear1(t0).silu())
        var h = convIn(x)
        var skips = [h]
        for case let block as BenchBlock in down.modules {
            for (j, r) in block.resnetList.enumerated() {
                h = r(h, temb)
                if j < block.attentionList.count { h = block.attentionList[j](h) }
                skips.append(h)
            }
            if let s = block.sampler { h = s(h); skips.append(h) }
        }
        h = (mid.modules[0] as! BenchResnet)(h, temb)
        h = (mid.modules[1] as! BenchAttention)(h)
        h = (mid.modules[2] as! BenchResnet)(h, temb)
        for case let block as BenchBlock in up.modules {
            for (j, r) in block.resnetList.enumerated() {
                h = r(Tensor.concat([h, skips.removeLast()], axis: 1), temb)
                if j < block.attentionList.count { h = block.attentionList[j](h) }
            }
            if let s = block.sampler { h = s(h.upsampleNearest(factor: 2)) }
        }
        return convOut(normOut.silu(h))
    }
}

/// Times one full training step (forward, MSE to the noise, backward, AdamW) of `BenchUNet`.
public struct UNetStepBenchmark: Sendable {
    public var config: UNetStepConfig
    public var minSeconds: Double
    /// Steps to profile op by op after the timed ones (0: none).
    public var profileSteps: Int
    public init(config: UNetStepConfig, minSeconds: Double = 0.3, profileSteps: Int = 0) {
        self.config = config; self.minSeconds = minSeconds; self.profileSteps = profileSteps
    }

    public func run() -> UNetStepResult {
        var rng = PCG32(seed: 3)
        let net = BenchUNet(config, rng: &rng)
        let params = net.namedParameters()
        let opt = AdamW(parameters: params, learningRate: 1e-4)
        let s = config.imageSize, n = config.batch
        func step() {
            let x = Tensor.randomNormal([n, 3, s, s], using: &rng), noise = Tensor.randomNormal([n, 3, s, s], using: &rng)
            let t = (0..<n).map { _ in Float(rng.nextUInt32() % 1000) }
            opt.zeroGrad()
            OpProfileRecorder.active?.mark()  // the forward pass starts here
            let loss = Tensor.mseLoss(net(x, timesteps: t), noise)
            loss.backward()
            opt.step()
            blackHole(loss.scalar)
        }
        let counted = OpProfile.collect { step() }  // warm-up, and the step's operation count
        var best = Double.infinity, total = 0.0, runs = 0
        let cpu0 = processCPUSeconds()
        while runs < 2 || total < minSeconds {
            let t0 = DispatchTime.now().uptimeNanoseconds
            step()
            let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            best = min(best, dt); total += dt; runs += 1
        }
        let cpu = (processCPUSeconds() - cpu0) / Double(runs)
        let profile = profileSteps > 0 ? OpProfile.collect(runs: profileSteps) { for _ in 0..<profileSteps { step() } } : nil
        return UNetStepResult(config: config, parameters: params.reduce(0) { $0 + $1.parameter.value.count },
                              secondsPerStep: best, imagesPerSecond: Double(n) / best, cpuSecondsPerStep: cpu,
                              flopsPerStep: 3 * counted.forwardFlops, profile: profile)
    }
}
