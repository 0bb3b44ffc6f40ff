import Foundation
import RoundsCore
import RoundsStore
import RoundsVision

/// `rounds reward score`: predicted plausibility Γ(x, c) of stored images for their own condition,
/// appended to `alignmentScore` with dimension `reward`, `computedBy` = `reward:<reward model SHA-256>`
/// and `reference` = `classifier:<classifier SHA-256>`.
public struct RewardScoreJob {
    public static let dimension = "reward"
    public var rewardDirectory: URL
    /// The classifier to read features with; default: the path recorded in `reward.json`.
    public var classifierDirectory: URL?
    public var condition: ConditionID?
    /// Which images (default synthetic).
    public var origin: ImageOrigin?

    public init(rewardDirectory: URL, classifierDirectory: URL? = nil, condition: ConditionID? = nil,
                origin: ImageOrigin? = .synthetic) {
        self.rewardDirectory = rewardDirectory
        self.classifierDirectory = classifierDirectory
        self.condition = condition
        self.origin = origin
    }

    public struct Result: Sendable {
        public var version: String
        /// (image id, condition, Γ) per stored score.
        public var scores: [(imageID: String, condition: String, reward: Double)]
        public var skipped: [(imageID: String, reason: String)]
    }

    /// - Throws: `BrokerError` `.invalidInput` when the classifier is not the one the reward model was
    ///   trained on, `.emptyInput` when no image qualifies; load and store errors.
    public func run(store: Store) throws -> Result {
        let model = try RewardModel(directory: rewardDirectory)
        let classifierURL: URL
        if let classifierDirectory { classifierURL = classifierDirectory } else {
            guard let recorded = model.provenance["classifier_path"]?.stringValue else {
                throw BrokerError(.invalidInput, "\(rewardDirectory.path)/\(RewardModel.manifestFile): provenance.classifier_path is missing; pass --classifier")
            }
            classifierURL = URL(fileURLWithPath: recorded)
        }
        let classifier = try ConditionClassifier(directory: classifierURL)
        guard classifier.version == model.classifierVersion else {
            throw BrokerError(
                .invalidInput,
                "\(classifierURL.path): classifier version \(classifier.version.prefix(12)) is not the one the reward model in \(rewardDirectory.path) was trained on (\(model.classifierVersion.prefix(12)))")
        }
        let known = Dictionary(uniqueKeysWithValues: model.conditions.enumerated().map { ($1, $0) })
        var skipped: [(String, String)] = []
        var images: [ImageRecord] = []
        for image in try store.images(condition: condition, origin: origin) {
            guard let c = image.condition else { skipped.append((image.id, "no condition")); continue }
            guard known[c.description] != nil else {
                skipped.append((image.id, "condition \(c) is not one of the reward model's")); continue
            }
            images.append(image)
        }
        guard !images.isEmpty else {
            throw BrokerError(
                .emptyInput,
                "\(store.path): no \(origin?.rawValue ?? "stored") image\(condition.map { " of \($0)" } ?? "") with a condition the reward model knows (\(model.conditions.joined(separator: ", ")))")
        }
        let (features, failed) = try ImageFeatureLoader(classifier: classifier).features(of: images)
        skipped += failed
        let ready = images.filter { features[$0.id] != nil }
        let rewards = try model.predict(features: ready.map { features[$0.id]! },
                                        classes: ready.map { known[$0.condition!.description]! })
        let computedBy = "reward:\(model.version)"
        let reference = "classifier:\(classifier.version)"
        try store.addAlignmentScores(zip(ready, rewards).map { image, r in
            AlignmentScoreRecord(imageID: image.id, dimension: Self.dimension, score: Double(r), computedBy: computedBy,
                                 reference: reference)
        })
        return Result(version: model.version,
                      scores: zip(ready, rewards).map { ($0.id, $0.condition!.description, Double($1)) },
                      skipped: skipped)
    }
}
