import Foundation
import Testing
@testable import RoundsTensor

@Suite struct BenchmarkTests {
    @Test func convMeasurementReportsAllThreePasses() {
        let bench = EngineBenchmark(cases: [.init(label: "tiny", batch: 1, channels: 8, size: 8)], minSeconds: 0.001)
        let r = bench.measure(bench.cases[0])
        #expect(r.rates.map(\.pass) == ["forward", "backward-input", "backward-weight",
                                        "forward (shifted)", "backward-input (shifted)", "backward-weight (shifted)",
                                        "forward (im2col)", "backward-input (im2col)", "backward-weight (im2col)",
                                        "forward (image-parallel)", "backward-input (image-parallel)",
                                        "backward-weight (image-parallel)"])
        #expect(r.rates.allSatisfy { $0.gflops > 0 && $0.sgemmGflops > 0 && $0.milliseconds > 0 && $0.cpuMilliseconds >= 0 })
        #expect(r.rates[0].gemm == "8 x 64 x 72")
    }

    @Test func benchUNetUsesDiffusersNamesAndTrains() {
        let cfg = UNetStepConfig(imageSize: 8, batch: 2, channels: [16, 32], layersPerBlock: 1, attentionHeadDim: 8, groups: 8)
        var rng = PCG32(seed: 1)
        let net = BenchUNet(cfg, rng: &rng)
        let names = Set(net.namedParameters().map(\.name))
        for expected in ["conv_in.weight", "time_embedding.linear_1.weight", "down_blocks.0.resnets.0.conv1.weight",
                         "down_blocks.0.downsamplers.0.conv.weight", "down_blocks.1.attentions.0.to_q.weight",
                         "mid_block.attentions.0.to_out.0.bias", "mid_block.resnets.1.time_emb_proj.weight",
                         "up_blocks.0.resnets.1.conv_shortcut.weight", "up_blocks.0.upsamplers.0.conv.weight",
                         "up_blocks.1.resnets.0.norm1.weight", "conv_norm_out.bias", "conv_out.weight"] {
            #expect(names.contains(expected), "missing \(expected)")
        }
        let result = UNetStepBenchmark(config: cfg, minSeconds: 0.001).run()
        #expect(result.imagesPerSecond > 0 && result.parameters == net.namedParameters().reduce(0) { $0 + $1.parameter.value.count })
        #expect(result.profile == nil, "profiling is opt-in")
    }

    /// `--profile`: every recorded op of the step shows up once per shape, with the convolutions split by
    /// geometry and algorithm, and the profiler is off again afterwards.
    @Test func profileAccountsForTheStepOpByOp() throws {
        let cfg = UNetStepConfig(imageSize: 8, batch: 2, channels: [16, 32], layersPerBlock: 1, attentionHeadDim: 8, groups: 8)
        let result = UNetStepBenchmark(config: cfg, minSeconds: 0.001, profileSteps: 2).run()
        let profile = try #require(result.profile)
        let ops = Dictionary(uniqueKeysWithValues: profile.entries.map { ($0.op, $0) })
        let convIn = try #require(ops.first { $0.key.hasPrefix("conv2d 3x3 3->16 8x8") }?.value, "conv_in row in \(ops.keys.sorted())")
        #expect(convIn.calls == 1 && convIn.forwardSeconds > 0 && convIn.backwardSeconds > 0)
        #expect(ops.keys.contains { $0.hasPrefix("groupNorm 16 channels, 64 positions + SiLU") })
        #expect(ops.keys.contains { $0.hasPrefix("attention") })
        // the conv calls of one step: conv_in, 2 per resnet (2 down, 1 mid x2, 4 up), the down- and upsampler, conv_out, shortcuts
        let convCalls = profile.entries.filter { $0.op.hasPrefix("conv2d") }.reduce(0) { $0 + $1.calls }
        #expect(convCalls >= 14, "\(convCalls) conv calls per step")
        #expect(profile.otherSeconds >= 0 && profile.entries == profile.entries.sorted { $0.totalSeconds > $1.totalSeconds })
        #expect(OpProfileRecorder.active == nil)
    }

    /// The ops that dominate a step declare their forward operations exactly (2 per multiply-add);
    /// elementwise ops count none.
    @Test func profileCountsTheForwardOperationsOfProductsConvolutionsAndAttention() throws {
        var rng = PCG32(seed: 5)
        let x = Tensor.randomNormal([2, 3, 6, 5], using: &rng).trackingGradient()
        let w = Tensor.randomNormal([4, 3, 3, 3], using: &rng).trackingGradient()
        let lw = Tensor.randomNormal([7, 5], using: &rng).trackingGradient()
        let q = Tensor.randomNormal([2, 6, 8], using: &rng).trackingGradient()
        let k = Tensor.randomNormal([2, 9, 8], using: &rng).trackingGradient()
        let profile = OpProfile.collect {
            let y = Tensor.conv2d(x, weight: w, bias: nil, stride: 2, padding: 1)  // 2 x 4 x 3 x 3 outputs, 27 taps each
            let l = Tensor.linear(x, weight: lw, bias: nil)                         // 36 rows of 5 -> 7
            let a = Tensor.attention(query: q, key: k, value: k, heads: 2)          // 2 x 2 heads, 6 x 9 scores of depth 4
            (y.sum() + l.sum() + a.sum()).silu().backward()
        }
        let flops = Dictionary(uniqueKeysWithValues: profile.entries.map { (String($0.op.prefix { $0 != " " }), $0.forwardFlops) })
        let conv: Double = 2 * 2 * 4 * 3 * 3 * 27, linear: Double = 2 * 36 * 7 * 5, attention: Double = 4 * 2 * 2 * 6 * 9 * 4
        #expect(flops["conv2d"] == conv)
        #expect(flops["linear"] == linear)
        #expect(flops["attention"] == attention)
        #expect(flops["silu"] == 0 && flops["sum"] == 0)
        #expect(profile.forwardFlops == flops.values.reduce(0, +))
    }

    /// The step's operation count: 3x its forward pass's, the same with or without profiling, and what
    /// a rate makes of it against the sgemm peak. (Not `EngineBenchmark.run`: it switches OpenBLAS's
    /// kernels under the other tests.)
    @Test func trainingStepCountsItsOperations() throws {
        let cfg = UNetStepConfig(imageSize: 8, batch: 2, channels: [16, 32], layersPerBlock: 1, attentionHeadDim: 8, groups: 8)
        let profiled = UNetStepBenchmark(config: cfg, minSeconds: 0.001, profileSteps: 1).run()
        let forward = try #require(profiled.profile).forwardFlops
        #expect(forward > 0 && profiled.flopsPerStep == 3 * forward)
        #expect(UNetStepBenchmark(config: cfg, minSeconds: 0.001).run().flopsPerStep == profiled.flopsPerStep)
        let kernels = [EngineBenchmark.KernelRate(gemm: "a", gflopsPerCore: 90), EngineBenchmark.KernelRate(gemm: "b", gflopsPerCore: 150)]
        let peak = EngineBenchmark.sgemmPeak(kernels, threads: 2)
        #expect(peak == 300)
        // 4 images/s at batch 2: 2 steps/s
        let share = try #require(profiled.shareOfPeak(imagesPerSecond: 4, peakGflops: peak))
        #expect(abs(share - 2 * profiled.flopsPerStep / 1e9 / 300) < 1e-12)
        #expect(profiled.shareOfPeak(imagesPerSecond: 4, peakGflops: 0) == nil)
    }

    /// Ops that another task runs meanwhile neither enter the profile nor race with it.
    @Test func profileIgnoresOpsOfOtherTasks() async {
        let other = Task.detached {
            for _ in 0..<300 { let x = Tensor(shape: [64], scalars: (0..<64).map(Float.init)).trackingGradient(); (x * x).mean().backward() }
        }
        let profile = OpProfile.collect(runs: 300) {
            for _ in 0..<300 { let x = Tensor(shape: [64], scalars: (0..<64).map(Float.init)).trackingGradient(); x.silu().sum().backward() }
        }
        await other.value
        #expect(Set(profile.entries.map(\.op)) == ["silu", "sum"])
        #expect(profile.entries.allSatisfy { $0.calls == 1 })
    }
}

/// The engine's OpenBLAS kernel default (`BLASKernelSwitch.selectPreferred`).
@Suite struct BLASKernelDefaultTests {
    /// On a CPU with AVX-512 the engine's first BLAS use leaves the SkylakeX kernels active, whatever
    /// OpenBLAS picked at load (0.3.21 picks its AVX2 family on AMD Zen 4/5; this machine also sets
    /// OPENBLAS_CORETYPE=Haswell).
    @Test func avx512MachinesRunTheSkylakeXKernels() throws {
        Engine.prepare()
        try #require(getenv(BLASKernelSwitch.preferenceVariable) == nil, "the test process must not set ROUNDS_BLAS_KERNEL")
        if BLASKernelSwitch.canSelect(.skylakeX) {
            #expect(BLASKernel.skylakeX.isActive, "active: \(Engine.blasCore)")
        } else {
            #expect(!Engine.blasCore.isEmpty)
        }
    }
}
