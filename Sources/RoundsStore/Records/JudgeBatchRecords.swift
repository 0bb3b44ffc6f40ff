import Foundation
import GRDB

/// One OpenAI Batch API submission (table `judgeBatch`): the judge run it belongs to, the provider's
/// batch and file ids, and how far collecting it got.
public struct JudgeBatchRecord: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "judgeBatch"
    public var id: Int64?
    public var runID: Int64
    /// The provider's batch id (`batch_…`).
    public var providerBatchID: String
    public var inputFileID: String
    /// Where the uploaded JSONL was written.
    public var jsonlPath: String?
    /// SHA-256 of the uploaded JSONL's bytes.
    public var jsonlSHA256: String
    /// The provider's status as last seen (`validating`, `in_progress`, `completed`, `failed`, `expired`, …).
    public var status: String
    public var outputFileID: String?
    public var errorFileID: String?
    public var requestCount: Int
    public var submittedAt: Date
    public var checkedAt: Date?
    /// Set once every line's result is stored; a collected batch is never read again.
    public var collectedAt: Date?

    public init(
        id: Int64? = nil, runID: Int64, providerBatchID: String, inputFileID: String, jsonlPath: String?,
        jsonlSHA256: String, status: String, outputFileID: String? = nil, errorFileID: String? = nil,
        requestCount: Int, submittedAt: Date = Date(), checkedAt: Date? = nil, collectedAt: Date? = nil
    ) {
        self.id = id
        self.runID = runID
        self.providerBatchID = providerBatchID
        self.inputFileID = inputFileID
        self.jsonlPath = jsonlPath
        self.jsonlSHA256 = jsonlSHA256
        self.status = status
        self.outputFileID = outputFileID
        self.errorFileID = errorFileID
        self.requestCount = requestCount
        self.submittedAt = submittedAt
        self.checkedAt = checkedAt
        self.collectedAt = collectedAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One request line of a submitted batch (table `judgeBatchItem`), kept so its result can be stored
/// with full provenance when it comes back.
public struct JudgeBatchItemRecord: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "judgeBatchItem"
    public var id: Int64?
    public var batchID: Int64
    /// The line's `custom_id`: the request key (CLI.md).
    public var customID: String
    public var imageID: String
    public var checklistVersionID: String
    public var promptVersionID: String
    public var canonicalRequest: String
    /// JSON `[{"id": …, "text": …}]`: the criteria asked, to read the answer against.
    public var criteria: String
    /// The judgment stored from this line's result; nil until collected.
    public var judgmentID: Int64?

    public init(
        id: Int64? = nil, batchID: Int64, customID: String, imageID: String, checklistVersionID: String,
        promptVersionID: String, canonicalRequest: String, criteria: String, judgmentID: Int64? = nil
    ) {
        self.id = id
        self.batchID = batchID
        self.customID = customID
        self.imageID = imageID
        self.checklistVersionID = checklistVersionID
        self.promptVersionID = promptVersionID
        self.canonicalRequest = canonicalRequest
        self.criteria = criteria
        self.judgmentID = judgmentID
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
