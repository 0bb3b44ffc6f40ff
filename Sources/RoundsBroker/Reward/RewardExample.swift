/// One training example of the reward model: an image's classifier features, the class it is paired
/// with, its 0/1 plausibility label and its weight in the loss.
public struct RewardExample: Sendable, Hashable {
    /// Where the label came from.
    public enum Source: String, Sendable, Hashable, CaseIterable {
        /// A human rater's plausible/implausible label.
        case human
        /// The judge's verdicts: 1 when every criterion was met, else 0.
        case judge
        /// A real image paired with its own condition: 1.
        case realTrue = "real_true"
        /// A real image paired with a random other condition: 0.
        case realSwapped = "real_swapped"
    }

    public var imageID: String
    public var features: [Float]
    /// Class index into the reward model's conditions.
    public var condition: Int
    /// 0 or 1.
    public var label: Float
    /// 1 for labelled images, λ_r for the real-image terms.
    public var weight: Float
    public var source: Source

    public init(imageID: String, features: [Float], condition: Int, label: Float, weight: Float, source: Source) {
        self.imageID = imageID
        self.features = features
        self.condition = condition
        self.label = label
        self.weight = weight
        self.source = source
    }
}

/// How `RewardModel.train` fits Γ: AdamW on the weighted mean squared error, shuffled mini-batches.
public struct RewardTrainingOptions: Sendable, Hashable {
    public var epochs: Int
    public var batch: Int
    public var learningRate: Float
    public var weightDecay: Float
    /// Width of each projection and of the MLP's hidden layer.
    public var hidden: Int
    public var seed: UInt64

    public init(epochs: Int = 100, batch: Int = 64, learningRate: Float = 2e-3, weightDecay: Float = 1e-4,
                hidden: Int = 64, seed: UInt64 = 0) {
        self.epochs = epochs
        self.batch = batch
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.hidden = hidden
        self.seed = seed
    }

    func validate() throws {
        guard epochs >= 1 else { throw BrokerError(.invalidParameter, "reward epochs: expected at least 1, got \(epochs)") }
        guard batch >= 1 else { throw BrokerError(.invalidParameter, "reward batch: expected at least 1, got \(batch)") }
        guard learningRate > 0, learningRate.isFinite else {
            throw BrokerError(.invalidParameter, "reward learning rate: expected a positive number, got \(learningRate)")
        }
        guard weightDecay >= 0, weightDecay.isFinite else {
            throw BrokerError(.invalidParameter, "reward weight decay: expected a number ≥ 0, got \(weightDecay)")
        }
        guard hidden >= 1, hidden <= 4096 else {
            throw BrokerError(.invalidParameter, "reward hidden width: expected 1...4096, got \(hidden)")
        }
    }
}
