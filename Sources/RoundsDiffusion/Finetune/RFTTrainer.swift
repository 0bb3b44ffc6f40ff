import RoundsTensor

/// One training image of a finetuning set: `[C, S, S]` in [-1, 1], its class and (synthetic images) weight.
public struct FinetuneExample: Sendable {
    public var image: [Float]
    public var label: Int
    public var weight: Float

    public init(image: [Float], label: Int, weight: Float = 1) {
        self.image = image
        self.label = label
        self.weight = weight
    }
}

/// Settings of reward-weighted finetuning (Sun et al. 2023; MAGIC's RFT route).
public struct RFTOptions: Sendable, Equatable {
    /// β_r: the weight of the plain denoising loss on real images.
    public var realWeight: Float = 0.3
    /// ρ: the share of each batch drawn from the weighted synthetic images (the rest are real).
    public var syntheticShare: Double = 0.2
    public var batch: Int = 32

    public init(realWeight: Float = 0.3, syntheticShare: Double = 0.2, batch: Int = 32) {
        self.realWeight = realWeight
        self.syntheticShare = syntheticShare
        self.batch = batch
    }

    /// Synthetic and real examples per batch: `round(ρ·B)` synthetic (at least 1 when ρ > 0), the rest
    /// real; all synthetic when there are no real images.
    public func composition(hasReal: Bool) -> (synthetic: Int, real: Int) {
        guard hasReal else { return (batch, 0) }
        var s = Int((syntheticShare * Double(batch)).rounded())
        if syntheticShare > 0 { s = Swift.max(s, 1) }
        s = Swift.min(s, batch)
        return (s, batch - s)
    }
}

/// The numbers of one RFT step.
public struct RFTStepResult: Sendable, Equatable {
    /// The optimised loss, `(1/n_s) Σ w·L_s + β_r (1/n_r) Σ L_r`.
    public var loss: Float
    /// Mean plain loss of the synthetic and of the real part (nan when a part is empty).
    public var syntheticLoss: Float, realLoss: Float
    public var gradNorm: Float
}

/// Reward-weighted finetuning: per batch, ρ·B synthetic images weighted by their reward-derived weights
/// and (1−ρ)·B real images weighted by β_r:
///
///     L = (1/n_s) Σ_s w_s · L_s  +  β_r · (1/n_r) Σ_r L_r
///
/// where L is the per-sample denoising MSE. Implemented as one batch with per-sample weights
/// `w_s·B/n_s` and `β_r·B/n_r` in `DiffusionTrainer`'s `(1/B) Σ weightᵢ Lᵢ`, so with ρ = 1 and all
/// weights 1 it is the plain training step, bit for bit. Each pool is visited in seeded epochs.
public final class RFTTrainer {
    public let trainer: DiffusionTrainer
    public let options: RFTOptions
    private let synthetic: [FinetuneExample]
    private let real: [FinetuneExample]
    private var syntheticOrder: BatchOrder
    private var realOrder: BatchOrder?
    private let composition: (synthetic: Int, real: Int)

    public init(
        model: DiffusionModel, training: TrainingOptions, options: RFTOptions,
        synthetic: [FinetuneExample], real: [FinetuneExample]
    ) throws(DiffusionError) {
        guard !synthetic.isEmpty else {
            throw DiffusionError(.invalidArgument, "RFT: the signal has no synthetic images")
        }
        guard options.batch >= 1 else {
            throw DiffusionError(.invalidArgument, "RFT batch: expected at least 1, got \(options.batch)")
        }
        guard options.syntheticShare > 0, options.syntheticShare <= 1 else {
            throw DiffusionError(
                .invalidArgument, "RFT synthetic share ρ: expected 0 < ρ ≤ 1, got \(options.syntheticShare)")
        }
        guard options.realWeight >= 0, options.realWeight.isFinite else {
            throw DiffusionError(.invalidArgument, "RFT real weight β_r: expected ≥ 0, got \(options.realWeight)")
        }
        if let bad = synthetic.firstIndex(where: { !($0.weight >= 0 && $0.weight.isFinite) }) {
            throw DiffusionError(
                .invalidArgument, "RFT: synthetic image \(bad) has weight \(synthetic[bad].weight); expected ≥ 0")
        }
        trainer = try DiffusionTrainer(model: model, options: training)
        self.options = options
        self.synthetic = synthetic
        self.real = real
        composition = options.composition(hasReal: !real.isEmpty && options.syntheticShare < 1)
        syntheticOrder = BatchOrder(count: synthetic.count, batchSize: composition.synthetic, seed: training.seed)
        realOrder = composition.real > 0
            ? BatchOrder(count: real.count, batchSize: composition.real, seed: training.seed &+ 1) : nil
    }

    /// Step `trainer.step + 1`: builds its batch and takes one optimiser step.
    public func step() throws(DiffusionError) -> RFTStepResult {
        let k = trainer.step
        let s = syntheticOrder.indices(step: k).map { synthetic[$0] }
        let r = realOrder.map { order -> [FinetuneExample] in
            var o = order
            defer { realOrder = o }
            return o.indices(step: k).map { real[$0] }
        } ?? []
        let b = Float(options.batch)
        let ws = Float(b) / Float(s.count)
        var weights = s.map { $0.weight * ws }
        if !r.isEmpty { weights += Array(repeating: options.realWeight * b / Float(r.count), count: r.count) }
        let all = s + r
        let m = trainer.model.manifest
        let images = Tensor(
            shape: [all.count, trainer.model.unet.config.inChannels, m.imageSize, m.imageSize],
            scalars: all.flatMap(\.image))
        let result = try trainer.train(images: images, labels: all.map(\.label), sampleWeights: weights)
        func mean(_ xs: ArraySlice<Float>) -> Float { xs.isEmpty ? .nan : xs.reduce(0, +) / Float(xs.count) }
        return RFTStepResult(
            loss: result.loss, syntheticLoss: mean(result.perSample[..<s.count]),
            realLoss: mean(result.perSample[s.count...]), gradNorm: result.gradNorm)
    }
}
