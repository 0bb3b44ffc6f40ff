import Foundation
import RoundsTensor

/// Settings of `DiffusionTrainer` (defaults follow diffusers' `train_unconditional.py`, with 10% label
/// dropout for classifier-free guidance).
public struct TrainingOptions: Sendable, Equatable {
    public var learningRate: Float = 1e-4
    public var weightDecay: Float = 1e-6
    public var beta1: Float = 0.95, beta2: Float = 0.999, adamEpsilon: Float = 1e-8
    /// Probability that a sample's label is replaced by the null class.
    public var labelDropout: Double = 0.1
    /// Gradient-norm clipping (nil: none).
    public var maxGradNorm: Float? = 1
    /// EMA of the weights (nil: no EMA); diffusers' `EMAModel` decay with warm-up.
    public var emaMaxDecay: Float? = 0.9999
    /// diffusers' EMA warm-up (decay `1 − (1+step)^−0.75` until it reaches the maximum); without it,
    /// diffusers' `(1+step)/(10+step)` ramp.
    public var emaWarmup = true
    /// Every step decays by `emaMaxDecay` (no ramp): for finetuning, where the EMA must start as the
    /// parent and leave it slowly. diffusers' ramps make the early EMA the raw weights.
    public var emaConstantDecay = false
    public var seed: UInt64 = 0

    public init() {}
}

/// The result of one optimisation step.
public struct TrainingStepResult: Sendable, Equatable {
    /// Mean MSE over the batch.
    public var loss: Float
    /// MSE per sample, in batch order.
    public var perSample: [Float]
    /// Global gradient norm before clipping.
    public var gradNorm: Float
    /// The timesteps and labels (after dropout) the step used.
    public var timesteps: [Int], labels: [Int]?
}

/// Denoising training of a model's UNet: per step, ε ~ N(0, I), t ~ U{0…T-1}, xₜ = √ᾱₜ x₀ + √(1-ᾱₜ) ε,
/// target ε (or v, or x₀, per the scheduler's `prediction_type`), loss = mean over the batch of the
/// per-sample MSE, AdamW, then the EMA. Labels drop to the null class with `labelDropout`.
///
/// Owns the optimizer and EMA; like the model, belongs to one task.
public final class DiffusionTrainer {
    public let model: DiffusionModel
    public let options: TrainingOptions
    public let optimizer: AdamW
    public let ema: EMA?
    public private(set) var step = 0
    public var rng: PCG32
    private let schedule: NoiseSchedule
    private let parameters: [(name: String, parameter: Parameter)]

    public init(model: DiffusionModel, options: TrainingOptions = TrainingOptions()) throws(DiffusionError) {
        self.model = model
        self.options = options
        parameters = model.unet.namedParameters()
        optimizer = AdamW(
            parameters: parameters, learningRate: options.learningRate, beta1: options.beta1,
            beta2: options.beta2, eps: options.adamEpsilon, weightDecay: options.weightDecay)
        ema = options.emaMaxDecay.map {
            EMA(parameters: model.unet.namedParameters(), maxDecay: $0, useWarmup: options.emaWarmup, power: 0.75,
                constantDecay: options.emaConstantDecay)
        }
        rng = PCG32(seed: options.seed)
        schedule = try NoiseSchedule(config: model.scheduler)
        guard options.labelDropout >= 0, options.labelDropout <= 1 else {
            throw DiffusionError(.invalidArgument, "label dropout: expected 0 ≤ p ≤ 1, got \(options.labelDropout)")
        }
    }

    /// One step on `images` (`[N, C, S, S]` in [-1, 1]) with class `labels` (N indices, nil when unconditional).
    ///
    /// - Throws: `.shapeMismatch`/`.invalidArgument` for images or labels that do not fit the model.
    public func train(images: Tensor, labels: [Int]?) throws(DiffusionError) -> TrainingStepResult {
        try train(images: images, labels: labels, sampleWeights: nil)
    }

