import Foundation
import GRDB

/// One finetuning of one feedback round (`rounds round`, `rounds demo`), table `feedbackRound`: the parent
/// and the finetuned checkpoint, the judge runs that measured them, and the before/after table.
public struct FeedbackRoundRecord: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "feedbackRound"

    public var id: Int64?
    public var parentCheckpointID: Int64
    public var checkpointID: Int64
    /// `rft` or `dpo`.
    public var objective: String
    /// The judge's model name (`rounds-simulator` for the simulator).
    public var judgeModel: String
    public var beforeRunID: Int64?
    public var afterRunID: Int64?
    /// Samples judged per model.
    public var samples: Int
    public var beforeRate: Double
    public var afterRate: Double
    /// JSON object: the before and after blocks (per criterion, condition, skin-tone band), gain, training.
    public var summary: String
    public var createdAt: Date

    public init(
        id: Int64? = nil, parentCheckpointID: Int64, checkpointID: Int64, objective: String, judgeModel: String,
        beforeRunID: Int64?, afterRunID: Int64?, samples: Int, beforeRate: Double, afterRate: Double,
        summary: String, createdAt: Date = Date()
    ) {
        self.id = id
        self.parentCheckpointID = parentCheckpointID
        self.checkpointID = checkpointID
        self.objective = objective
        self.judgeModel = judgeModel
        self.beforeRunID = beforeRunID
        self.afterRunID = afterRunID
        self.samples = samples
        self.beforeRate = beforeRate
        self.afterRate = afterRate
        self.summary = summary
        self.createdAt = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension StoreSchema {
    /// Feedback rounds: one row per finetuned checkpoint of a round, with its before/after measurement.
    static let v4FeedbackRounds = """
        CREATE TABLE feedbackRound (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            parentCheckpointID INTEGER NOT NULL REFERENCES checkpoint(id),
            checkpointID INTEGER NOT NULL REFERENCES checkpoint(id),
            objective TEXT NOT NULL CHECK (objective IN ('rft', 'dpo')),
            judgeModel TEXT NOT NULL CHECK (length(judgeModel) > 0),
            beforeRunID INTEGER REFERENCES judgeRun(id),
            afterRunID INTEGER REFERENCES judgeRun(id),
            samples INTEGER NOT NULL CHECK (samples >= 0),
            beforeRate REAL NOT NULL CHECK (beforeRate BETWEEN 0 AND 1),
            afterRate REAL NOT NULL CHECK (afterRate BETWEEN 0 AND 1),
            summary TEXT NOT NULL CHECK (json_valid(summary)),
            createdAt DATETIME NOT NULL,
            CHECK (parentCheckpointID <> checkpointID)
        );
        CREATE INDEX feedbackRound_on_checkpointID ON feedbackRound(checkpointID);
        """
}

extension Store {
    /// Stores one finetuning of a round; returns the row with its id.
    @discardableResult
    public func addFeedbackRound(_ record: FeedbackRoundRecord) throws -> FeedbackRoundRecord {
        try write("recording the \(record.objective) round of checkpoint \(record.checkpointID)") { db in
            var row = record
            try row.insert(db)
            return row
        }
    }

    /// Every stored round, oldest first.
    public func feedbackRounds() throws -> [FeedbackRoundRecord] {
        try read("listing feedback rounds") { db in
            try FeedbackRoundRecord.order(Column("id")).fetchAll(db)
        }
    }
}
