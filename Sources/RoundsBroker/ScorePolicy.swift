import RoundsCore

/// How verdicts become a score: what `uncertain` and `indeterminate` count for, which criteria are
/// left out (the κ trust gate), and whether several judges or raters are averaged.
///
/// The score of one judgment sample is the weighted share of counted criteria met:
///
///     s = Σ_i w_i · v_i / Σ_i w_i      over counted criteria i
///
/// with `v = 1` for `met`, `0` for `not_met`, and for `uncertain`/`indeterminate` the value the
/// policy gives them (`notMet` → 0, `half` → 0.5, `exclude` → the criterion is dropped from both sums
/// for that sample). Criteria in `excludedCriteria` are dropped from both sums everywhere; criteria in
/// `gatedCriteria` (the trust gate) are dropped from judge samples of that condition only, since a
/// rater's own labels are what the gate measured the judge against.
public struct ScorePolicy: Sendable, Hashable, Codable {
    /// What an unresolved verdict (`uncertain` or `indeterminate`) counts for.
    public enum Unresolved: String, Sendable, Hashable, Codable, CaseIterable {
        /// Counted as not met (value 0). The default: a criterion the judge could not confirm is not met.
        case notMet = "not_met"
        /// Counted as half met (value 0.5).
        case half
        /// Dropped from numerator and denominator for that sample.
        case exclude
    }

    /// How `uncertain` verdicts count. Default `.notMet`.
    public var uncertain: Unresolved
    /// How `indeterminate` verdicts (no usable answer) count. Default `.notMet`.
    public var indeterminate: Unresolved
    /// Criterion ids left out of every score, with the reason recorded for provenance
    /// (e.g. `"κ 0.21 < 0.4 against rater alice"`).
    public var excludedCriteria: [String: String]
    /// The trust gate's exclusions: per condition, criterion ids left out of *judge* samples (not of
    /// rater labels), each with its reason (e.g. `"κ 0.21 < 0.4 (run 3 vs alice)"`).
    public var gatedCriteria: [ConditionID: [String: String]]
    /// When true, an image's verdicts from several sources (judges or raters) are averaged, each
    /// source weighing equally whatever its number of samples (MAGIC averages annotators). When
    /// false, verdicts from more than one source for an image are an error.
    public var averageOverSources: Bool

    public init(
        uncertain: Unresolved = .notMet, indeterminate: Unresolved = .notMet,
        excludedCriteria: [String: String] = [:], gatedCriteria: [ConditionID: [String: String]] = [:],
        averageOverSources: Bool = false
    ) {
        self.uncertain = uncertain
        self.indeterminate = indeterminate
        self.excludedCriteria = excludedCriteria
        self.gatedCriteria = gatedCriteria
        self.averageOverSources = averageOverSources
    }

    /// Whether criterion `id` is left out of a sample of `condition` from `source`.
    func excludes(_ id: String, condition: ConditionID, source: String) -> Bool {
        if excludedCriteria[id] != nil { return true }
        return !VerdictSample.isRater(source) && gatedCriteria[condition]?[id] != nil
    }

    /// The value a verdict adds to the numerator, or nil when it is excluded.
    func value(of verdict: Verdict) -> Double? {
        switch verdict {
        case .met: return 1
        case .notMet: return 0
        case .uncertain: return Self.value(uncertain)
        case .indeterminate: return Self.value(indeterminate)
        }
    }

    private static func value(_ rule: Unresolved) -> Double? {
        switch rule {
        case .notMet: return 0
        case .half: return 0.5
        case .exclude: return nil
        }
    }

    /// The policy as JSON, recorded with every score set and preference set.
    public var provenance: JSONValue {
        .object([
            "uncertain": .string(uncertain.rawValue),
            "indeterminate": .string(indeterminate.rawValue),
            "excluded_criteria": .object(excludedCriteria.mapValues { .string($0) }),
            "gated_criteria": .object(
                Dictionary(
                    uniqueKeysWithValues: gatedCriteria.map { ($0.key.description, JSONValue.object($0.value.mapValues { .string($0) })) })),
            "average_over_sources": .bool(averageOverSources),
        ])
    }
}
