import Foundation
import GRDB
import Testing

@testable import RoundsStore

/// `v2-classifier-checkpoints` rebuilds `checkpoint` to allow objective 'classifier' (SQLite's 12-step
/// ALTER TABLE): a v1 store keeps every row, id, reference and index.
@Suite struct ClassifierMigrationTests {
    /// A store file as a v1 build left it: only the first migration, marked as schema 1.
    static func makeV1Store(at path: String) throws {
        let pool = try DatabasePool(path: path)
        var migrator = DatabaseMigrator()
        let v1 = StoreSchema.migrations[0]
        #expect(v1.name == "v1-provenance-schema")
        migrator.registerMigration(v1.name) { db in try db.execute(sql: v1.sql) }
        try migrator.migrate(pool)
        try pool.write { db in
            try db.execute(sql: "PRAGMA application_id = \(StoreSchema.applicationID)")
            try db.execute(sql: "PRAGMA user_version = 1")
            try db.execute(sql: """
                INSERT INTO checkpoint (path, sha256, objective, hyperParameters, createdAt)
                    VALUES ('/m/base', '\(String(repeating: "a", count: 64))', 'pretrain', '{"lr":0.0001}', '2026-01-01 00:00:00');
                INSERT INTO checkpoint (path, sha256, parentID, objective, createdAt)
                    VALUES ('/m/rft', '\(String(repeating: "b", count: 64))', 1, 'rft', '2026-01-02 00:00:00');
                INSERT INTO image (id, fileSHA256, path, format, width, height, byteCount, condition, origin, checkpointID, ownsFile, addedAt)
                    VALUES ('\(String(repeating: "c", count: 64))', '\(String(repeating: "d", count: 64))', '/i/1.png', 'png',
                            8, 8, 10, 'synthetic/target-lesion', 'synthetic', 2, 0, '2026-01-03 00:00:00');
                """)
            // v1 refuses the new objective: the migration has something to do.
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "INSERT INTO checkpoint (path, sha256, objective, createdAt) VALUES ('/c', '\(String(repeating: "e", count: 64))', 'classifier', '2026-01-04')")
            }
        }
        try pool.close()
    }

    @Test func upgradesAV1StoreWithoutLosingRows() throws {
        let t = try TempStore()
        defer { t.remove() }
        let path = t.file("v1.sqlite")
        try Self.makeV1Store(at: path)
        let store = try Store(path: path)
        let rows = try store.read("test") { db in try CheckpointRecord.order(Column("id")).fetchAll(db) }
        #expect(rows.map(\.id) == [1, 2])
        #expect(rows.map(\.path) == ["/m/base", "/m/rft"])
        #expect(rows[1].parentID == 1 && rows[1].objective == .rft && rows[0].hyperParameters == "{\"lr\":0.0001}")
        let (image, version, applied, index, fkProblems) = try store.read("test") { db in
            (try ImageRecord.fetchOne(db)?.checkpointID, try Int.fetchOne(db, sql: "PRAGMA user_version"),
             try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier"),
             try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'checkpoint_on_parentID'"),
             try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count)
        }
        #expect(image == 2)
        #expect(version == StoreSchema.schemaVersion)
        #expect(applied.contains("v1-provenance-schema") && applied.contains("v2-classifier-checkpoints"))
        #expect(index == "CREATE INDEX checkpoint_on_parentID ON checkpoint(parentID)")
        #expect(fkProblems == 0)
        #expect(try store.integrityCheck() == ["ok"])
        // The new objective is accepted; ids keep counting past the old rows; references still hold.
        let (added, isNew) = try store.recordModel(
            path: "/c/classifier", sha256: String(repeating: "f", count: 64), objective: .classifier,
            hyperParameters: "{}", metrics: "{\"held_out_accuracy\":0.9}")
        #expect(isNew && added.id == 3 && added.objective == .classifier)
        let again = try store.recordModel(
            path: "/c/classifier", sha256: String(repeating: "f", count: 64), objective: .classifier,
            hyperParameters: "{}", metrics: "{}")
        #expect(!again.added && again.record.id == 3)
        #expect(try store.checkpoint(sha256: String(repeating: "f", count: 64), objective: .classifier)?.id == 3)
        #expect(throws: StoreError.self) {
            try store.write("test") { db in try db.execute(sql: "DELETE FROM checkpoint WHERE id = 2") }
        }
    }

    @Test func aNewStoreTakesClassifierAndRewardCheckpoints() throws {
        let t = try TempStore()
        defer { t.remove() }
        for (i, objective) in [CheckpointRecord.Objective.classifier, .reward].enumerated() {
            let r = try t.store.recordModel(path: "/x/\(i)", sha256: String(repeating: "\(i)", count: 64),
                                            objective: objective, hyperParameters: "{}", metrics: "{}")
            #expect(r.added && r.record.objective == objective)
        }
        #expect(throws: StoreError.self) {
            try t.store.recordModel(path: "/x", sha256: "short", objective: .classifier, hyperParameters: "{}", metrics: "{}")
        }
    }
}
