import Foundation
import GRDB
import RoundsCore

/// The Rounds store: one SQLite file (WAL, foreign keys on) holding every image, judgment, label and
/// checkpoint with its provenance.
///
/// Open it with `Store(path:)`; the schema is migrated on open, and a file written by a newer Rounds (or
/// by another program) is refused before anything is written to it. `Store` is `Sendable`: share one
/// value between tasks; GRDB serialises writes. Rows are appended, never overwritten: judging an image
/// again adds a judgment, and "latest" is a query. The one deletion is `purge(_:reason:)`.
public struct Store: Sendable {
    /// How to open the file.
    public struct Options: Sendable {
        /// Open without write access; any write fails with `StoreError.Code.readOnly`.
        public var readOnly = false
        /// How long a write waits for another process's transaction before giving up.
        public var busyTimeout: TimeInterval = 30
        public init(readOnly: Bool = false, busyTimeout: TimeInterval = 30) {
            self.readOnly = readOnly
            self.busyTimeout = busyTimeout
        }
    }

    /// The database path as the user gave it (used in every error message).
    public let path: String
    /// The GRDB connection pool; only this module runs SQL (DESIGN.md), through the typed queries.
    let pool: DatabasePool

    /// Opens (creating if needed) the store at `path` and migrates it to this build's schema.
    ///
    /// - Throws: `StoreError` naming `path`: `.notADatabase` / `.corrupt` for a file that is not a healthy
    ///   SQLite database, `.notARoundsStore` for another program's database, `.newerSchema` for a file a
    ///   newer Rounds wrote, `.readOnly` when a read-only store still needs migrating, `.cannotOpen` otherwise.
    public init(path: String, options: Options = .init()) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw StoreError(.cannotOpen, "\(path): is a directory, not a database file")
        }
        if options.readOnly, !FileManager.default.fileExists(atPath: path) {
            throw StoreError(.cannotOpen, "\(path): no such database (opening read-only does not create one)")
        }
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.readonly = options.readOnly
        config.busyMode = .timeout(options.busyTimeout)
        // GRDB 7 opens a pool's write transactions IMMEDIATE: the write lock is taken at BEGIN, where the
        // busy timeout applies, so two processes writing at once wait for each other instead of failing.
        config.label = "rounds-store"
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw StoreError.wrap(error, path: path, while: "opening the database")
        }
        try migrate(readOnly: options.readOnly)
    }

    private func migrate(readOnly: Bool) throws {
        do {
            let state = try pool.read { db in try SchemaState(db, known: StoreSchema.migrationNames) }
            try state.check(path: path)
            guard state.needsMigration else { return }
            guard !readOnly else {
                throw StoreError(
                    .readOnly,
                    "\(path): the database is read-only but needs migrating to schema \(StoreSchema.schemaVersion) (it has \(state.userVersion)); open it once with write access"
                )
            }
            try StoreSchema.migrate(pool, path: path)
        } catch {
            throw StoreError.wrap(error, path: path, while: "opening the database")
        }
    }

    /// Runs `body` in one write transaction; any error rolls everything back and comes out as a
    /// `StoreError` naming the file.
    func write<T: Sendable>(_ what: String, _ body: @Sendable (Database) throws -> T) throws -> T {
        do { return try pool.write(body) } catch { throw StoreError.wrap(error, path: path, while: what) }
    }

    /// Runs `body` on a read-only snapshot.
    func read<T: Sendable>(_ what: String, _ body: @Sendable (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch { throw StoreError.wrap(error, path: path, while: what) }
    }

    /// `PRAGMA integrity_check`: `["ok"]` for a healthy file, otherwise SQLite's list of problems.
    public func integrityCheck() throws -> [String] {
        try read("checking integrity") { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }
}

/// What a file says about the schema that wrote it.
struct SchemaState {
    var applicationID: Int32
    var userVersion: Int
    var applied: Set<String>
    var hasMigrationTable: Bool
    var tableCount: Int
    var known: Set<String>

    init(_ db: Database, known: [String]) throws {
        applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        userVersion = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        hasMigrationTable = try db.tableExists("grdb_migrations")
        applied = hasMigrationTable ? Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")) : []
        tableCount = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table'") ?? 0
        self.known = Set(known)
    }

    var needsMigration: Bool {
        !known.isSubset(of: applied) || userVersion != StoreSchema.schemaVersion
            || applicationID != StoreSchema.applicationID
    }

    func check(path: String) throws {
        if applicationID != 0, applicationID != StoreSchema.applicationID {
            throw StoreError(
                .notARoundsStore,
                "\(path): an SQLite database of another program (application_id \(applicationID)), not a Rounds store")
        }
        if applicationID == 0, tableCount > 0, !hasMigrationTable {
            throw StoreError(
                .notARoundsStore,
                "\(path): an SQLite database with \(tableCount) table(s) that Rounds did not create; use a new file for the store"
            )
        }
        let unknown = applied.subtracting(known).sorted()
        if !unknown.isEmpty || userVersion > StoreSchema.schemaVersion {
            let what =
                unknown.isEmpty ? "schema version \(userVersion)" : "migrations \(unknown.joined(separator: ", "))"
            throw StoreError(
                .newerSchema,
                "\(path): written by a newer Rounds (\(what); this build knows schema \(StoreSchema.schemaVersion)); upgrade Rounds to open it"
            )
        }
    }
}
