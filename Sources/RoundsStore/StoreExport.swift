import Foundation
import GRDB
import RoundsCore

/// `rounds export judgments|labels|images --format csv|jsonl`: flat tables for pandas and spreadsheets.
///
/// - `images`: one row per image with every column of the `image` table.
/// - `judgments`: one row per criterion verdict, joined with its judgment, run and image; a judgment
///   without verdicts (a failed request) gives one row with empty criterion fields and its `error`.
/// - `labels`: one row per label, in the same shape `rounds labels import` reads (`criterion:<id>` columns),
///   plus `rater`, `path`, `condition` and `labeled_at`, so an export can be imported again.
public enum StoreExport {
    public enum Table: String, Sendable, CaseIterable { case judgments, labels, images }
    public enum Format: String, Sendable, CaseIterable { case csv, jsonl }

    /// Writes `table` to `sink` chunk by chunk; returns the number of rows written.
    @discardableResult
    public static func export(_ table: Table, format: Format, from store: Store, to sink: (String) throws -> Void)
        throws -> Int
    {
        let (columns, rows) = try fetch(table, from: store)
        if format == .csv { try sink(CSVWriter.line(columns)) }
        var chunk = ""
        for row in rows {
            switch format {
            case .csv: chunk += CSVWriter.line(row.map { $0.csv })
            case .jsonl:
                var object: [String: JSONValue] = [:]
                for (c, v) in zip(columns, row) {
                    if c.hasPrefix("criterion:") {
                        if v != .null {
                            var criteria = object["criteria"]?.objectValue ?? [:]
                            criteria[String(c.dropFirst("criterion:".count))] = v
                            object["criteria"] = .object(criteria)
                        }
                    } else {
                        object[c] = v
                    }
                }
                if table == .labels, object["criteria"] == nil { object["criteria"] = .object([:]) }
                chunk += JSONValue.object(object).canonicalString + "\n"
            }
            if chunk.utf8.count > 1 << 16 { try sink(chunk); chunk = "" }
        }
        if !chunk.isEmpty { try sink(chunk) }
        return rows.count
    }

    static func fetch(_ table: Table, from store: Store) throws -> ([String], [[JSONValue]]) {
        try store.read("exporting \(table.rawValue)") { db in
            switch table {
            case .images:
                let sql = """
                    SELECT id AS image_id, path, fileSHA256 AS file_sha256, format, width, height, byteCount AS byte_count,
                           condition, origin, split, generator, skinTone AS skin_tone, checkpointID AS checkpoint_id, seed,
                           samplerParameters AS sampler_parameters, parentImageID AS parent_image_id, addedAt AS added_at
                    FROM image ORDER BY addedAt, rowid
                    """
                return try rows(db, sql: sql)
            case .judgments:
                let sql = """
                    SELECT j.id AS judgment_id, j.runID AS run_id, r.endpoint, r.model, j.imageID AS image_id, i.path,
                           i.condition, i.origin, j.checklistVersionID AS checklist_version, j.promptVersionID AS prompt_version,
                           j.requestKey AS request_key, j.sampleIndex AS sample, v.criterionID AS criterion, v.verdict,
                           v.evidence, v.confidence, v.agreement, j.latencyMs AS latency_ms, j.promptTokens AS prompt_tokens,
                           j.completionTokens AS completion_tokens, j.costUSD AS cost_usd, j.attempts, j.error,
                           j.createdAt AS created_at
                    FROM judgment j JOIN judgeRun r ON r.id = j.runID JOIN image i ON i.id = j.imageID
                    LEFT JOIN criterionVerdict v ON v.judgmentID = j.id
                    ORDER BY j.id, v.criterionID
                    """
                return try rows(db, sql: sql)
            case .labels:
                let criteria = try String.fetchAll(
                    db, sql: "SELECT DISTINCT criterionID FROM humanCriterionLabel ORDER BY criterionID")
                let labels = try HumanLabelRecord.order(Column("id")).fetchAll(db)
                let stored = try Store.attachCriteria(labels, in: db)
                let images = try Row.fetchAll(db, sql: "SELECT id, path, condition FROM image")
                var imageInfo: [String: (String, String?)] = [:]
                for row in images { imageInfo[row["id"]] = (row["path"], row["condition"]) }
                let columns =
                    ["rater", "image", "path", "condition", "label", "note", "labeled_at"]
                    + criteria.map { "criterion:\($0)" }
                let formatter = ISO8601DateFormatter()
                let out: [[JSONValue]] = stored.map { s in
                    let info = imageInfo[s.label.imageID]
                    var row: [JSONValue] = [
                        .string(s.label.rater), .string(s.label.imageID), info.map { .string($0.0) } ?? .null,
                        info?.1.map { .string($0) } ?? .null,
                        s.label.plausible.map { .string($0 ? "plausible" : "implausible") } ?? .null,
                        s.label.note.map { .string($0) } ?? .null, .string(formatter.string(from: s.label.labeledAt)),
                    ]
                    row += criteria.map { c in s.criteria[c].map { .string($0.rawValue) } ?? .null }
                    return row
                }
                return (columns, out)
            }
        }
    }

    private static func rows(_ db: Database, sql: String) throws -> ([String], [[JSONValue]]) {
        let statement = try db.makeStatement(sql: sql)
        let columns = statement.columnNames
        var out: [[JSONValue]] = []
        let cursor = try Row.fetchCursor(statement)
        while let row = try cursor.next() {
            out.append(
                (0..<columns.count).map { i in
                    switch row[i] as DatabaseValue {
                    case let v where v.isNull: return .null
                    case let v:
                        switch v.storage {
                        case .int64(let n): return .number(Double(n))
                        case .double(let d): return .number(d)
                        case .string(let s): return .string(s)
                        case .blob(let b): return .string(Hex.encode(Array(b)))
                        case .null: return .null
                        }
                    }
                })
        }
        return (columns, out)
    }
}

extension JSONValue {
    /// The value as a CSV cell: empty for null, plain text for strings, JSON text otherwise.
    var csv: String {
        switch self {
        case .null: return ""
        case .string(let s): return s
        case .number(let n) where n == n.rounded() && abs(n) < 1e15: return String(Int64(n))
        default: return canonicalString
        }
    }
}
