import Foundation
import RoundsCore
import RoundsTensor

/// The learned reward model Γ(x, c) ∈ (0, 1) of Sun et al. 2023: predicted plausibility of an image x
/// shown as condition c, on the features of a `ConditionClassifier` (whose version it records).
///
/// Trained by weighted MSE, `L = Σ_i w_i (Γ(x_i, c_i) - y_i)² / Σ_i w_i`, with `w = 1` on labelled
/// images and `w = λ_r` on real images paired with their own (y = 1) or a random other (y = 0) class.
/// Versioned by the SHA-256 of its weights file. Belongs to one task at a time.
public final class RewardModel {
    /// `domain/condition` in class-index order (the classifier's).
    public let conditions: [String]
    /// SHA-256 of the classifier whose features this model reads.
    public let classifierVersion: String
    public let options: RewardTrainingOptions
    /// Provenance saved in `reward.json` (labels used, λ_r, held-out AUC, ...), set by the caller.
    public var provenance: [String: JSONValue]
    let network: RewardNetwork

    static let weightsMetadata = ["format": "rounds-reward"]

    init(conditions: [String], classifierVersion: String, options: RewardTrainingOptions, network: RewardNetwork,
         provenance: [String: JSONValue] = [:]) {
        self.conditions = conditions
        self.classifierVersion = classifierVersion
        self.options = options
        self.network = network
        self.provenance = provenance
    }

    public var featureDimension: Int { network.featureDimension }

    /// The weights file's bytes.
    public func weightsBytes() -> [UInt8] { Safetensors.encode(network.stateDict(), metadata: Self.weightsMetadata) }
    /// SHA-256 of the weights file.
    public var version: String { SHA256.hex(weightsBytes()) }
    /// `reward:<first 12 hex digits>`, recorded as `computedBy` of stored reward scores.
    public var versionTag: String { "reward:\(version.prefix(12))" }

    /// Γ for each (features, class) pair.
    ///
    /// - Throws: `BrokerError.invalidInput` for a row of the wrong length, a non-finite value or a class
    ///   index out of range.
    public func predict(features: [[Float]], classes: [Int]) throws -> [Float] {
        try Self.check(features: features, classes: classes, dimension: featureDimension, count: conditions.count)
        var out: [Float] = []
        out.reserveCapacity(features.count)
        withoutGradients {
            var start = 0
            while start < features.count {
                let end = min(start + 256, features.count)
                let x = Tensor(shape: [end - start, featureDimension], scalars: Array(features[start..<end].joined()))
                out += network(x, classes: Array(classes[start..<end])).scalars
                start = end
            }
        }
        return out
    }

    static func check(features: [[Float]], classes: [Int], dimension: Int, count: Int) throws {
        guard features.count == classes.count else {
            throw BrokerError(.invalidInput, "reward model: \(features.count) feature row(s) but \(classes.count) class(es)")
        }
        for (i, row) in features.enumerated() {
            guard row.count == dimension else {
                throw BrokerError(.invalidInput, "reward model: feature row \(i) has \(row.count) values, expected \(dimension)")
            }
            if let j = row.firstIndex(where: { !$0.isFinite }) {
                throw BrokerError(.nonFiniteValue, "reward model: feature row \(i), value \(j) is \(row[j])")
            }
        }
        if let i = classes.firstIndex(where: { $0 < 0 || $0 >= count }) {
            throw BrokerError(.invalidInput, "reward model: class index \(classes[i]) of row \(i) outside 0..<\(count)")
        }
    }

    /// Trains Γ on `examples`.
    ///
    /// - Parameter progress: called after each epoch with (epoch from 1, weighted MSE).
    /// - Throws: `BrokerError` `.emptyInput` without examples, `.invalidInput` for bad rows or labels
    ///   other than 0/1, `.invalidParameter` for bad options or a diverging loss.
    public static func train(
        examples: [RewardExample], conditions: [String], featureDimension: Int, classifierVersion: String,
        options: RewardTrainingOptions = .init(), progress: ((Int, Double) -> Void)? = nil
    ) throws -> RewardModel {
        try options.validate()
        guard !examples.isEmpty else { throw BrokerError(.emptyInput, "reward model: no training examples") }
        guard conditions.count >= 1 else { throw BrokerError(.invalidInput, "reward model: no conditions") }
        try check(features: examples.map(\.features), classes: examples.map(\.condition), dimension: featureDimension,
                  count: conditions.count)
        if let bad = examples.first(where: { ($0.label != 0 && $0.label != 1) || !($0.weight >= 0) || !$0.weight.isFinite }) {
            throw BrokerError(.invalidInput, "reward model: example for image \(bad.imageID): label \(bad.label) (expected 0 or 1), weight \(bad.weight) (expected ≥ 0)")
        }
        var rng = PCG32(seed: options.seed)
        let network = RewardNetwork(featureDimension: featureDimension, classes: conditions.count,
                                    hidden: options.hidden, rng: &rng)
        network.normalizer.fit(examples.map(\.features))
        let parameters = network.trainableParameters
        let optimizer = AdamW(parameters: parameters, learningRate: options.learningRate, weightDecay: options.weightDecay)
        var order = Array(examples.indices)
        for epoch in 1...options.epochs {
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.nextUInt32() % UInt32(i + 1))) }
            var lossSum = 0.0, weightSum = 0.0
            var start = 0
            while start < order.count {
                let batch = order[start..<min(start + options.batch, order.count)].map { examples[$0] }
                start += batch.count
                let w = batch.reduce(Float(0)) { $0 + $1.weight }
                guard w > 0 else { continue }
                let x = Tensor(shape: [batch.count, featureDimension], scalars: Array(batch.map(\.features).joined()))
                let p = network(x, classes: batch.map(\.condition))
                var seed = [Float](repeating: 0, count: batch.count)
                for (i, e) in batch.enumerated() {
                    let d = p.scalars[i] - e.label
                    lossSum += Double(e.weight * d * d)
                    seed[i] = 2 * e.weight * d / w
                }
                weightSum += Double(w)
                guard lossSum.isFinite else {
                    throw BrokerError(.invalidParameter, "reward model: training diverged at epoch \(epoch); lower the learning rate")
                }
                p.backward(seed: Tensor(shape: p.shape, scalars: seed))
                optimizer.step()
                optimizer.zeroGrad()
            }
            progress?(epoch, weightSum > 0 ? lossSum / weightSum : 0)
        }
        return RewardModel(conditions: conditions, classifierVersion: classifierVersion, options: options, network: network)
    }
}
