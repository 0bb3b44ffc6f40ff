import Foundation
import GRDB
import RoundsCore

/// A human label with its per-criterion verdicts.
public struct StoredLabel: Sendable, Hashable {
    public var label: HumanLabelRecord
    public var criteria: [String: Verdict]
}

/// A pair candidate with its comparisons so far.
public struct StoredPair: Sendable, Hashable {
    public var pair: PairCandidateRecord
    public var comparisons: [PairComparisonRecord]
}

extension Store {
    /// The SQL of `pendingImageIDs` (shared with the benchmark's Python peer). Arguments: checklist
    /// version, prompt version, model, condition, origin filter (NULL for any).
    public static let pendingSQL = """
        SELECT image.id FROM image
        WHERE image.condition = ?4 AND (?5 IS NULL OR image.origin = ?5)
          AND image.id NOT IN (
            SELECT judgment.imageID FROM judgment JOIN judgeRun ON judgeRun.id = judgment.runID
            WHERE judgment.checklistVersionID = ?1 AND judgment.promptVersionID = ?2
              AND judgeRun.model = ?3 AND judgment.error IS NULL AND judgment.sampleIndex = 0)
        ORDER BY image.origin, image.id
        """

    /// Images of a condition that have no successful judgment for (checklist version, prompt version,
    /// model): what a nightly `rounds judge --pending` run asks about, ordered by origin then image id.
    ///
    /// A judgment that failed (its `error` is set) does not count, so failed images are retried; nor
    /// does a self-consistency sample (sample index above 0) whose combined judgment failed.
    /// - Parameters:
    ///   - condition: defaults to the checklist version's own condition.
    ///   - origin: only real or only synthetic images; `nil` for both.
    /// - Throws: `StoreError.notFound` for an unknown checklist version when no condition is given.
    public func pendingImageIDs(
        checklistVersion: String, promptVersion: String, model: String, condition: ConditionID? = nil,
        origin: ImageOrigin? = nil
    ) throws -> [String] {
        try read("finding pending images") { db in
            let conditionText: String
            if let condition {
                conditionText = condition.description
            } else {
                guard let checklist = try ChecklistVersionRecord.fetchOne(db, key: checklistVersion) else {
                    throw StoreError(.notFound, "\(path): no checklist version \(checklistVersion) is stored")
                }
                conditionText = checklist.condition
            }
            return try FastFetch.strings(
                try db.cachedStatement(sql: Self.pendingSQL),
                arguments: [checklistVersion, promptVersion, model, conditionText, origin?.rawValue], in: db)
        }
    }

    /// The latest successful judgment with this request key, if any: a key that has succeeded is never
    /// sent again (CLI.md "Request key").
    public func succeededJudgment(requestKey: String) throws -> JudgmentRecord? {
        try read("looking up request key \(requestKey.prefix(12))") { db in
            try JudgmentRecord.filter(
                Column("requestKey") == requestKey && Column("error") == nil && Column("sampleIndex") == 0
            ).order(
                Column("id").desc
            ).fetchOne(db)
        }
    }

    /// The successful judgment that counts for one self-consistency sample's request key (not a
    /// duplicate), with its verdicts in criterion order; nil when that sample has not succeeded yet.
    public func succeededSample(requestKey: String, sampleIndex: Int) throws
        -> (judgment: JudgmentRecord, verdicts: [CriterionVerdictRecord])?
    {
        try read("looking up sample \(sampleIndex) of request key \(requestKey.prefix(12))") { db in
            guard let judgment = try JudgmentRecord.filter(
                Column("requestKey") == requestKey && Column("sampleIndex") == sampleIndex && Column("error") == nil
                    && Column("duplicateOf") == nil
            ).order(Column("id")).fetchOne(db) else { return nil }
            let verdicts = try CriterionVerdictRecord.filter(Column("judgmentID") == judgment.id!).order(Column("id"))
                .fetchAll(db)
            return (judgment, verdicts)
        }
    }

    /// Whether an image is still stored (a judge run asks right before each request: a purge during
    /// the run must stop its upload).
    public func hasImage(id: String) throws -> Bool {
        try read("looking up image \(id.prefix(12))") { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM image WHERE id = ?)", arguments: [id]) ?? false
        }
    }

    /// Every label by `rater`, oldest first, with per-criterion verdicts.
    public func labels(rater: String) throws -> [StoredLabel] {
        try read("reading labels of \(rater)") { db in
            let labels = try HumanLabelRecord.filter(Column("rater") == rater).order(Column("id")).fetchAll(db)
            return try Self.attachCriteria(labels, in: db)
        }
    }

    /// The raters who have labelled anything, sorted.
    public func raters() throws -> [String] {
        try read("listing raters") { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT rater FROM humanLabel ORDER BY rater")
        }
    }

    static func attachCriteria(_ labels: [HumanLabelRecord], in db: Database) throws -> [StoredLabel] {
        let statement = try db.cachedStatement(
            sql: "SELECT criterionID, verdict FROM humanCriterionLabel WHERE labelID = ?")
        return try labels.map { label in
            var criteria: [String: Verdict] = [:]
            for row in try Row.fetchAll(statement, arguments: [label.id]) {
                criteria[row["criterionID"]] = Verdict(rawValue: row["verdict"]) ?? .indeterminate
            }
            return StoredLabel(label: label, criteria: criteria)
        }
    }

    /// Pair candidates (of one condition, or all) with their comparisons, oldest first.
    public func pairs(condition: ConditionID? = nil) throws -> [StoredPair] {
        try read("reading pairs") { db in
            var request = PairCandidateRecord.order(Column("id"))
            if let condition { request = request.filter(Column("condition") == condition.description) }
            let pairs = try request.fetchAll(db)
            let comparisons = try PairComparisonRecord.order(Column("id")).fetchAll(db)
            let byPair = Dictionary(grouping: comparisons, by: \.pairID)
            return pairs.map { StoredPair(pair: $0, comparisons: byPair[$0.id!] ?? []) }
        }
    }
}
