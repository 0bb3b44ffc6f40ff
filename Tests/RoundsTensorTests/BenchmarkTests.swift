import Foundation
import Testing
@testable import RoundsTensor

@Suite struct BenchmarkTests {
    @Test func convMeasurementReportsAllThreePasses() {
        let bench = EngineBenchmark(cases: [.init(label: "tiny", batch: 1, channels: 8, size: 8)], minSeconds: 0.001)
        let r = bench.measure(bench.cases[0])
        #expect(r.rates.map(\.pass) == ["forward", "backward-input", "backward-weight",
                                        "forward (shifted)", "backward-input (shifted)", "backward-weight (shifted)",
                                        "forward (im2col)", "backward-input (im2col)", "backward-weight (im2col)"])
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