    /// One step whose loss is `(1/N) Σᵢ wᵢ · MSEᵢ` (reward-weighted finetuning); `sampleWeights` nil is
    /// the plain mean. Multiplying by a weight of exactly 1 changes no bit, so all-ones weights give
    /// the plain step. Timesteps are drawn from `0..<maxTimestep` (default: all T).
    ///
    /// - Throws: `.shapeMismatch`/`.invalidArgument` for images, labels or weights that do not fit.
    public func train(
        images: Tensor, labels: [Int]?, sampleWeights: [Float]?, maxTimestep: Int? = nil
    ) throws(DiffusionError) -> TrainingStepResult {
        let unet = model.unet
        try unet.checkInputs(sampleShape: images.shape, timesteps: images.shape.first ?? 0, classLabels: labels)
        let n = images.shape[0]
        if let w = sampleWeights {
            guard w.count == n, w.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                throw DiffusionError(
                    .invalidArgument, "sample weights: expected \(n) finite weights ≥ 0, got \(w.count)")
            }
        }
        let T = try timestepLimit(maxTimestep)
        let timesteps = (0..<n).map { _ in Int(rng.next() % UInt64(T)) }
        let eps = rng.normals(images.count)
        let noisy = try schedule.addNoise(images.scalars, noise: eps, timesteps: timesteps)
        let target = try denoisingTarget(images.scalars, noise: eps, timesteps: timesteps)
        var used = labels
        if let l = labels, let null = model.manifest.nullClassIndex, options.labelDropout > 0 {
            used = l.map { rng.nextUniform() < Float(options.labelDropout) ? null : $0 }
        }
        let ctx = ForwardContext(training: true, rng: PCG32(seed: rng.next()))
        let out = unet.forward(
            Tensor(shape: images.shape, scalars: noisy), timesteps: timesteps.map(Float.init),
            classLabels: used, context: ctx)
        let perSample = Tensor.mseLossPerSample(out, Tensor(shape: images.shape, scalars: target))
        let loss = sampleWeights.map { (perSample * Tensor(shape: [n], scalars: $0)).mean() } ?? perSample.mean()
        loss.backward()
        let norm = applyGradients()
        return TrainingStepResult(
            loss: loss.scalar, perSample: perSample.scalars, gradNorm: norm,
            timesteps: timesteps, labels: used)
    }

    /// Clips, steps the optimiser, clears gradients and updates the EMA; returns the norm before clipping.
    func applyGradients() -> Float {
        let norm = options.maxGradNorm.map { clipGradientNorm(parameters, maxNorm: $0) } ?? gradientNorm()
        optimizer.step()
        optimizer.zeroGrad()
        ema?.update(from: parameters)
        step += 1
        return norm
    }

    /// The number of timesteps to draw from: `maxTimestep` (1…T) or T.
    func timestepLimit(_ maxTimestep: Int?) throws(DiffusionError) -> Int {
        let T = schedule.trainTimesteps
        guard let m = maxTimestep else { return T }
        guard m >= 1, m <= T else {
            throw DiffusionError(.invalidArgument, "timestep range: expected 1 ≤ max ≤ \(T), got \(m)")
        }
        return m
    }

    /// The regression target for the scheduler's `prediction_type`: ε, v or x₀.
    func denoisingTarget(_ x0: [Float], noise: [Float], timesteps: [Int]) throws(DiffusionError) -> [Float] {
        switch model.scheduler.predictionType {
        case .epsilon: return noise
        case .vPrediction: return try schedule.velocity(x0, noise: noise, timesteps: timesteps)
        case .sample: return x0
        }
    }

    /// xₜ for `x0`, `noise` and per-sample `timesteps`.
    func noised(_ x0: [Float], noise: [Float], timesteps: [Int]) throws(DiffusionError) -> [Float] {
        try schedule.addNoise(x0, noise: noise, timesteps: timesteps)
    }

    /// Sets the step counter and generator (after restoring a checkpoint).
    func setProgress(step: Int, rng: PCG32) {
        self.step = step
        self.rng = rng
    }

    private func gradientNorm() -> Float {
        var s: Double = 0
        for (_, p) in parameters { for g in p.grad?.scalars ?? [] { s += Double(g) * Double(g) } }
        return Float(s.squareRoot())
    }

    /// The model with EMA weights (when there is an EMA) in a copy: for checkpoints and sampling.
    public func emaModel() -> DiffusionModel {
        let unet = model.unet.copy()
        var manifest = model.manifest
        if let ema {
            ema.copy(to: unet.namedParameters())
            manifest.ema = true
        }
        return DiffusionModel(unet: unet, scheduler: model.scheduler, manifest: manifest)
    }
}
