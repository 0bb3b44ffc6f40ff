import GRDB

extension StoreSchema {
    /// The migration names in order, as `grdb_migrations` records them.
    static var migrationNames: [String] { migrations.map(\.name) }

    /// Brings the file to this build's schema in one `BEGIN IMMEDIATE` transaction.
    ///
    /// GRDB's `DatabaseMigrator` reads which migrations are applied before its transactions start, so
    /// several processes opening a new store at once each saw "nothing applied" and all but one then
    /// failed (`table judgeBatch already exists`, a UNIQUE failure in `grdb_migrations`). Here the
    /// applied set is read after the write lock is taken: the first process migrates, the others wait
    /// on the lock (the busy timeout) and then find nothing left to do. Foreign keys are off while the
    /// migrations run (some rebuild a table, SQLite's 12-step ALTER TABLE) and checked before commit,
    /// as GRDB does; `grdb_migrations` keeps GRDB's layout so older builds read it as before.
    static func migrate(_ pool: DatabasePool, path: String) throws {
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
            try db.inTransaction(.immediate) {
                let state = try SchemaState(db, known: migrationNames)
                try state.check(path: path)
                guard state.needsMigration else { return .commit }
                try db.execute(sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
                for (name, sql) in migrations where !state.applied.contains(name) {
                    try db.execute(sql: sql)
                    try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [name])
                }
                let violations = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
                if let first = violations.first {
                    throw StoreError(
                        .corrupt, "\(path): \(violations.count) row(s) break a foreign key after migrating "
                            + "(first: table \(first[0] as String? ?? "?"), row \(first[1] as Int64? ?? 0)); nothing was changed")
                }
                try db.execute(sql: "PRAGMA application_id = \(applicationID)")
                try db.execute(sql: "PRAGMA user_version = \(schemaVersion)")
                return .commit
            }
        }
    }
}
