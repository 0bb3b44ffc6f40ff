import Foundation
import GRDB

extension Store {
    /// Records a submitted batch and its request lines in one transaction; returns the batch with its id.
    public func addJudgeBatch(_ batch: JudgeBatchRecord, items: [JudgeBatchItemRecord]) throws -> JudgeBatchRecord {
        try write("recording batch \(batch.providerBatchID)") { db in
            var batch = batch
            try batch.insert(db)
            for var item in items {
                item.batchID = batch.id!
                try item.insert(db)
            }
            return batch
        }
    }

    /// Batches whose results are not yet all stored, oldest first; only the batch of `runID` when given.
    public func openJudgeBatches(runID: Int64? = nil) throws -> [JudgeBatchRecord] {
        try read("listing open batches") { db in
            var request = JudgeBatchRecord.filter(Column("collectedAt") == nil)
            if let runID { request = request.filter(Column("runID") == runID) }
            return try request.order(Column("id")).fetchAll(db)
        }
    }

    /// The batch of a judge run, collected or not.
    public func judgeBatch(runID: Int64) throws -> JudgeBatchRecord? {
        try read("reading the batch of run \(runID)") { db in
            try JudgeBatchRecord.filter(Column("runID") == runID).fetchOne(db)
        }
    }

    /// The request lines of a batch, in submission order.
    public func judgeBatchItems(batchID: Int64) throws -> [JudgeBatchItemRecord] {
        try read("reading the lines of batch \(batchID)") { db in
            try JudgeBatchItemRecord.filter(Column("batchID") == batchID).order(Column("id")).fetchAll(db)
        }
    }

    /// (image, checklist version, prompt version) triples waiting in uncollected batches of `model`, so
    /// neither a live run nor another submission asks about them again meanwhile.
    public func imagesInOpenBatches(model: String) throws -> Set<[String]> {
        try read("listing images in open batches") { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT judgeBatchItem.imageID, judgeBatchItem.checklistVersionID, judgeBatchItem.promptVersionID
                FROM judgeBatchItem
                JOIN judgeBatch ON judgeBatch.id = judgeBatchItem.batchID
                JOIN judgeRun ON judgeRun.id = judgeBatch.runID
                WHERE judgeBatch.collectedAt IS NULL AND judgeBatchItem.judgmentID IS NULL AND judgeRun.model = ?
                """, arguments: [model])
            return Set(rows.map { [$0[0], $0[1], $0[2]] as [String] })
        }
    }

    /// Notes the provider's status of a batch (and its file ids once known) without collecting it.
    public func updateJudgeBatchStatus(_ batch: JudgeBatchRecord) throws {
        try write("updating batch \(batch.providerBatchID)") { db in
            try db.execute(sql: """
                UPDATE judgeBatch SET status = ?, outputFileID = ?, errorFileID = ?, checkedAt = ? WHERE id = ?
                """, arguments: [batch.status, batch.outputFileID, batch.errorFileID, batch.checkedAt, batch.id])
        }
    }

    /// Stores the judgments read from a batch's results and links each to its line, in one transaction;
    /// lines already linked are skipped, so collecting twice stores nothing twice. With `run` set, the
    /// batch is marked collected and the run row closed in the same transaction.
    ///
    /// - Returns: how many judgments were stored.
    @discardableResult
    public func storeJudgeBatchResults(
        batch: JudgeBatchRecord, results: [(itemID: Int64, judgment: JudgmentRecord, verdicts: [CriterionVerdictRecord])],
        closing run: JudgeRunRecord?
    ) throws -> Int {
        try write("storing the results of batch \(batch.providerBatchID)") { db in
            var stored = 0
            for result in results {
                let unlinked = try Bool.fetchOne(
                    db, sql: "SELECT judgmentID IS NULL FROM judgeBatchItem WHERE id = ? AND batchID = ?",
                    arguments: [result.itemID, batch.id])
                guard unlinked == true else { continue }
                let id = try Self.insert(result.judgment, verdicts: result.verdicts, in: db)
                try db.execute(sql: "UPDATE judgeBatchItem SET judgmentID = ? WHERE id = ?", arguments: [id, result.itemID])
                stored += 1
            }
            try db.execute(sql: """
                UPDATE judgeBatch SET status = ?, outputFileID = ?, errorFileID = ?, checkedAt = ? WHERE id = ?
                """, arguments: [batch.status, batch.outputFileID, batch.errorFileID, batch.checkedAt, batch.id])
            if let run {
                try run.update(db)
                try db.execute(sql: "UPDATE judgeBatch SET collectedAt = ? WHERE id = ?", arguments: [Date(), batch.id])
            }
            return stored
        }
    }
}
