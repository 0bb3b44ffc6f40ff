import RoundsCore

/// How one judgment ended.
public enum JudgeStatus: String, Sendable, Hashable, Codable {
    /// Every criterion got met, not_met or uncertain.
    case judged
    /// The answer was read but some criteria are indeterminate (missing, unknown values), even after repair.
    case incomplete
    /// No JSON could be read from the answer, even after the repair request: all criteria indeterminate.
    case unparseable
    /// The model refused (`message.refusal`, `content_filter`, Anthropic `refusal`).
    case refused
    /// The answer was cut off by the token limit.
    case truncated
    /// The request failed (HTTP error, transport error) after retries; see `error`.
    case failed
    /// Never sent: the privacy guard refused it.
    case blocked
}

/// One request/answer exchange (one sample of a judgment).
public struct SampleOutcome: Sendable {
    public var status: JudgeStatus
    public var requestKey: String
    /// The canonical request body with image ids in place of the base64 (provenance).
    public var canonicalRequest: String
    public var responseText: String?
    public var rawResponse: String?
    public var refusal: String?
    /// The model the endpoint says answered.
    public var model: String?
    public var verdicts: [CriterionVerdict]
    /// Problems found reading the answer (before repair, then after).
    public var problems: [String]
    public var usage: TokenUsage
    /// HTTP attempts, retries and the repair request included.
    public var attempts: Int
    /// Seconds of the successful exchange(s), repair included; 0 when nothing came back.
    public var latency: Double
    public var repaired: Bool
    public var seed: Int?
    public var temperature: Double?
    public var error: JudgeError?
    /// Set when this sample is an earlier run's stored, successful judgment (re-counted, not re-sent
    /// and not stored again).
    public var storedJudgmentID: Int64? = nil

    /// Only complete, successful answers may be cached; errors, refusals, truncated and unreadable
    /// answers are always asked again.
    public var isCacheable: Bool { status == .judged }
}

/// Everything the store needs about one image's judgment.
public struct JudgeOutcome: Sendable {
    public var status: JudgeStatus
    /// For one sample, that request's key; for several, SHA-256 of the sample keys joined by newlines.
    public var requestKey: String
    /// For one sample, its canonical body; for several, a JSON array of them.
    public var canonicalRequest: String
    /// Per criterion, in checklist order: the verdict (majority over samples), evidence and confidence.
    public var verdicts: [CriterionVerdict]
    public var samples: [SampleOutcome]
    public var endpointName: String
    public var model: String
    public var usage: TokenUsage
    /// USD from the endpoint's prices.
    public var cost: Double
    public var attempts: Int
    public var latency: Double
    /// The first error among the samples, if any.
    public var error: JudgeError?
    /// True when the run should stop (quota or spend limit; or the run-level identical-failure cap).
    public var stopsRun: Bool

    public var isCacheable: Bool { !samples.isEmpty && samples.allSatisfy(\.isCacheable) }
    /// The first sample's answer text.
    public var responseText: String? { samples.first?.responseText }
}

/// Self-consistency: the majority verdict per criterion over several samples.
///
/// Each sample votes with its verdict; indeterminate votes are not counted for any verdict but do count
/// in the denominator. The verdict with most votes wins, with confidence = votes / samples. A tie at
/// the top gives `uncertain` (confidence = the tied count / samples): a judge that cannot make up its
/// mind is uncertain, and no verdict is favoured by list order. No votes at all gives `indeterminate`.
public enum MajorityVote {
    public static func combine(_ samples: [[CriterionVerdict]], criteria: [JudgeCriterion]) -> [CriterionVerdict] {
        let n = Double(max(1, samples.count))
        return criteria.map { criterion in
            let votes = samples.compactMap { s in s.first { $0.id == criterion.id } }
            var counts: [Verdict: Int] = [:]
            for v in votes where v.verdict != .indeterminate { counts[v.verdict, default: 0] += 1 }
            guard let top = counts.values.max() else {
                let reason = votes.compactMap(\.reason).first ?? "no sample answered"
                return CriterionVerdict.indeterminate(criterion.id, samples.count > 1 ? "no sample answered: \(reason)" : reason)
            }
            let leaders = counts.filter { $0.value == top }.map(\.key)
            let winner = leaders.count == 1 ? leaders[0] : .uncertain
            let evidence = votes.first { $0.verdict == winner }?.evidence
                ?? votes.filter { leaders.contains($0.verdict) }.map(\.evidence).joined(separator: " / ")
            return CriterionVerdict(
                id: criterion.id, verdict: winner, evidence: evidence, confidence: Double(top) / n,
                reason: leaders.count > 1 ? "tie between \(leaders.map(\.rawValue).sorted().joined(separator: " and "))" : nil)
        }
    }
}
