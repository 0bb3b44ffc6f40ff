import RoundsCore
import RoundsTensor

/// A small CNN that names the condition an image shows and yields its penultimate features.
///
/// Input images are `[C, S, S]` float arrays in [-1, 1] (the layout `RoundsDiffusion` uses), with
/// `C = channels` and `S = size` as trained. Outputs: softmax probabilities over `conditions`
/// (class-index order), the arg-max prediction, and the 64-d (by default) features the reward model
/// and CAS proximity use. A classifier is versioned by the SHA-256 of its weights file, which equals
/// the SHA-256 of `Safetensors.encode` of its weights, so an unsaved classifier has its version too.
///
/// A classifier (weights in a non-Sendable module) belongs to one task at a time.
public final class ConditionClassifier {
    /// `domain/condition` names in class-index order.
    public let conditions: [String]
    /// Channels, size, layer widths and class count.
    public let architecture: ClassifierArchitecture
    /// How it was trained (options and outcome), as recorded in `classifier.json`.
    public internal(set) var training: ClassifierTrainingRecord
    /// Accuracy on images kept out of training, when the caller measured it (saved in `classifier.json`).
    public var heldOut: HeldOutResult?
    let model: ConditionCNN

    /// Images per forward pass at inference.
    static let inferenceBatch = 128
    /// Metadata written into the safetensors header.
    static let weightsMetadata = ["format": "rounds-classifier", "architecture": ClassifierArchitecture.name]

    init(conditions: [String], model: ConditionCNN, training: ClassifierTrainingRecord, heldOut: HeldOutResult? = nil) {
        self.conditions = conditions
        self.architecture = model.architecture
        self.model = model
        self.training = training
        self.heldOut = heldOut
    }

    /// Image channels (1 or 3).
    public var channels: Int { architecture.channels }
    /// Image side.
    public var size: Int { architecture.size }
    /// Length of each `features` row.
    public var featureDimension: Int { architecture.featureDimension }

    /// The weights as a safetensors file's bytes (F32, names sorted): what `save` writes.
    public func weightsBytes() -> [UInt8] { Safetensors.encode(model.stateDict(), metadata: Self.weightsMetadata) }

    /// SHA-256 (lowercase hex) of the weights file.
    public var version: String { SHA256.hex(weightsBytes()) }

    /// `classifier:<first 12 hex digits of version>`, the short form recorded in `computedBy` columns.
    public var versionTag: String { "classifier:\(version.prefix(12))" }

    /// Runs the network over `images` in batches without recording gradients.
    func forward(_ images: [[Float]]) throws(VisionError) -> (features: [Float], logits: [Float]) {
        try ImageBatch.validate(images, channels: channels, size: size)
        var features: [Float] = [], logits: [Float] = []
        features.reserveCapacity(images.count * featureDimension)
        logits.reserveCapacity(images.count * conditions.count)
        withoutGradients {
            var start = 0
            while start < images.count {
                let end = min(start + Self.inferenceBatch, images.count)
                let x = ImageBatch.stack(images, indices: start..<end, channels: channels, size: size)
                let out = model(x)
                features += out.features.scalars
                logits += out.logits.scalars
                start = end
            }
        }
        return (features, logits)
    }

    /// Softmax probabilities, one row of `conditions.count` per image.
    ///
    /// - Throws: `VisionError.invalidInput` naming the first image of the wrong size or with a non-finite value.
    public func probabilities(_ images: [[Float]]) throws -> [[Float]] {
        softmaxRows(try forward(images).logits, classes: conditions.count)
    }

    /// The most probable class index per image (the lower index on a tie).
    public func predict(_ images: [[Float]]) throws -> [Int] {
        try probabilities(images).map { row in row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) }! }
    }

    /// Penultimate features `[featureDimension]` per image.
    public func features(_ images: [[Float]]) throws -> [[Float]] {
        let f = try forward(images).features, d = featureDimension
        return stride(from: 0, to: f.count, by: d).map { Array(f[$0..<($0 + d)]) }
    }

    /// Share of `images` whose prediction equals their label.
    ///
    /// - Throws: `VisionError.invalidInput` when the counts differ, a label is out of range or the set is empty.
    public func accuracy(images: [[Float]], labels: [Int]) throws -> Double {
        try evaluate(images: images, labels: labels).accuracy
    }

    /// Accuracy overall and per condition, and the confusion matrix.
    public func evaluate(images: [[Float]], labels: [Int]) throws -> ClassifierEvaluation {
        try Self.checkLabels(labels, images: images.count, classes: conditions.count)
        guard !images.isEmpty else { throw VisionError(.invalidInput, "no images to evaluate") }
        let predicted = try predict(images)
        return ClassifierEvaluation(labels: labels, predicted: predicted, conditions: conditions)
    }

    static func checkLabels(_ labels: [Int], images: Int, classes: Int) throws(VisionError) {
        guard labels.count == images else {
            throw VisionError(.invalidInput, "\(images) image(s) but \(labels.count) label(s)")
        }
        if let i = labels.firstIndex(where: { $0 < 0 || $0 >= classes }) {
            throw VisionError(.invalidInput, "label \(i): class index \(labels[i]) outside 0..<\(classes)")
        }
    }
}

/// Accuracy of a classifier on labelled images.
public struct ClassifierEvaluation: Sendable, Hashable {
    public var images: Int
    public var accuracy: Double
    /// Condition -> (images, accuracy), for the conditions that have images.
    public var perCondition: [String: (images: Int, accuracy: Double)] {
        var out: [String: (Int, Double)] = [:]
        for (k, name) in conditions.enumerated() {
            let n = confusion[k].reduce(0, +)
            if n > 0 { out[name] = (n, Double(confusion[k][k]) / Double(n)) }
        }
        return out
    }
    /// `confusion[true][predicted]` counts.
    public var confusion: [[Int]]
    public var conditions: [String]

    init(labels: [Int], predicted: [Int], conditions: [String]) {
        var m = [[Int]](repeating: [Int](repeating: 0, count: conditions.count), count: conditions.count)
        for (t, p) in zip(labels, predicted) { m[t][p] += 1 }
        images = labels.count
        accuracy = Double(zip(labels, predicted).filter { $0 == $1 }.count) / Double(max(labels.count, 1))
        confusion = m
        self.conditions = conditions
    }
}

/// Accuracy on a held-out split, as saved with the classifier.
public struct HeldOutResult: Sendable, Hashable {
    public var images: Int
    public var accuracy: Double
    public init(images: Int, accuracy: Double) {
        self.images = images
        self.accuracy = accuracy
    }
}
