import Foundation
import GRDB
import RoundsCore
import Testing

@testable import RoundsStore

@Suite struct SchemaTests {
    @Test func migratesAndMarksTheFile() throws {
        let t = try TempStore()
        defer { t.remove() }
        let (appID, version, mode, fk) = try t.store.pool.read { db in
            (
                try Int32.fetchOne(db, sql: "PRAGMA application_id")!,
                try Int.fetchOne(db, sql: "PRAGMA user_version")!,
                try String.fetchOne(db, sql: "PRAGMA journal_mode")!, try Int.fetchOne(db, sql: "PRAGMA foreign_keys")!
            )
        }
        #expect(appID == StoreSchema.applicationID)
        #expect(version == StoreSchema.schemaVersion)
        #expect(mode == "wal")
        #expect(fk == 1)
        let tables = try t.store.pool.read { db in
            try String.fetchAll(
                db,
                sql:
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%' ORDER BY name"
            )
        }
        #expect(
            tables == [
                "alignmentScore", "checklistVersion", "checkpoint", "criterionVerdict", "feedbackRound",
                "humanCriterionLabel", "humanLabel", "humanPairPreference", "image", "judgeBatch", "judgeBatchItem", "judgeRun", "judgment", "pairCandidate", "pairComparison", "preferenceMember", "preferenceSet",
                "promptVersion", "purgeAudit", "studioUser",
            ])
        // Reopening an up-to-date file changes nothing.
        _ = try Store(path: t.path)
        #expect(try t.store.integrityCheck() == ["ok"])
    }

    @Test func refusesAFileFromANewerRoundsByMigrationName() throws {
        let t = try TempStore()
        defer { t.remove() }
        try t.store.pool.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9-from-the-future')")
        }
        let error = try #require(throws: StoreError.self) { try Store(path: t.path) }
        #expect(error.code == .newerSchema)
        #expect(error.message.contains(t.path))
        #expect(error.message.contains("v9-from-the-future"))
        #expect(error.message.contains("newer Rounds"))
    }

    @Test func refusesAFileFromANewerRoundsByUserVersion() throws {
        let t = try TempStore()
        defer { t.remove() }
        try t.store.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA user_version = 99") }
        let error = try #require(throws: StoreError.self) { try Store(path: t.path) }
        #expect(error.code == .newerSchema)
        #expect(error.message.contains("schema version 99"))
    }

    @Test func refusesAnotherProgramsDatabase() throws {
        let t = try TempStore()
        defer { t.remove() }
        let other = t.file("other.sqlite")
        try DatabaseQueue(path: other).write { db in try db.execute(sql: "CREATE TABLE notes (body TEXT)") }
        let error = try #require(throws: StoreError.self) { try Store(path: other) }
        #expect(error.code == .notARoundsStore)
        #expect(error.message.contains(other))
        let tagged = t.file("tagged.sqlite")
        try DatabaseQueue(path: tagged).writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA application_id = 42")
        }
        let e2 = try #require(throws: StoreError.self) { try Store(path: tagged) }
        #expect(e2.code == .notARoundsStore)
        #expect(e2.message.contains("application_id 42"))
    }

    @Test(arguments: [
        ("INSERT INTO criterionVerdict (judgmentID, criterionID, verdict) VALUES (1, 'c', 'maybe')", "verdict IN"),
        (
            "INSERT INTO alignmentScore (imageID, dimension, score, computedBy, createdAt) VALUES ('x', 'd', 0.5, 'v', 0)",
            "FOREIGN KEY"
        ),
        ("INSERT INTO checkpoint (path, sha256, objective, createdAt) VALUES ('p', 'x', 'rft', 0)", "length(sha256)"),
        (
            "INSERT INTO judgeRun (endpoint, baseURL, model, provider, startedAt, status) VALUES ('e', 'u', 'm', 'openai', 0, 'sleeping')",
            "status IN"
        ),
    ])
    func constraintsRefuseBadRows(sql: String, expected: String) throws {
        let t = try TempStore()
        defer { t.remove() }
        let error = try #require(throws: StoreError.self) {
            try t.store.write("test insert") { db in try db.execute(sql: sql) }
        }
        #expect(error.code == .constraint)
        #expect(error.message.contains(t.path))
        #expect(error.detailedDescription().contains(expected))
    }

    @Test func imageChecksRejectBadValues() throws {
        let t = try TempStore()
        defer { t.remove() }
        var bad = Fixtures.image(1)
        bad.skinTone = "VII"
        let e1 = try #require(throws: StoreError.self) { try t.store.addImages([bad]) }
        #expect(e1.code == .constraint)
        #expect(e1.message.contains("/data/img1.png"))
        var real = Fixtures.image(2, origin: .real)
        real.ownsFile = true
        #expect(throws: StoreError.self) { try t.store.addImages([real]) }
        #expect(try t.store.images().isEmpty)
    }
}
