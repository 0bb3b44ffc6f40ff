import RoundsCore

/// One checklist criterion as the scorer needs it: its id and its weight (1 unless the checklist says).
public struct ScoredCriterion: Sendable, Hashable, Codable {
    public var id: String
    public var weight: Double

    public init(id: String, weight: Double = 1) {
        self.id = id
        self.weight = weight
    }
}

/// One judgment of one image: a judge sample (self-consistency sample `k` of run `r`) or a rater's labels.
public struct VerdictSample: Sendable, Hashable {
    /// Who gave the verdicts: a judge run (`"run:12"`) or a rater (`"rater:alice"`). Samples with the
    /// same source are averaged first; sources are then averaged with equal weight.
    public var source: String
    /// Verdict per criterion id. A checklist criterion with no verdict counts as `indeterminate` in a
    /// judge sample; in a rater's sample it is left out (the rater did not label it).
    public var verdicts: [String: Verdict]

    public init(source: String, verdicts: [String: Verdict]) {
        self.source = source
        self.verdicts = verdicts
    }

    /// Whether `source` names a rater (`"rater:<name>"`) rather than a judge run.
    public static func isRater(_ source: String) -> Bool { source.hasPrefix("rater:") }
}

/// Everything said about one image against its target condition's checklist.
public struct ImageVerdicts: Sendable, Hashable {
    public var imageID: String
    public var condition: ConditionID
    public var criteria: [ScoredCriterion]
    public var samples: [VerdictSample]

    public init(imageID: String, condition: ConditionID, criteria: [ScoredCriterion], samples: [VerdictSample]) {
        self.imageID = imageID
        self.condition = condition
        self.criteria = criteria
        self.samples = samples
    }
}

/// An image's score: the (weighted) share of counted criteria met, averaged over samples and sources.
///
/// `score` is nil when no criterion could be counted (every verdict excluded by the policy or every
/// criterion excluded by the trust gate): such an image has no score, which is not a score of 0.
public struct ImageScore: Sendable, Hashable {
    public var imageID: String
    public var condition: ConditionID
    /// Share of criteria met in [0, 1], or nil (see the type's documentation).
    public var score: Double?
    /// Criteria met (a `half` verdict adds 0.5), averaged like the score.
    public var met: Double
    /// Criteria counted (neither excluded by the trust gate nor by the policy), averaged like the score.
    public var counted: Double
    /// Criteria in the checklist.
    public var total: Int
    /// Every source that gave verdicts for the image, sorted (a source whose samples all had no
    /// counted criterion is listed but did not enter the average).
    public var sources: [String]
    /// Judgment samples that contributed (those with at least one counted criterion).
    public var samples: Int
    /// `uncertain` and `indeterminate` verdicts seen, whatever the policy did with them.
    public var unresolved: Int

    public init(
        imageID: String, condition: ConditionID, score: Double?, met: Double, counted: Double, total: Int,
        sources: [String], samples: Int, unresolved: Int
    ) {
        self.imageID = imageID
        self.condition = condition
        self.score = score
        self.met = met
        self.counted = counted
        self.total = total
        self.sources = sources
        self.samples = samples
        self.unresolved = unresolved
    }
}

/// The scores of a set of images with the policy that made them.
public struct ScoreSet: Sendable, Hashable {
    public var scores: [ImageScore]
    public var policy: ScorePolicy

    /// Scores by image id.
    public var byImage: [String: ImageScore] { Dictionary(scores.map { ($0.imageID, $0) }, uniquingKeysWith: { a, _ in a }) }
}
