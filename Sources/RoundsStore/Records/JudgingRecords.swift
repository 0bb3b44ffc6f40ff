import Foundation
import GRDB
import RoundsCore

/// One judging run against one endpoint and model (table `judgeRun`).
public struct JudgeRunRecord: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "judgeRun"
    /// `abandoned`: the process died while the run was `running` (marked when the next run takes the lock).
    public enum Status: String, Codable, Sendable, CaseIterable { case running, completed, failed, cancelled, abandoned }
    public enum Provider: String, Codable, Sendable, CaseIterable { case openai, anthropic, simulator }

    public var id: Int64?
    /// The endpoint's configured name (or the base URL when given ad hoc).
    public var endpoint: String
    public var baseURL: String
    public var model: String
    public var provider: Provider
    /// JSON object: temperature, samples, max tokens and the like.
    public var parameters: String
    public var startedAt: Date
    public var endedAt: Date?
    public var status: Status
    public var requestCount: Int
    public var succeededCount: Int
    public var failedCount: Int
    public var costUSD: Double

    public init(
        id: Int64? = nil, endpoint: String, baseURL: String, model: String, provider: Provider,
        parameters: String = "{}", startedAt: Date = Date(), endedAt: Date? = nil, status: Status = .running,
        requestCount: Int = 0, succeededCount: Int = 0, failedCount: Int = 0, costUSD: Double = 0
    ) {
        self.id = id
        self.endpoint = endpoint
        self.baseURL = baseURL
        self.model = model
        self.provider = provider
        self.parameters = parameters
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.status = status
        self.requestCount = requestCount
        self.succeededCount = succeededCount
        self.failedCount = failedCount
        self.costUSD = costUSD
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One request to the judge about one image and what came back (table `judgment`).
///
/// A failed request is a judgment with `error` set and no verdicts; it stays "pending" for its
/// (checklist, prompt, model) so the next run retries it.
public struct JudgmentRecord: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "judgment"
    public var id: Int64?
    public var runID: Int64
    public var imageID: String
    public var checklistVersionID: String
    public var promptVersionID: String
    /// SHA-256 of the canonical request plus base URL and model (CLI.md "Request key").
    public var requestKey: String
    /// The canonical request body, each image replaced by its image id.
    public var canonicalRequest: String
    /// Which of n self-consistency samples this is (0 without sampling).
    public var sampleIndex: Int
    public var responseText: String?
    public var latencyMs: Double?
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var costUSD: Double?
    public var attempts: Int
    public var error: String?
    public var createdAt: Date
    /// What the verdict parser found wrong with the answer (a JSON array of strings), nil when nothing.
    public var problems: String?
    /// Set on a successful judgment of a request key and sample that already had one: the first one's
    /// id. Only the first counts; the later paid answer is kept, not dropped (schema v5).
    public var duplicateOf: Int64?

    public init(
        id: Int64? = nil, runID: Int64, imageID: String, checklistVersionID: String, promptVersionID: String,
        requestKey: String, canonicalRequest: String, sampleIndex: Int = 0, responseText: String? = nil,
        latencyMs: Double? = nil, promptTokens: Int? = nil, completionTokens: Int? = nil, costUSD: Double? = nil,
        attempts: Int = 1, error: String? = nil, createdAt: Date = Date(), problems: [String] = [],
        duplicateOf: Int64? = nil
    ) {
        self.problems = problems.isEmpty ? nil
            : String(decoding: (try? JSONEncoder().encode(problems)) ?? Data("[]".utf8), as: UTF8.self)
        self.duplicateOf = duplicateOf
        self.id = id
        self.runID = runID
        self.imageID = imageID
        self.checklistVersionID = checklistVersionID
        self.promptVersionID = promptVersionID
        self.requestKey = requestKey
        self.canonicalRequest = canonicalRequest
        self.sampleIndex = sampleIndex
        self.responseText = responseText
        self.latencyMs = latencyMs
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.costUSD = costUSD
        self.attempts = attempts
        self.error = error
        self.createdAt = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// The judge's verdict on one criterion within one judgment (table `criterionVerdict`).
public struct CriterionVerdictRecord: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "criterionVerdict"
    public var id: Int64?
    public var judgmentID: Int64
    public var criterionID: String
    public var verdict: Verdict
    public var evidence: String?
    /// In [0, 1] when the model gave one.
    public var confidence: Double?
    /// Share of self-consistency samples that agreed with `verdict`, in [0, 1].
    public var agreement: Double?

    public init(
        id: Int64? = nil, judgmentID: Int64, criterionID: String, verdict: Verdict, evidence: String? = nil,
        confidence: Double? = nil, agreement: Double? = nil
    ) {
        self.id = id
        self.judgmentID = judgmentID
        self.criterionID = criterionID
        self.verdict = verdict
        self.evidence = evidence
        self.confidence = confidence
        self.agreement = agreement
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
