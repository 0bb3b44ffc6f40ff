import Foundation
import RoundsTensor

/// What training did, as recorded in `classifier.json`.
public struct ClassifierTrainingRecord: Sendable, Hashable {
    public var options: ClassifierTrainingOptions
    /// Training images.
    public var images: Int
    /// Mean cross-entropy and accuracy (with augmentation, as seen while training) of the last epoch.
    public var finalLoss: Double
    public var finalAccuracy: Double
    /// Wall-clock seconds of training.
    public var seconds: Double
}

extension ConditionClassifier {
    /// Trains a classifier from scratch.
    ///
    /// Softmax cross-entropy `L = -mean_i log softmax(z_i)[y_i]` on shuffled mini-batches, AdamW with
    /// linear warm-up (one epoch at most, a tenth of all steps) then cosine decay, and when
    /// `options.augment` a random horizontal and vertical flip per image and step. The logits'
    /// gradient `(softmax(z) - onehot(y)) / B` seeds the backward pass.
    ///
    /// - Parameters:
    ///   - images: `[channels, size, size]` arrays in [-1, 1].
    ///   - labels: class index per image, in `0..<conditions.count`.
    ///   - conditions: `domain/condition` per class index (at least two, distinct).
    ///   - progress: called after each epoch with (epoch from 1, mean loss, training accuracy).
    /// - Throws: `VisionError` `.invalidInput` (counts, sizes, labels, duplicate conditions),
    ///   `.invalidParameter` (options, channels, size), or when the loss stops being finite.
    public static func train(
        images: [[Float]], labels: [Int], conditions: [String], channels: Int, size: Int,
        options: ClassifierTrainingOptions = .init(), progress: ((Int, Double, Double) -> Void)? = nil
    ) throws -> ConditionClassifier {
        try options.validate()
        let architecture = ClassifierArchitecture(channels: channels, size: size, widths: options.widths,
                                                  classes: conditions.count)
        try architecture.validate("classifier")
        if let dup = Dictionary(grouping: conditions, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw VisionError(.invalidInput, "condition '\(dup)' appears more than once in the class list")
        }
        guard !images.isEmpty else { throw VisionError(.invalidInput, "no training images") }
        try checkLabels(labels, images: images.count, classes: conditions.count)
        try ImageBatch.validate(images, channels: channels, size: size)

        let started = Date()
        var rng = PCG32(seed: options.seed)
        let model = ConditionCNN(architecture: architecture, rng: &rng)
        let parameters = model.namedParameters()
        let optimizer = AdamW(parameters: parameters, learningRate: options.learningRate,
                              weightDecay: options.weightDecay)
        let n = images.count, k = conditions.count
        let stepsPerEpoch = (n + options.batch - 1) / options.batch
        let totalSteps = stepsPerEpoch * options.epochs
        let schedule = WarmupCosineSchedule(baseLearningRate: options.learningRate,
                                            warmupSteps: min(stepsPerEpoch, totalSteps / 10), totalSteps: totalSteps)
        var step = 0
        var lastLoss = 0.0, lastAccuracy = 0.0
        var order = Array(0..<n)
        for epoch in 1...options.epochs {
            shuffle(&order, using: &rng)
            var lossSum = 0.0, correct = 0
            var start = 0
            while start < n {
                let indices = order[start..<min(start + options.batch, n)]
                start += indices.count
                let flips = options.augment
                    ? indices.map { _ in (h: rng.nextUInt32() & 1 == 1, v: rng.nextUInt32() & 1 == 1) } : nil
                let x = ImageBatch.stack(images, indices: indices, channels: channels, size: size, flips: flips)
                let logits = model(x).logits
                let probabilities = softmaxRows(logits.scalars, classes: k)
                var seed = [Float](repeating: 0, count: indices.count * k)
                let scale = 1 / Float(indices.count)
                for (row, i) in indices.enumerated() {
                    let p = probabilities[row], y = labels[i]
                    lossSum -= Foundation.log(max(Double(p[y]), 1e-12))
                    if p.indices.max(by: { p[$0] < p[$1] }) == y { correct += 1 }
                    for c in 0..<k { seed[row * k + c] = (p[c] - (c == y ? 1 : 0)) * scale }
                }
                guard lossSum.isFinite, probabilities.allSatisfy({ $0.allSatisfy(\.isFinite) }) else {
                    throw VisionError(
                        .invalidParameter,
                        "training diverged at epoch \(epoch), step \(step + 1) (non-finite loss); lower the learning rate (\(options.learningRate))")
                }
                optimizer.learningRate = schedule.learningRate(at: step)
                logits.backward(seed: Tensor(shape: logits.shape, scalars: seed))
                clipGradientNorm(parameters, maxNorm: 5)
                optimizer.step()
                optimizer.zeroGrad()
                step += 1
            }
            lastLoss = lossSum / Double(n)
            lastAccuracy = Double(correct) / Double(n)
            progress?(epoch, lastLoss, lastAccuracy)
        }
        let record = ClassifierTrainingRecord(options: options, images: n, finalLoss: lastLoss,
                                              finalAccuracy: lastAccuracy, seconds: Date().timeIntervalSince(started))
        return ConditionClassifier(conditions: conditions, model: model, training: record)
    }

    /// Fisher-Yates with PCG32's bounded draws (the same order on every platform and Swift version).
    static func shuffle(_ a: inout [Int], using rng: inout PCG32) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            let j = Int(rng.nextUInt32() % UInt32(i + 1))
            a.swapAt(i, j)
        }
    }
}
