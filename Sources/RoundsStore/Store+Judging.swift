import Foundation
import GRDB
import RoundsCore

extension Store {
    /// Stores a checklist version unless one with the same hash is already stored.
    public func addChecklistVersion(_ record: ChecklistVersionRecord) throws {
        try write("storing checklist version \(record.id.prefix(12))") { db in
            try record.insert(db, onConflict: .ignore)
        }
    }

    /// Stores a prompt version unless one with the same hash is already stored.
    public func addPromptVersion(_ record: PromptVersionRecord) throws {
        try write("storing prompt version \(record.id.prefix(12))") { db in try record.insert(db, onConflict: .ignore) }
    }

    /// Starts a judging run and returns it with its id.
    public func beginRun(_ run: JudgeRunRecord) throws -> JudgeRunRecord {
        try write("starting a judge run") { db in
            var run = run
            try run.insert(db)
            return run
        }
    }

    /// Records how a run ended: its status, end time and counts (the only update the store makes: a run's
    /// own bookkeeping, never a verdict).
    public func finishRun(_ run: JudgeRunRecord) throws {
        try write("finishing judge run \(run.id ?? 0)") { db in try run.update(db) }
    }

    /// Appends one judgment and its per-criterion verdicts in one transaction; returns the judgment id.
    @discardableResult
    public func addJudgment(_ judgment: JudgmentRecord, verdicts: [CriterionVerdictRecord]) throws -> Int64 {
        try write("storing a judgment of image \(judgment.imageID.prefix(12))") { db in
            try Self.insert(judgment, verdicts: verdicts, in: db)
        }
    }

    /// Appends many judgments with their verdicts in one transaction, through cached statements.
    public func addJudgments(_ items: [(judgment: JudgmentRecord, verdicts: [CriterionVerdictRecord])]) throws
        -> [Int64]
    {
        try write("storing \(items.count) judgment(s)") { db in
            try items.map { try Self.insert($0.judgment, verdicts: $0.verdicts, in: db) }
        }
    }

    static func insert(_ judgment: JudgmentRecord, verdicts: [CriterionVerdictRecord], in db: Database) throws -> Int64
    {
        var judgment = judgment
        if judgment.error == nil, judgment.duplicateOf == nil {
            // The unique index `judgment_once` refuses a second successful judgment of one request key and
            // sample; an answer that was paid for anyway is kept, marked as the first one's duplicate.
            judgment.duplicateOf = try Int64.fetchOne(
                db, sql: """
                    SELECT id FROM judgment
                    WHERE requestKey = ? AND sampleIndex = ? AND error IS NULL AND duplicateOf IS NULL
                    """, arguments: [judgment.requestKey, judgment.sampleIndex])
        }
        try judgment.insert(db)
        let id = judgment.id!
        try insertVerdicts(
            verdicts.map {
                var v = $0; v.judgmentID = id; return v
            }, in: db)
        return id
    }

    /// Inserts verdict rows through one cached prepared statement (the hot path of a judging run).
    static func insertVerdicts(_ verdicts: [CriterionVerdictRecord], in db: Database) throws {
        let statement = try db.cachedStatement(sql: Self.insertVerdictSQL)
        try FastInsert.run(statement, in: db, rows: verdicts) { bind, v in
            bind.int64(1, v.judgmentID)
            bind.text(2, v.criterionID)
            bind.text(3, v.verdict.rawValue)
            bind.text(4, v.evidence)
            bind.double(5, v.confidence)
            bind.double(6, v.agreement)
        }
    }

    /// The SQL that inserts one verdict row (shared with the benchmark's Python peer).
    public static let insertVerdictSQL =
        "INSERT INTO criterionVerdict (judgmentID, criterionID, verdict, evidence, confidence, agreement) VALUES (?, ?, ?, ?, ?, ?)"

    /// Appends verdict rows in one transaction.
    public func addVerdicts(_ verdicts: [CriterionVerdictRecord]) throws {
        try write("storing \(verdicts.count) verdict(s)") { db in try Self.insertVerdicts(verdicts, in: db) }
    }

    /// Stores a pair candidate; returns it with its id (an existing identical pair is returned as stored).
    public func addPair(_ pair: PairCandidateRecord) throws -> PairCandidateRecord {
        try write("storing a pair") { db in
            if let stored = try PairCandidateRecord.filter(
                Column("imageA") == pair.imageA && Column("imageB") == pair.imageB
            ).fetchOne(db) {
                return stored
            }
            var pair = pair
            try pair.insert(db)
            return pair
        }
    }

    /// Appends a pair comparison.
    public func addComparison(_ comparison: PairComparisonRecord) throws -> PairComparisonRecord {
        try write("storing a pair comparison") { db in
            var c = comparison
            try c.insert(db)
            return c
        }
    }

    /// Stores a preference set and its members in one transaction.
    public func addPreferenceSet(_ set: PreferenceSetRecord, members: [PreferenceMemberRecord]) throws
        -> PreferenceSetRecord
    {
        try write("storing a \(set.kind.rawValue) preference set") { db in
            var set = set
            try set.insert(db)
            for var m in members {
                m.setID = set.id!
                try m.insert(db)
            }
            return set
        }
    }

    /// Appends alignment scores in one transaction.
    public func addAlignmentScores(_ scores: [AlignmentScoreRecord]) throws {
        try write("storing \(scores.count) alignment score(s)") { db in
            for var s in scores { try s.insert(db) }
        }
    }
}
