import Foundation
import RoundsCore
import RoundsTensor
import Testing

@testable import RoundsDiffusion

/// Parity with diffusers and transformers on the tiny random pipelines of `Tools/make_sd_fixtures.py`:
/// `sd1` (fp32, sharded UNet, quick_gelu, epsilon) and `sd2` (fp16 variant files, gelu, linear projections,
/// per-block heads, v-prediction). Tolerances are relative to the largest expected magnitude: float32
/// in a different operation order (BLAS blocking, fused kernels) differs by ~1e-6 per op, and a UNet
/// stacks a few hundred of them.
/// Serialized: each case runs whole models synchronously for seconds; eight at once filled both of the
/// machine's cooperative threads and starved the in-process loopback servers other suites talk to
/// (their curl requests timed out after 5 s in a full-suite run).
@Suite(.serialized) struct SDParityTests {
    static let sd = Fixture.directory.appendingPathComponent("sd")

    static func pipeline(_ name: String) throws -> StableDiffusionPipeline {
        try StableDiffusionPipeline(directory: sd.appendingPathComponent(name).path)
    }

    static func io(_ name: String) throws -> SafetensorsFile {
        try SafetensorsFile(contentsOfFile: sd.appendingPathComponent(name).path)
    }

    @Test(arguments: ["sd1", "sd2"])
    func textEncoder(_ name: String) throws {
        let p = try Self.pipeline(name)
        let f = try Self.io("\(name)_text.safetensors")
        let ids = try f.integers("input_ids").map(Int.init)
        let rows = stride(from: 0, to: ids.count, by: 77).map { Array(ids[$0..<($0 + 77)]) }
        let y = withoutGradients { p.textEncoder(rows) }
        let expected = try f.tensor("last_hidden_state")
        #expect(y.shape == expected.shape)
        expectClose(y.scalars, expected.scalars, rtol: 2e-5, "\(name) last_hidden_state")
    }

    @Test(arguments: ["sd1", "sd2"])
    func vae(_ name: String) throws {
        let p = try Self.pipeline(name)
        let f = try Self.io("\(name)_vae.safetensors")
        let (mean, logVar) = withoutGradients { p.vae.encode(try! f.tensor("image")) }
        expectClose(mean.scalars, try f.tensor("mean").scalars, rtol: 2e-5, "\(name) posterior mean")
        expectClose(logVar.scalars, try f.tensor("logvar").scalars, rtol: 2e-5, "\(name) posterior logvar")
        let decoded = withoutGradients { p.vae.decode(try! f.tensor("latents")) }
        #expect(decoded.shape == (try f.tensor("decoded")).shape)
        expectClose(decoded.scalars, try f.tensor("decoded").scalars, rtol: 2e-5, "\(name) decode")
        let tiled = p.vae.tiledDecode(try f.tensor("tile_latents"))
        #expect(tiled.shape == (try f.tensor("tiled_decoded")).shape)
        expectClose(tiled.scalars, try f.tensor("tiled_decoded").scalars, rtol: 2e-5, "\(name) tiled decode")
    }

    @Test(arguments: ["sd1", "sd2"])
    func unet(_ name: String) throws {
        let p = try Self.pipeline(name)
        let f = try Self.io("\(name)_unet.safetensors")
        let t = try f.integers("timestep").map(Float.init)
        let y = withoutGradients { p.unet(try! f.tensor("sample"), timesteps: t, context: try! f.tensor("encoder_hidden_states")) }
        expectClose(y.scalars, try f.tensor("noise_pred").scalars, rtol: 5e-5, "\(name) noise_pred")
    }

    /// Whole pipeline runs (DDIM and DPM-Solver++, guidance 5, a negative prompt) from diffusers' latents:
    /// the images agree far inside the 2/255 per pixel.
    @Test(arguments: ["sd1", "sd2"])
    func pipelineRuns(_ name: String) throws {
        let p = try Self.pipeline(name)
        let f = try Self.io("\(name)_runs.safetensors")
        let runs = try #require(try Fixture.load("sd/\(name)_runs.json").arrayValue)
        for run in runs {
            let kind = try #require(StableDiffusionOptions.Scheduler(rawValue: run["scheduler"]?.stringValue ?? ""))
            let latents = try f.tensor(run["latents"]?.stringValue ?? "")
            let expected = try f.tensor(run["image"]?.stringValue ?? "")  // [N, H, W, 3]
            let options = StableDiffusionOptions(scheduler: kind, steps: run["steps"]!.int, guidance: run["guidance"]!.double,
                                                 height: expected.shape[1], width: expected.shape[2])
            var noise = ReplayedNoise([latents.scalars])
            let images = try p.generate(prompt: run["prompt"]!.stringValue!, negativePrompt: run["negative_prompt"]?.stringValue,
                                        n: latents.shape[0], options: options, noise: &noise)
            let nhwc = images.permuted([0, 2, 3, 1])
            let worst = zip(nhwc.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst < 2 / 255, "\(name) \(kind): largest pixel difference \(worst * 255)/255")
            expectClose(nhwc.scalars, expected.scalars, rtol: 1e-4, "\(name) \(kind) image")
        }
    }
}
