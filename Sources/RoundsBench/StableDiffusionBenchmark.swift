import Foundation
import RoundsDiffusion
import RoundsTensor

/// `rounds bench sd`: the workloads of `Benchmarks/peers/sd_pipeline.py`, timed in Rounds on the same
/// pipeline folder, so the two sides run the same weights, shapes and prompts.
///
/// - `text`: encoding the prompt and the negative prompt (77 tokens each);
/// - `unet`: one guided UNet evaluation (batch 2 at N/8 x N/8 latents, timestep 500, random context);
/// - `vae`: decoding one N x N image;
/// - `image`: a whole 25-step DDIM image at guidance 7.5 (text, 25 guided UNet steps, decoding);
/// - `train`: one LoRA training step (`--train`): rank-32, alpha-32 adapters on the attention projections
///   (MAGIC's), the base frozen, `batch` latents at N/8 x N/8, MSE against ε, backward, AdamW.
package struct StableDiffusionBenchmark {
    package enum Workload: String, CaseIterable, Sendable, Codable {
        case text, unet, vae, image, train
    }

    /// The LoRA trainer of `train`, made on first use (attaching adapters changes the pipeline, so
    /// `train` runs after the inference workloads).
    private final class TrainingBox {
        var trainer: LatentTrainer?
        var batch: [LatentExample] = []
    }
    private let box = TrainingBox()

    package static let prompt = "a clinical photograph of vitiligo on dark skin"
    package static let negative = "blurry, low quality"
    package static let imageSteps = 25

    package let pipeline: StableDiffusionPipeline
    package let resolution: Int
    /// Latents per training step (`train`).
    package let batch: Int

    /// Checks that `resolution` fits the pipeline (a multiple of the VAE's factor, latents of at least 8).
    package init(pipeline: StableDiffusionPipeline, resolution: Int, batch: Int = 1) throws(BenchError) {
        let factor = pipeline.vaeFactor
        guard resolution % factor == 0, resolution / factor >= 1 else {
            throw BenchError("bench sd: --resolution \(resolution) is not a multiple of the VAE's factor \(factor)")
        }
        guard batch >= 1 else { throw BenchError("bench sd: --batch must be at least 1, got \(batch)") }
        self.pipeline = pipeline
        self.resolution = resolution
        self.batch = batch
    }

    /// Runs `workload` once (the caller times it).
    package func run(_ workload: Workload) throws {
        let latent = resolution / pipeline.vaeFactor
        let c = pipeline.unet.config.inChannels
        var rng = PCG32(seed: 0)
        switch workload {
        case .text:
            _ = pipeline.encode([Self.negative, Self.prompt])
        case .unet:
            let sample = Tensor(shape: [2, c, latent, latent], scalars: rng.normals(2 * c * latent * latent))
            let width = pipeline.unet.config.crossAttentionDim
            let context = Tensor(shape: [2, 77, width], scalars: rng.normals(2 * 77 * width))
            _ = withoutGradients { pipeline.unet(sample, timesteps: [500, 500], context: context) }
        case .vae:
            let z = Tensor(shape: [1, pipeline.vae.config.latentChannels, latent, latent],
                           scalars: rng.normals(pipeline.vae.config.latentChannels * latent * latent))
            _ = pipeline.decodeToImages(z)
        case .image:
            var noise = GaussianNoise(seed: 0)
            let options = StableDiffusionOptions(scheduler: .ddim, steps: Self.imageSteps, guidance: 7.5,
                                                 height: resolution, width: resolution)
            _ = try pipeline.generate(prompt: Self.prompt, negativePrompt: Self.negative, n: 1, options: options, noise: &noise)
        case .train:
            if box.trainer == nil {
                let set = try LoRASet.attach(LoRAConfig(rank: 32, alpha: 32), to: pipeline.unet)
                var o = LatentTrainingOptions()
                o.learningRate = 1e-4
                box.trainer = try LatentTrainer(pipeline: pipeline, lora: set, prompts: [Self.prompt], options: o)
                box.batch = (0..<batch).map { _ in LatentExample(latents: rng.normals(c * latent * latent), prompt: 0) }
            }
            _ = try box.trainer!.rftStep(box.batch)
        }
    }

    /// The best wall time of `repeats` runs after one warm-up run, in seconds.
    package func time(_ workload: Workload, repeats: Int) throws -> Double {
        try run(workload)
        var best = Double.infinity
        for _ in 0..<max(1, repeats) {
            let start = DispatchTime.now().uptimeNanoseconds
            try run(workload)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return best
    }
}
