import Foundation
import RoundsChecklists
import RoundsCore
import RoundsStore
import RoundsVision

/// `rounds reward train`: fits Γ(x, c) on a rater's plausibility labels (plus the judge's verdicts when
/// asked, and real images with randomly swapped classes weighted by λ_r), reports held-out AUC, saves
/// the reward directory and records it as a checkpoint with objective `reward`.
public struct RewardTrainJob {
    public var classifierDirectory: URL
    public var rater: String
    /// Judge verdicts as labels (1 when every criterion was met); human labels win on the same image.
    public var includeJudge: JudgeSelection?
    /// λ_r: weight of the real-image terms (0 leaves real images out).
    public var lambdaReal: Double
    /// Share of the labelled images (per label) held out for the AUC.
    public var heldOutFraction: Double
    public var options: RewardTrainingOptions
    public var out: URL

    public init(classifierDirectory: URL, rater: String, includeJudge: JudgeSelection? = nil, lambdaReal: Double = 1,
                heldOutFraction: Double = 0.2, options: RewardTrainingOptions = .init(), out: URL) {
        self.classifierDirectory = classifierDirectory
        self.rater = rater
        self.includeJudge = includeJudge
        self.lambdaReal = lambdaReal
        self.heldOutFraction = heldOutFraction
        self.options = options
        self.out = out
    }

    public struct Result {
        public var model: RewardModel
        public var checkpointID: Int64
        /// Examples per source used in training.
        public var counts: [RewardExample.Source: Int]
        public var heldOutImages: Int
        /// Nil when the held-out part lacks plausible or implausible images.
        public var heldOutAUC: Double?
        public var trainingAUC: Double?
        /// Images left out, with the reason (no condition, unknown condition, unreadable file).
        public var skipped: [(imageID: String, reason: String)]
    }

