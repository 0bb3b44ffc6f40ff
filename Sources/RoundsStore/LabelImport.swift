import Foundation
import GRDB
import RoundsCore

/// The `rounds labels import` operation: reads a rater's labels from CSV or JSONL and stores them.
///
/// CSV: a header naming `image` (a stored path or an image id), `label` (`plausible`/`implausible`,
/// `1`/`0`, empty for none), optional `note`, and any `criterion:<id>` columns holding `met`, `not_met`,
/// `uncertain` or nothing. `rater`, `path`, `condition` and `labeled_at` columns (as `rounds labels
/// template` and `rounds export labels` write them) are ignored. JSONL: one object per line with the
/// same keys, or criteria as an object under `criteria`. A row needs a label or at least one criterion.
///
/// The whole file goes in one transaction: all rows or none. With `skipBad`, bad rows are reported and
/// left out, and the good ones go in.
///
/// A label is identified by its rater, image and content (plausibility, note and criterion verdicts):
/// a row the store already holds for that rater, from this file or another, is not stored again, so
/// importing the same file twice is a no-op (`Report.alreadyStored` counts such rows).
public struct LabelImport: Sendable {
    /// One row that could not be imported.
    public struct Problem: Sendable, CustomStringConvertible {
        public var location: InputLocation
        public var message: String
        public var description: String { "\(location): \(message)" }
    }

    public struct Report: Sendable {
        public var imported = 0
        public var criterionVerdicts = 0
        /// Rows whose label (same rater, image and content) the store already held: not stored again.
        public var alreadyStored = 0
        public var problems: [Problem] = []
    }

    /// A row after parsing, before the image is looked up.
    struct Row: Sendable {
        var line: Int
        var imageReference: String
        var imageLocation: InputLocation
        var plausible: Bool?
        var note: String?
        var criteria: [(id: String, verdict: Verdict)]
    }

    public let store: Store

    public init(store: Store) { self.store = store }

