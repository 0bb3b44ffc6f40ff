import Foundation
import GRDB

/// One (image, checklist version, prompt version) a model can be asked about: what a judge run plans
/// and what its failures are counted by.
package struct JudgmentSlot: Sendable, Hashable {
    package var imageID: String
    package var checklistVersion: String
    package var promptVersion: String

    package init(imageID: String, checklistVersion: String, promptVersion: String) {
        self.imageID = imageID
        self.checklistVersion = checklistVersion
        self.promptVersion = promptVersion
    }
}

/// Judge runs (table `judgeRun`) and what the planner asks about their judgments.
extension Store {
    /// The judge run with this id, or nil when it is not stored.
    package func judgeRun(id: Int64) throws -> JudgeRunRecord? {
        try read("reading judge run \(id)") { db in try JudgeRunRecord.fetchOne(db, key: id) }
    }

    /// Every judge run, oldest first.
    package func judgeRuns() throws -> [JudgeRunRecord] {
        try read("reading judge runs") { db in try JudgeRunRecord.order(Column("id")).fetchAll(db) }
    }

    /// The ids of every judge run, ascending.
    package func judgeRunIDs() throws -> [Int64] {
        try read("listing judge runs") { db in try Int64.fetchAll(db, sql: "SELECT id FROM judgeRun ORDER BY id") }
    }

    /// Failed judgments per (image, checklist version, prompt version) by `model`: the combined
    /// judgment's row (sample index 0) only, so a `--samples 3` attempt counts once, not once per sample.
    package func failedJudgmentCounts(model: String) throws -> [JudgmentSlot: Int] {
        try read("counting failed judgments") { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT judgment.imageID, judgment.checklistVersionID, judgment.promptVersionID, COUNT(*) AS n
                FROM judgment JOIN judgeRun ON judgeRun.id = judgment.runID
                WHERE judgment.error IS NOT NULL AND judgment.sampleIndex = 0 AND judgeRun.model = ?
                GROUP BY judgment.imageID, judgment.checklistVersionID, judgment.promptVersionID
                """, arguments: [model])
            var out: [JudgmentSlot: Int] = [:]
            for row in rows {
                out[JudgmentSlot(imageID: row[0], checklistVersion: row[1], promptVersion: row[2])] = row[3]
            }
            return out
        }
    }

    /// The images with at least one successful judgment in run `id`, in the order they were added;
    /// nil when the run is not stored.
    package func imagesJudged(inRun id: Int64) throws -> [ImageRecord]? {
        try read("reading judge run \(id)") { db in
            guard try JudgeRunRecord.exists(db, key: id) else { return nil }
            return try ImageRecord.fetchAll(
                db,
                sql: """
                    SELECT * FROM image WHERE id IN (SELECT imageID FROM judgment WHERE runID = ? AND error IS NULL)
                    ORDER BY addedAt, rowid
                    """, arguments: [id])
        }
    }
}