    /// - Throws: `BrokerError` `.emptyInput` when the rater has no plausibility labels (naming the raters
    ///   that have), `.invalidParameter` for λ_r or the held-out share; classifier and store errors.
    public func run(store: Store, catalog: ChecklistCatalog?, progress: ((Int, Double) -> Void)? = nil) throws -> Result {
        guard lambdaReal >= 0, lambdaReal.isFinite else {
            throw BrokerError(.invalidParameter, "--lambda-real: expected a number ≥ 0, got \(lambdaReal)")
        }
        guard heldOutFraction >= 0, heldOutFraction < 1 else {
            throw BrokerError(.invalidParameter, "--held-out: expected 0 ≤ share < 1, got \(heldOutFraction)")
        }
        let labelled = try RewardLabels.collect(store: store, rater: rater, includeJudge: includeJudge, catalog: catalog)
        let classifier = try ConditionClassifier(directory: classifierDirectory)
        let known = Dictionary(uniqueKeysWithValues: classifier.conditions.enumerated().map { ($1, $0) })
        var skipped: [(String, String)] = []
        var usable: [(ImageRecord, Float, RewardExample.Source)] = []
        for (image, label, source) in labelled.items {
            guard let c = image.condition else { skipped.append((image.id, "no condition")); continue }
            guard known[c.description] != nil else {
                skipped.append((image.id, "condition \(c) is not one of the classifier's"))
                continue
            }
            usable.append((image, label, source))
        }
        let reals = lambdaReal > 0
            ? try store.images(origin: .real).filter { $0.split != .test && $0.condition.map { known[$0.description] != nil } == true }
            : []
        let loader = ImageFeatureLoader(classifier: classifier)
        let (features, failed) = try loader.features(of: usable.map(\.0) + reals)
        skipped += failed
        var rng = SplitRNGBroker(seed: options.seed)
        var labelledExamples: [RewardExample] = []
        for (image, label, source) in usable {
            guard let f = features[image.id] else { continue }
            labelledExamples.append(RewardExample(imageID: image.id, features: f, condition: known[image.condition!.description]!,
                                                  label: label, weight: 1, source: source))
        }
        guard !labelledExamples.isEmpty else {
            throw BrokerError(.emptyInput, "\(store.path): none of the \(labelled.items.count) labelled image(s) of rater '\(rater)' could be used (\(skipped.prefix(3).map { "\($0.0.prefix(12)): \($0.1)" }.joined(separator: "; ")))")
        }
        var realExamples: [RewardExample] = []
        for image in reals {
            guard let f = features[image.id], let c = known[image.condition!.description] else { continue }
            if classifier.conditions.count > 1, rng.next() % 2 == 1 {
                var other = Int(rng.next() % UInt64(classifier.conditions.count - 1))
                if other >= c { other += 1 }
                realExamples.append(RewardExample(imageID: image.id, features: f, condition: other, label: 0,
                                                  weight: Float(lambdaReal), source: .realSwapped))
            } else {
                realExamples.append(RewardExample(imageID: image.id, features: f, condition: c, label: 1,
                                                  weight: Float(lambdaReal), source: .realTrue))
            }
        }
        let (trainLabelled, heldOut) = Self.split(labelledExamples, fraction: heldOutFraction, rng: &rng)
        let training = trainLabelled + realExamples
        let model = try RewardModel.train(examples: training, conditions: classifier.conditions,
                                          featureDimension: classifier.featureDimension,
                                          classifierVersion: classifier.version, options: options, progress: progress)
        let heldOutAUC = try Self.auc(model, heldOut)
        let trainingAUC = try Self.auc(model, trainLabelled)
        var counts: [RewardExample.Source: Int] = [:]
        for e in training { counts[e.source, default: 0] += 1 }
        let countsJSON = JSONValue.object(Dictionary(uniqueKeysWithValues: RewardExample.Source.allCases.map {
            ($0.rawValue, JSONValue.number(Double(counts[$0] ?? 0)))
        }))
        model.provenance = [
            "rater": .string(rater), "include_judge": includeJudge.map { .string($0.provenance) } ?? .null,
            "lambda_real": .number(lambdaReal), "held_out_share": .number(heldOutFraction),
            "held_out_images": .number(Double(heldOut.count)), "held_out_auc": heldOutAUC.map { .number($0) } ?? .null,
            "training_auc": trainingAUC.map { .number($0) } ?? .null, "training_examples": countsJSON,
            "classifier_path": .string(classifierDirectory.standardizedFileURL.path),
            "store": .string(store.path), "skipped": .number(Double(skipped.count)),
        ]
        try model.save(to: out)
        let parent = try store.checkpoint(sha256: classifier.version, objective: .classifier,
                                          path: classifierDirectory.standardizedFileURL.path)
        let (record, _) = try store.recordModel(
            path: out.standardizedFileURL.path, sha256: model.version, objective: .reward, parentID: parent?.id,
            hyperParameters: (model.manifest()["training"] ?? [:]).merging(["lambda_real": .number(lambdaReal),
                                                                            "rater": .string(rater)]).canonicalString,
            metrics: JSONValue.object(["held_out_auc": heldOutAUC.map { .number($0) } ?? .null,
                                       "training_auc": trainingAUC.map { .number($0) } ?? .null,
                                       "held_out_images": .number(Double(heldOut.count))]).canonicalString)
        return Result(model: model, checkpointID: record.id ?? 0, counts: counts, heldOutImages: heldOut.count,
                      heldOutAUC: heldOutAUC, trainingAUC: trainingAUC, skipped: skipped)
    }

    static func auc(_ model: RewardModel, _ examples: [RewardExample]) throws -> Double? {
        guard !examples.isEmpty else { return nil }
        let p = try model.predict(features: examples.map(\.features), classes: examples.map(\.condition))
        return try ROCAUC.compute(scores: p.map(Double.init), labels: examples.map { $0.label == 1 })
    }

    /// Stratified by label: `fraction` of each label's examples (at least one when it has two) held out.
    static func split(_ examples: [RewardExample], fraction: Double, rng: inout SplitRNGBroker)
        -> (train: [RewardExample], heldOut: [RewardExample])
    {
        var train: [RewardExample] = [], heldOut: [RewardExample] = []
        for label: Float in [0, 1] {
            var part = examples.filter { $0.label == label }
            for i in stride(from: part.count - 1, to: 0, by: -1) { part.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            var take = Int((Double(part.count) * fraction).rounded())
            if fraction > 0, part.count >= 2 { take = max(take, 1) }
            take = min(take, max(part.count - 1, 0))
            heldOut += part.prefix(take)
            train += part.dropFirst(take)
        }
        return (train, heldOut)
    }
}

extension JSONValue {
    /// This object with `other`'s keys added (other wins); non-objects become `other`.
    func merging(_ other: [String: JSONValue]) -> JSONValue {
        .object((objectValue ?? [:]).merging(other) { _, b in b })
    }
}

/// SplitMix64 for the reward model's splits and class swaps.
struct SplitRNGBroker {
    var state: UInt64
    init(seed: UInt64) { state = seed ^ 0x5EED_0F_2E_3A_4D }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
