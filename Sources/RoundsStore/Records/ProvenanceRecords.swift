import Foundation
import GRDB

/// A checklist as it was when used (table `checklistVersion`), keyed by the SHA-256 of its canonical JSON.
public struct ChecklistVersionRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "checklistVersion"
    public var id: String
    public var condition: String
    public var yaml: String
    public var createdAt: Date

    public init(id: String, condition: String, yaml: String, createdAt: Date = Date()) {
        self.id = id
        self.condition = condition
        self.yaml = yaml
        self.createdAt = createdAt
    }
}

/// A prompt template as it was when used (table `promptVersion`), keyed by the SHA-256 of its bytes.
public struct PromptVersionRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "promptVersion"
    public var id: String
    public var name: String
    public var body: String
    public var createdAt: Date

    public init(id: String, name: String, body: String, createdAt: Date = Date()) {
        self.id = id
        self.name = name
        self.body = body
        self.createdAt = createdAt
    }
}

/// A model checkpoint and where it came from (table `checkpoint`); `parentID` links the lineage.
public struct CheckpointRecord: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "checkpoint"
    /// How a checkpoint was made.
    /// `classifier` is the condition classifier (`RoundsVision`), allowed from migration v2 on.
    public enum Objective: String, Codable, Sendable, CaseIterable { case pretrain, rft, dpo, reward, imported, classifier }

    public var id: Int64?
    public var path: String
    public var sha256: String
    public var parentID: Int64?
    public var objective: Objective
    /// The training signal file (RFT weights CSV, DPO pairs) for finetuned checkpoints.
    public var signalPath: String?
    /// JSON object.
    public var hyperParameters: String
    /// JSON object.
    public var metrics: String
    public var createdAt: Date

    public init(
        id: Int64? = nil, path: String, sha256: String, parentID: Int64? = nil, objective: Objective,
        signalPath: String? = nil, hyperParameters: String = "{}", metrics: String = "{}", createdAt: Date = Date()
    ) {
        self.id = id
        self.path = path
        self.sha256 = sha256
        self.parentID = parentID
        self.objective = objective
        self.signalPath = signalPath
        self.hyperParameters = hyperParameters
        self.metrics = metrics
        self.createdAt = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One score of one image on one alignment dimension (table `alignmentScore`), with the version of the
/// code that computed it.
public struct AlignmentScoreRecord: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "alignmentScore"
    public var id: Int64?
    public var imageID: String
    public var dimension: String
    /// In [0, 1] (a `CHECK` constraint).
    public var score: Double
    /// What computed the score and its version, e.g. `rounds-cas 0.1.0 vision-v1`.
    public var computedBy: String
    /// What the score was measured against (a reference folder, split or run).
    public var reference: String?
    public var createdAt: Date

    public init(
        id: Int64? = nil, imageID: String, dimension: String, score: Double, computedBy: String,
        reference: String? = nil, createdAt: Date = Date()
    ) {
        self.id = id
        self.imageID = imageID
        self.dimension = dimension
        self.score = score
        self.computedBy = computedBy
        self.reference = reference
        self.createdAt = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A record that an image was purged (table `purgeAudit`): which, when, why, and what went with it.
public struct PurgeAuditRecord: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "purgeAudit"
    public var id: Int64?
    public var imageID: String
    public var purgedAt: Date
    public var reason: String
    /// Rows removed with the image (its own row, judgments, verdicts, labels, pairs, derived images).
    public var removedRows: Int
    /// JSON array of the file paths deleted from disk.
    public var removedFiles: String

    public init(
        id: Int64? = nil, imageID: String, purgedAt: Date = Date(), reason: String, removedRows: Int,
        removedFiles: String
    ) {
        self.id = id
        self.imageID = imageID
        self.purgedAt = purgedAt
        self.reason = reason
        self.removedRows = removedRows
        self.removedFiles = removedFiles
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