    /// Imports `path` as labels by `rater`.
    ///
    /// - Parameters:
    ///   - criteria: the criterion ids of a condition's checklist (nil when it has none here): a
    ///     `criterion:<id>` column the image's checklist does not have is a bad row.
    ///   - willWrite: called with the number of rows just before the transaction starts.
    /// - Throws: `StoreError.invalidInput` listing every problem (each as `file:line:column: message`)
    ///   when any row is bad and `skipBad` is false; then nothing was imported.
    public func run(path: String, rater: String, skipBad: Bool, criteria: @Sendable (ConditionID) -> Set<String>? = { _ in nil },
                    willWrite: (Int) -> Void = { _ in }) throws -> Report {
        let rater = rater.trimmingCharacters(in: .whitespaces)
        guard !rater.isEmpty else { throw StoreError(.invalidInput, "--rater must not be empty") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError(.io, "\(path): cannot read the labels file")
        }
        let bytes = Array(data)
        let rows: [Row]
        var problems: [Problem]
        (rows, problems) =
            try Self.isJSONL(path: path, bytes: bytes)
            ? LabelRowParser.parseJSONL(bytes: bytes, path: path) : LabelRowParser.parseCSV(bytes: bytes, path: path)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let (found, missing) = try store.read("looking up labelled images") { db in
            var out: [(Row, String)] = []
            var missing: [Problem] = []
            var cache: [String: (id: String, condition: ConditionID?)] = [:]
            for row in rows {
                do {
                    var found = cache[row.imageReference]
                    if found == nil, let image = try Store.findImage(row.imageReference, relativeTo: folder, in: db) {
                        found = (image.id, image.condition)
                        cache[row.imageReference] = found
                    }
                    if let found {
                        if let condition = found.condition, let known = criteria(condition),
                           let unknown = row.criteria.first(where: { !known.contains($0.id) }) {
                            missing.append(Problem(
                                location: InputLocation(path: path, line: row.line),
                                message: "criterion:\(unknown.id): not a criterion of \(condition)'s checklist (it has: "
                                    + known.sorted().joined(separator: ", ") + ")"))
                        } else {
                            out.append((row, found.id))
                        }
                    } else {
                        missing.append(
                            Problem(
                                location: row.imageLocation,
                                message:
                                    "image: '\(row.imageReference)' is neither a stored path nor a stored image id (add it with rounds images add)"
                            ))
                    }
                } catch let e as StoreError {
                    missing.append(Problem(location: row.imageLocation, message: e.message))
                }
            }
            return (out, missing)
        }
        problems += missing
        let (resolved, conflicts) = Self.conflicts(in: found, path: path)
        problems += conflicts
        problems.sort {
            ($0.location.line ?? 0, $0.location.column ?? 0) < ($1.location.line ?? 0, $1.location.column ?? 0)
        }
        if !problems.isEmpty, !skipBad {
            let shown = problems.prefix(20).map(\.description).joined(separator: "\n")
            let more = problems.count > 20 ? "\n… and \(problems.count - 20) more" : ""
            let badRows = Set(problems.map { $0.location.line ?? 0 }).count
            throw StoreError(
                .invalidInput,
                "\(path): \(badRows) bad row(s); nothing was imported (use --skip-bad to import the rest):\n\(shown)\(more)"
            )
        }
        willWrite(resolved.count)
        let source = path
        let items = resolved.map { (row: $0.0, imageID: $0.1) }
        let counts = try store.write("importing labels from \(path)") { db -> (Int, Int) in
            // The text GRDB stores for a Date, so records decode `labeledAt` as usual.
            guard case .string(let timestamp) = Date().databaseValue.storage else {
                throw StoreError(.database, "cannot format the label time")
            }
            let labelStatement = try db.cachedStatement(
                sql:
                    "INSERT INTO humanLabel (rater, imageID, plausible, note, source, labeledAt) VALUES (?, ?, ?, ?, ?, ?)"
            )
            let criterionStatement = try db.cachedStatement(
                sql: "INSERT INTO humanCriterionLabel (labelID, criterionID, verdict) VALUES (?, ?, ?)")
            var criterionCount = 0, inserted = 0
            for item in items {
                if try Self.isStored(item.row, rater: rater, imageID: item.imageID, in: db) { continue }
                inserted += 1
                try FastInsert.step(labelStatement, in: db) { bind in
                    bind.text(1, rater)
                    bind.text(2, item.imageID)
                    bind.int64(3, item.row.plausible.map { $0 ? 1 : 0 })
                    bind.text(4, item.row.note)
                    bind.text(5, "\(source):\(item.row.line)")
                    bind.text(6, timestamp)
                }
                let labelID = db.lastInsertedRowID
                for c in item.row.criteria {
                    try FastInsert.step(criterionStatement, in: db) { bind in
                        bind.int64(1, labelID)
                        bind.text(2, c.id)
                        bind.text(3, c.verdict.rawValue)
                    }
                    criterionCount += 1
                }
            }
            return (inserted, criterionCount)
        }
        return Report(imported: counts.0, criterionVerdicts: counts.1, alreadyStored: items.count - counts.0,
                      problems: problems)
    }

    /// Whether `rater` already has a label of this image saying exactly what `row` says.
    static func isStored(_ row: Row, rater: String, imageID: String, in db: Database) throws -> Bool {
        let plausible: Int64? = row.plausible.map { $0 ? 1 : 0 }
        let stored = try Int64.fetchAll(
            db.cachedStatement(sql: """
                SELECT id FROM humanLabel WHERE rater = ? AND imageID = ? AND plausible IS ? AND note IS ?
                """),
            arguments: [rater, imageID, plausible, row.note])
        guard !stored.isEmpty else { return false }
        let wanted = Dictionary(row.criteria.map { ($0.id, $0.verdict.rawValue) }, uniquingKeysWith: { a, _ in a })
        for label in stored {
            let criteria = try GRDB.Row.fetchAll(
                db.cachedStatement(sql: "SELECT criterionID, verdict FROM humanCriterionLabel WHERE labelID = ?"),
                arguments: [label])
            let have = Dictionary(criteria.map { ($0[0] as String, $0[1] as String) }, uniquingKeysWith: { a, _ in a })
            if have == wanted { return true }
        }
        return false
    }

    static func isJSONL(path: String, bytes: [UInt8]) -> Bool {
        let ext = (path as NSString).pathExtension.lowercased()
        if ext == "jsonl" || ext == "ndjson" { return true }
        if ext == "csv" { return false }
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        return bytes[start...].first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } == UInt8(ascii: "{")
    }
}
