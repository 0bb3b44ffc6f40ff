/// How `ConditionClassifier.train` fits the network: AdamW on softmax cross-entropy with shuffled
/// mini-batches, a cosine-decayed learning rate, and (optionally) random flips.
public struct ClassifierTrainingOptions: Sendable, Hashable {
    /// Passes over the training images.
    public var epochs: Int
    /// Images per optimisation step.
    public var batch: Int
    /// Peak AdamW learning rate (cosine decay to 0 over all steps after a short warm-up).
    public var learningRate: Float
    /// AdamW decoupled weight decay.
    public var weightDecay: Float
    /// Seed of initialisation, shuffling and augmentation: equal seeds give equal weights.
    public var seed: UInt64
    /// Random horizontal and vertical flips of each training image (lesions have no up or left).
    public var augment: Bool
    /// Output channels of the three convolutions (the last is the feature dimension).
    public var widths: [Int]

    public init(epochs: Int = 16, batch: Int = 32, learningRate: Float = 3e-3, weightDecay: Float = 1e-4,
                seed: UInt64 = 0, augment: Bool = true, widths: [Int] = [16, 32, 64]) {
        self.epochs = epochs
        self.batch = batch
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.seed = seed
        self.augment = augment
        self.widths = widths
    }

    /// Epochs for a training set of `images`: 16, or more so that training takes at least
    /// `minimumSteps` optimisation steps (small sets need more passes; 64 images per condition of the
    /// procedural benchmark reach full held-out accuracy at about 300 steps, not at 16 epochs).
    public static func automaticEpochs(images: Int, batch: Int = 32, minimumSteps: Int = 320) -> Int {
        let stepsPerEpoch = max(1, (images + max(batch, 1) - 1) / max(batch, 1))
        return max(16, (minimumSteps + stepsPerEpoch - 1) / stepsPerEpoch)
    }

    func validate() throws(VisionError) {
        guard epochs >= 1 else { throw VisionError(.invalidParameter, "epochs: expected at least 1, got \(epochs)") }
        guard batch >= 1 else { throw VisionError(.invalidParameter, "batch: expected at least 1, got \(batch)") }
        guard learningRate > 0, learningRate.isFinite else {
            throw VisionError(.invalidParameter, "learning rate: expected a positive number, got \(learningRate)")
        }
        guard weightDecay >= 0, weightDecay.isFinite else {
            throw VisionError(.invalidParameter, "weight decay: expected a number ≥ 0, got \(weightDecay)")
        }
    }
}
