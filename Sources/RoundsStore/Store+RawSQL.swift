import Foundation
import GRDB

/// One row of a raw query, its columns by position.
package struct RawRow: Sendable {
    let values: [DatabaseValue]

    /// Column `index` converted to `T`; a NULL or unconvertible value traps, as a test wants.
    package subscript<T: DatabaseValueConvertible>(_ index: Int) -> T {
        T.fromDatabaseValue(values[index])!
    }

    /// Column `index`, nil when it is NULL.
    package subscript<T: DatabaseValueConvertible>(optional index: Int) -> T? {
        T.fromDatabaseValue(values[index])
    }
}

/// Raw SQL for tests that inspect the file as another tool would (row counts, WAL checkpoints) and
/// insert rows the commands never write, without every test target depending on GRDB. Product code
/// uses the typed queries in the other `Store+<Table>.swift` files; nothing outside tests calls these.
extension Store {
    /// The rows of `sql` (a read-only statement) with positional `arguments`.
    package func rawRows(_ sql: String, _ arguments: [(any DatabaseValueConvertible & Sendable)?] = []) throws -> [RawRow] {
        try read("running \(sql.prefix(40))") { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                RawRow(values: row.databaseValues.map { $0 })
            }
        }
    }

    /// Records of type `R` read by `sql` (every row of its table, oldest first, when nil).
    package func rawRecords<R: FetchableRecord & TableRecord & Sendable>(
        _ type: R.Type, _ sql: String? = nil, _ arguments: [(any DatabaseValueConvertible & Sendable)?] = []
    ) throws -> [R] {
        try read("reading \(R.databaseTableName)") { db in
            if let sql { return try R.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)) }
            return try R.order(Column.rowID).fetchAll(db)
        }
    }

    /// Inserts `record` as is and returns it with its id.
    package func rawInsert<R: MutablePersistableRecord & Sendable>(_ record: R) throws -> R {
        try write("inserting into \(R.databaseTableName)") { db in
            var r = record
            try r.insert(db)
            return r
        }
    }

    /// Folds the write-ahead log into the database file (what a clean close does).
    package func checkpointWAL() throws {
        do { _ = try pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) } } catch {
            throw StoreError.wrap(error, path: path, while: "checkpointing the write-ahead log")
        }
    }
}
