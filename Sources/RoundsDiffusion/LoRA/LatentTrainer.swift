import Foundation
import RoundsTensor

/// Settings of `LatentTrainer` (defaults of diffusers' `train_text_to_image_lora.py`: AdamW with
/// β 0.9/0.999, weight decay 1e-2, ε 1e-8, gradient clipping at 1).
public struct LatentTrainingOptions: Sendable, Equatable {
    public var learningRate: Float = 1e-4
    public var weightDecay: Float = 1e-2
    public var beta1: Float = 0.9, beta2: Float = 0.999, adamEpsilon: Float = 1e-8
    public var maxGradNorm: Float? = 1
    /// Draw timesteps from `0..<maxTimestep` (image-to-image pairs: strength·T); nil: all T.
    public var maxTimestep: Int?
    public var seed: UInt64 = 0

    public init() {}
}

/// A training image as the UNet sees it: VAE latents `[C, h, w]` (scaled), its prompt (an index into
/// the trainer's prompts) and its weight (RFT; 1 for plain denoising).
public struct LatentExample: Sendable {
    public var latents: [Float]
    public var prompt: Int
    public var weight: Float

    public init(latents: [Float], prompt: Int, weight: Float = 1) {
        self.latents = latents
        self.prompt = prompt
        self.weight = weight
    }
}

/// LoRA finetuning of a Stable Diffusion UNet on latents: the whole pipeline frozen, only the adapters
/// of `lora` trained. Per step ε ~ N(0, I), t ~ U{0…T'-1}, zₜ = √ᾱₜ z₀ + √(1-ᾱₜ) ε, the UNet conditioned
/// on the example's text embedding, per-sample MSE against ε (or v), then AdamW on the adapters.
///
/// Owns its optimizer and generator; like the pipeline, belongs to one task.
public final class LatentTrainer {
    public let pipeline: StableDiffusionPipeline
    public let lora: LoRASet
    public let options: LatentTrainingOptions
    public let optimizer: AdamW
    public private(set) var step = 0
    public var rng: PCG32
    /// Text embeddings `[1, T, D]` per prompt, computed once.
    let contexts: [Tensor]
    private let schedule: NoiseSchedule
    private let parameters: [(name: String, parameter: Parameter)]

    /// - Throws: `.invalidArgument` for an empty adapter set, no prompts or settings out of range.
    public init(pipeline: StableDiffusionPipeline, lora: LoRASet, prompts: [String], options: LatentTrainingOptions) throws(DiffusionError) {
        guard !lora.entries.isEmpty else { throw DiffusionError(.invalidArgument, "LoRA training: the adapter set is empty") }
        guard !prompts.isEmpty else { throw DiffusionError(.invalidArgument, "LoRA training: no prompts") }
        guard options.learningRate > 0, options.learningRate.isFinite else {
            throw DiffusionError(.invalidArgument, "learning rate: expected a positive number, got \(options.learningRate)")
        }
        self.pipeline = pipeline
        self.lora = lora
        self.options = options
        for module in [pipeline.unet, pipeline.textEncoder, pipeline.vae] as [any Module] { module.setFrozen(true) }
        lora.setFrozen(false)
        parameters = lora.namedParameters()
        optimizer = AdamW(parameters: parameters, learningRate: options.learningRate, beta1: options.beta1,
                          beta2: options.beta2, eps: options.adamEpsilon, weightDecay: options.weightDecay)
        rng = PCG32(seed: options.seed)
        schedule = try NoiseSchedule(config: pipeline.scheduler)
        let embedded = pipeline.encode(prompts)
        contexts = embedded.split(sizes: Array(repeating: 1, count: prompts.count), axis: 0)
        _ = try timestepLimit()
    }

    /// Latent shape `[C, h, w]` the examples must have.
    func checkLatents(_ count: Int, first: [Float]) throws(DiffusionError) -> [Int] {
        let c = pipeline.unet.config.inChannels
        let hw = first.count / c
        let side = Int(Double(hw).squareRoot().rounded())
        guard side * side * c == first.count, side % pipeline.unet.sizeDivisor == 0 else {
            throw DiffusionError(.shapeMismatch, "LoRA training: latents of \(first.count) values are not [\(c), h, h] with h a multiple of \(pipeline.unet.sizeDivisor)")
        }
        return [c, side, side]
    }

    /// Per-sample denoising errors of `z0` (rows of `[N, C, h, w]`) under `prompts`, with the given noise
    /// and timesteps; recorded for gradients unless `reference` (then the adapters are off).
    func errors(_ z0: [Float], shape: [Int], prompts: [Int], noise: [Float], timesteps: [Int], reference: Bool = false) throws(DiffusionError) -> Tensor {
        let noisy = try schedule.addNoise(z0, noise: noise, timesteps: timesteps)
        let target: [Float]
        switch pipeline.scheduler.predictionType {
        case .epsilon: target = noise
        case .vPrediction: target = try schedule.velocity(z0, noise: noise, timesteps: timesteps)
        case .sample: target = z0
        }
        let context = Tensor.concat(prompts.map { contexts[$0] }, axis: 0)
        let tf = timesteps.map(Float.init)
        let run = { () -> Tensor in
            let out = self.pipeline.unet(Tensor(shape: shape, scalars: noisy), timesteps: tf, context: context)
            return Tensor.mseLossPerSample(out, Tensor(shape: shape, scalars: target))
        }
        guard reference else { return run() }
        lora.isEnabled = false
        defer { lora.isEnabled = true }
        return withoutGradients(run)
    }

