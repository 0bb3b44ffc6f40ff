import RoundsTensor

/// Settings of `DPOTrainer`.
public struct DPOOptions: Sendable, Equatable {
    /// β of the objective; see `docs/finetuning.md` for the sweep that chose the default.
    public var beta: Float = 2000
    /// Draw timesteps from `0..<maxTimestep` (MAGIC: `strength·T` for image-to-image pairs); nil: all T.
    public var maxTimestep: Int?
    /// λ: weight of the winners' plain denoising loss added to the DPO loss (`DPOLoss`); 0 for none.
    public var sftWeight: Float

    public init(beta: Float = 2000, maxTimestep: Int? = nil, sftWeight: Float = 0) {
        self.beta = beta
        self.maxTimestep = maxTimestep
        self.sftWeight = sftWeight
    }
}

/// One Diffusion-DPO step's numbers.
public struct DPOStepResult: Sendable, Equatable {
    public var loss: Float
    /// Share of pairs the policy prefers more than the reference does.
    public var implicitAccuracy: Float
    /// Mean of `-β/2 · (policy diff − reference diff)` over the pairs.
    public var margin: Float
    public var gradNorm: Float
    public var timesteps: [Int]
}

/// Diffusion-DPO finetuning (Wallace et al. 2023): a policy trained by `trainer` (its optimiser, EMA,
/// generator and step counter) against a frozen copy of its starting weights. Winner and loser of a pair
/// get the same noise and timestep; labels are never dropped (the pair is about the given condition).
public final class DPOTrainer {
    public let trainer: DiffusionTrainer
    /// The frozen reference: the policy's weights when the trainer was made.
    public let reference: UNet2DModel
    public let options: DPOOptions

    public init(model: DiffusionModel, training: TrainingOptions, options: DPOOptions) throws(DiffusionError) {
        guard options.beta > 0, options.beta.isFinite else {
            throw DiffusionError(.invalidArgument, "DPO beta: expected a positive number, got \(options.beta)")
        }
        guard options.sftWeight >= 0, options.sftWeight.isFinite else {
            throw DiffusionError(.invalidArgument, "DPO SFT weight: expected a number ≥ 0, got \(options.sftWeight)")
        }
        trainer = try DiffusionTrainer(model: model, options: training)
        _ = try trainer.timestepLimit(options.maxTimestep)
        reference = model.unet.copy()
        self.options = options
    }

    /// One step on `P` pairs: `winners` and `losers` are `[P, C, S, S]` in [-1, 1], `labels` their P classes.
    ///
    /// - Throws: `.shapeMismatch`/`.invalidArgument` when the pairs do not fit the model or each other.
    public func step(winners: Tensor, losers: Tensor, labels: [Int]) throws(DiffusionError) -> DPOStepResult {
        guard winners.shape == losers.shape else {
            throw DiffusionError(
                .shapeMismatch, "DPO pairs: winners \(winners.shape) and losers \(losers.shape) differ in shape")
        }
        let unet = trainer.model.unet
        let pairs = winners.shape.first ?? 0
        try unet.checkInputs(sampleShape: winners.shape, timesteps: pairs, classLabels: labels)
        guard pairs >= 1 else { throw DiffusionError(.invalidArgument, "DPO step: no pairs") }
        let limit = try trainer.timestepLimit(options.maxTimestep)
        let t = (0..<pairs).map { _ in Int(trainer.rng.next() % UInt64(limit)) }
        let eps = trainer.rng.normals(winners.count)
        let timesteps = t + t, noise = eps + eps
        let x0 = winners.scalars + losers.scalars
        var shape = winners.shape
        shape[0] = 2 * pairs
        let noisy = Tensor(shape: shape, scalars: try trainer.noised(x0, noise: noise, timesteps: timesteps))
        let target = Tensor(
            shape: shape, scalars: try trainer.denoisingTarget(x0, noise: noise, timesteps: timesteps))
        let both = labels + labels
        let tf = timesteps.map(Float.init)
        let reference = self.reference
        let refErrors = withoutGradients {
            Tensor.mseLossPerSample(reference.forward(noisy, timesteps: tf, classLabels: both), target).scalars
        }
        let ctx = ForwardContext(training: true, rng: PCG32(seed: trainer.rng.next()))
        let errors = Tensor.mseLossPerSample(unet.forward(noisy, timesteps: tf, classLabels: both, context: ctx), target)
        let value = DPOLoss.value(
            policyErrors: errors, referenceErrors: refErrors, beta: options.beta, sftWeight: options.sftWeight)
        value.loss.backward()
        let norm = trainer.applyGradients()
        return DPOStepResult(
            loss: value.loss.scalar, implicitAccuracy: value.implicitAccuracy, margin: value.margin,
            gradNorm: norm, timesteps: t)
    }
}
