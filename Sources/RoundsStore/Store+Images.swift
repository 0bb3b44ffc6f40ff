import Foundation
import GRDB
import RoundsCore

/// What `Store.addImages(_:)` did with each record.
public struct AddImagesResult: Sendable {
    /// Records stored by this call.
    public var added: [ImageRecord] = []
    /// Records whose image id was already stored, paired with the row that was there (kept unchanged:
    /// the store is append-only, and the first metadata given for an image stands).
    public var existing: [(given: ImageRecord, stored: ImageRecord)] = []
    public init() {}
}

extension Store {
    /// Stores images, recognising those already stored by their image id.
    ///
    /// All records go in one transaction. An image whose id is already stored (from this call or an
    /// earlier one) is not changed and is reported in `existing`.
    /// - Throws: `StoreError` (`.constraint` for a record that breaks a rule, naming the image path).
    @discardableResult
    public func addImages(_ records: [ImageRecord]) throws -> AddImagesResult {
        try write("adding \(records.count) image(s)") { db in
            var result = AddImagesResult()
            for record in records {
                if let stored = try ImageRecord.fetchOne(db, key: record.id) {
                    result.existing.append((record, stored))
                    continue
                }
                do {
                    try record.insert(db)
                } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                    throw StoreError(
                        .constraint,
                        "\(path): image \(record.path) (id \(record.id.prefix(12))…) was refused: \(error.message ?? "constraint failed")",
                        cause: error)
                }
                result.added.append(record)
            }
            return result
        }
    }

    /// The stored image with this id, or `nil`.
    public func image(id: String) throws -> ImageRecord? {
        try read("reading image \(id)") { db in try ImageRecord.fetchOne(db, key: id) }
    }

    /// Stored images, optionally of one condition, in the order they were added.
    ///
    /// Ties in `addedAt` (a bulk import stamps many rows in the same millisecond) break by insertion
    /// order (SQLite's rowid), not by id: by id, the order of one folder's images would depend on how
    /// many landed in the same millisecond, and a round training on them would not repeat exactly.
    public func images(condition: ConditionID? = nil, origin: ImageOrigin? = nil, limit: Int? = nil) throws
        -> [ImageRecord]
    {
        try read("listing images") { db in
            var request = ImageRecord.all()
            if let condition { request = request.filter(ImageRecord.Columns.condition == condition.description) }
            if let origin { request = request.filter(ImageRecord.Columns.origin == origin.rawValue) }
            request = request.order(ImageRecord.Columns.addedAt, Column.rowID)
            if let limit { request = request.limit(limit) }
            return try request.fetchAll(db)
        }
    }

    /// The conditions stored images have, with how many images each, by condition name.
    package func imageCountsByCondition() throws -> [(condition: String, count: Int)] {
        try read("listing stored conditions") { db in
            try Row.fetchAll(
                db, sql: "SELECT condition, COUNT(*) FROM image WHERE condition IS NOT NULL GROUP BY condition ORDER BY condition"
            ).map { (condition: $0[0], count: $0[1]) }
        }
    }

    /// Finds a stored image by image id (64 hex digits) or by the path it was stored under.
    ///
    /// A relative path is also tried made absolute against `relativeTo` (the current folder by default).
    /// - Returns: the image, or `nil` if none matches.
    /// - Throws: `StoreError.invalidInput` when a path names several stored images.
    public func findImage(_ reference: String, relativeTo folder: String? = nil) throws -> ImageRecord? {
        try read("looking up image \(reference)") { db in try Self.findImage(reference, relativeTo: folder, in: db) }
    }

    static func findImage(_ reference: String, relativeTo folder: String?, in db: Database) throws -> ImageRecord? {
        if ImageIdentity.isImageID(reference), let image = try ImageRecord.fetchOne(db, key: reference) { return image }
        var candidates = [reference]
        let absolute = ImageIdentity.absolutePath(reference, relativeTo: folder)
        if absolute != reference { candidates.append(absolute) }
        for candidate in candidates {
            let matches = try ImageRecord.filter(ImageRecord.Columns.path == candidate).fetchAll(db)
            let distinct = Set(matches.map(\.id))
            if distinct.count > 1 {
                throw StoreError(
                    .invalidInput, "path \(candidate) names \(distinct.count) stored images; use an image id")
            }
            if let first = matches.first { return first }
        }
        return nil
    }
}

/// Small helpers about image ids and paths.
public enum ImageIdentity {
    /// True for 64 lowercase hex digits.
    public static func isImageID(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    /// `path` made absolute against `folder` (or the current directory) and standardised.
    public static func absolutePath(_ path: String, relativeTo folder: String? = nil) -> String {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL.path }
        let base = folder ?? FileManager.default.currentDirectoryPath
        return URL(fileURLWithPath: base).appendingPathComponent(path).standardizedFileURL.path
    }
}