    /// One RFT (or plain, with weights 1) step: loss `(1/N) Σ wᵢ · MSEᵢ`.
    public func rftStep(_ batch: [LatentExample]) throws(DiffusionError) -> TrainingStepResult {
        guard let first = batch.first else { throw DiffusionError(.invalidArgument, "LoRA step: empty batch") }
        let item = try checkLatents(first.latents.count, first: first.latents)
        guard batch.allSatisfy({ $0.latents.count == first.latents.count && contexts.indices.contains($0.prompt) && $0.weight.isFinite && $0.weight >= 0 }) else {
            throw DiffusionError(.invalidArgument, "LoRA step: examples differ in size, name an unknown prompt or have a negative weight")
        }
        let n = batch.count, limit = try timestepLimit()
        let t = (0..<n).map { _ in Int(rng.next() % UInt64(limit)) }
        let eps = rng.normals(n * first.latents.count)
        let perSample = try errors(batch.flatMap(\.latents), shape: [n] + item, prompts: batch.map(\.prompt), noise: eps, timesteps: t)
        let loss = (perSample * Tensor(shape: [n], scalars: batch.map(\.weight))).mean()
        loss.backward()
        let norm = applyGradients()
        return TrainingStepResult(loss: loss.scalar, perSample: perSample.scalars, gradNorm: norm, timesteps: t, labels: nil)
    }

    /// One Diffusion-DPO step on `P` pairs (`winners[i]` preferred over `losers[i]`, same prompt): winner and
    /// loser share noise and timestep; the reference is the pipeline without adapters (diffusers' script).
    public func dpoStep(winners: [LatentExample], losers: [LatentExample], options dpo: DPOOptions) throws(DiffusionError) -> DPOStepResult {
        guard !winners.isEmpty, winners.count == losers.count else {
            throw DiffusionError(.invalidArgument, "DPO step: \(winners.count) winners for \(losers.count) losers")
        }
        let all = winners + losers
        let item = try checkLatents(all[0].latents.count, first: all[0].latents)
        guard all.allSatisfy({ $0.latents.count == all[0].latents.count && contexts.indices.contains($0.prompt) }) else {
            throw DiffusionError(.invalidArgument, "DPO step: latents differ in size or name an unknown prompt")
        }
        let p = winners.count, limit = try timestepLimit(dpo.maxTimestep ?? options.maxTimestep)
        let t = (0..<p).map { _ in Int(rng.next() % UInt64(limit)) }
        let eps = rng.normals(p * all[0].latents.count)
        let z0 = all.flatMap(\.latents), prompts = all.map(\.prompt)
        let shape = [2 * p] + item
        let ref = try errors(z0, shape: shape, prompts: prompts, noise: eps + eps, timesteps: t + t, reference: true).scalars
        let policy = try errors(z0, shape: shape, prompts: prompts, noise: eps + eps, timesteps: t + t)
        let value = DPOLoss.value(policyErrors: policy, referenceErrors: ref, beta: dpo.beta, sftWeight: dpo.sftWeight)
        value.loss.backward()
        let norm = applyGradients()
        return DPOStepResult(loss: value.loss.scalar, implicitAccuracy: value.implicitAccuracy, margin: value.margin,
                             gradNorm: norm, timesteps: t)
    }

    private func applyGradients() -> Float {
        let norm: Float
        if let m = options.maxGradNorm { norm = clipGradientNorm(parameters, maxNorm: m) } else {
            var s: Double = 0
            for (_, p) in parameters { for g in p.grad?.scalars ?? [] { s += Double(g) * Double(g) } }
            norm = Float(s.squareRoot())
        }
        optimizer.step()
        optimizer.zeroGrad()
        step += 1
        return norm
    }

    /// The number of timesteps to draw from: `override`, else the options' `maxTimestep`, else T.
    private func timestepLimit(_ override: Int? = nil) throws(DiffusionError) -> Int {
        let T = schedule.trainTimesteps
        guard let limit = override ?? options.maxTimestep else { return T }
        guard limit >= 1, limit <= T else { throw DiffusionError(.invalidArgument, "timestep range: expected 1 ≤ max ≤ \(T), got \(limit)") }
        return limit
    }

    /// Writes adapters, AdamW moments, step and generator to `path` (atomically) for `restoreState`.
    public func saveState(to path: String, extra: [String: String] = [:]) throws(DiffusionError) {
        do { try TrainingState(step: step, rng: rng, extra: extra).save(to: path, model: lora, optimizer: optimizer) } catch {
            throw DiffusionError(.io, "\(path): cannot write training state", cause: error)
        }
    }

    /// Restores a state written by `saveState` (same adapters); returns its `extra`. Nothing changes
    /// unless the whole file fits.
    @discardableResult
    public func restoreState(from path: String) throws(DiffusionError) -> [String: String] {
        let state: TrainingState
        do { state = try TrainingState.restore(from: path, model: lora, optimizer: optimizer) } catch {
            throw DiffusionError(error.code == .io ? .io : .invalidArgument, error.message)
        }
        step = state.step
        rng = state.rng
        return state.extra
    }
}
