import Foundation
import GRDB
import RoundsCore
import Testing

@testable import RoundsStore

/// Issue 22 in the store: one successful judgment per request key and sample, a migration that keeps
/// the duplicates an older build stored, and first opens of a new file by many processes at once.
@Suite struct ExactlyOnceStoreTests {
    /// A store as a v4 build left it, holding what the issue found: the same request key judged
    /// successfully three times (two runs on one store through a link), plus a failed attempt.
    static func makeV4StoreWithDuplicates(at path: String) throws -> (key: String, image: String) {
        let pool = try DatabasePool(path: path)
        var migrator = DatabaseMigrator()
        for (name, sql) in StoreSchema.migrations.prefix(4) {
            migrator.registerMigration(name) { db in try db.execute(sql: sql) }
        }
        try migrator.migrate(pool)
        let key = String(repeating: "a", count: 64), image = String(repeating: "c", count: 64)
        try pool.write { db in
            try db.execute(sql: "PRAGMA application_id = \(StoreSchema.applicationID)")
            try db.execute(sql: "PRAGMA user_version = 4")
            try db.execute(sql: """
                INSERT INTO image (id, fileSHA256, path, format, width, height, byteCount, condition, origin, addedAt)
                    VALUES ('\(image)', '\(String(repeating: "d", count: 64))', '/i/1.png', 'png', 8, 8, 10,
                            'dermatology/vitiligo', 'synthetic', '2026-01-03 00:00:00');
                INSERT INTO checklistVersion (id, condition, yaml, createdAt)
                    VALUES ('\(String(repeating: "1", count: 64))', 'dermatology/vitiligo', 'x', '2026-01-01');
                INSERT INTO promptVersion (id, name, body, createdAt)
                    VALUES ('\(String(repeating: "2", count: 64))', 'p', 'b', '2026-01-01');
                INSERT INTO judgeRun (endpoint, baseURL, model, provider, startedAt, status)
                    VALUES ('e', 'http://h/v1', 'm', 'openai', '2026-01-04', 'completed'),
                           ('e', 'http://h/v1', 'm', 'openai', '2026-01-04', 'running');
                """)
            for (run, error) in [(1, nil), (2, nil), (1, "failed: HTTP 500"), (2, nil)] as [(Int, String?)] {
                try db.execute(sql: """
                    INSERT INTO judgment (runID, imageID, checklistVersionID, promptVersionID, requestKey, canonicalRequest,
                                          sampleIndex, responseText, promptTokens, attempts, error, createdAt)
                        VALUES (?, ?, ?, ?, ?, '{}', 0, 'answer', 10, 1, ?, '2026-01-05')
                    """, arguments: [run, image, String(repeating: "1", count: 64), String(repeating: "2", count: 64), key,
                                     error])
                try db.execute(sql: "INSERT INTO criterionVerdict (judgmentID, criterionID, verdict) VALUES (?, 'a', 'met')",
                               arguments: [db.lastInsertedRowID])
            }
        }
        try pool.close()
        return (key, image)
    }

    @Test func aStoreHoldingDuplicateJudgmentsMigratesWithoutLosingARow() throws {
        let t = try TempStore()
        defer { t.remove() }
        let path = t.file("v4.sqlite")
        let (key, image) = try Self.makeV4StoreWithDuplicates(at: path)
        let store = try Store(path: path)
        let rows = try store.read("rows") { db in
            try Row.fetchAll(db, sql: "SELECT id, error, duplicateOf, responseText FROM judgment ORDER BY id")
                .map { ($0[0] as Int64, $0[1] as String?, $0[2] as Int64?, $0[3] as String?) }
        }
        #expect(rows.count == 4, "every row kept")
        #expect(rows.map(\.2) == [nil, 1, nil, 1], "the later successes point at the first; the failure is untouched")
        #expect(rows.allSatisfy { $0.3 == "answer" })
        #expect(try store.read("verdicts") { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM criterionVerdict") } == 4)
        #expect(try store.read("runs") { db in try String.fetchAll(db, sql: "SELECT status FROM judgeRun ORDER BY id") }
                == ["completed", "running"])
        #expect(try store.integrityCheck() == ["ok"])
        #expect(try store.succeededSample(requestKey: key, sampleIndex: 0)?.judgment.id == 1)

        // The schema refuses a second successful judgment of the key and sample ...
        #expect(throws: DatabaseError.self) {
            try store.pool.write { db in
                try db.execute(sql: """
                    INSERT INTO judgment (runID, imageID, checklistVersionID, promptVersionID, requestKey, canonicalRequest,
                                          sampleIndex, attempts, createdAt)
                        VALUES (1, ?, ?, ?, ?, '{}', 0, 1, '2026-01-06')
                    """, arguments: [image, String(repeating: "1", count: 64), String(repeating: "2", count: 64), key])
            }
        }
        // ... another sample index or a failure is fine, and the store keeps a paid duplicate as such.
        var again = JudgmentRecord(runID: 1, imageID: image, checklistVersionID: String(repeating: "1", count: 64),
                                   promptVersionID: String(repeating: "2", count: 64), requestKey: key, canonicalRequest: "{}")
        let id = try store.addJudgment(again, verdicts: [])
        #expect(try store.read("dup") { db in try Int64.fetchOne(db, sql: "SELECT duplicateOf FROM judgment WHERE id = ?", arguments: [id]) } == 1)
        again.sampleIndex = 1
        let other = try store.addJudgment(again, verdicts: [])
        #expect(try store.read("dup") { db in try Int64.fetchOne(db, sql: "SELECT duplicateOf FROM judgment WHERE id = ?", arguments: [other]) } == nil)
        // a run may now be abandoned
        try store.pool.write { db in try db.execute(sql: "UPDATE judgeRun SET status = 'abandoned' WHERE id = 2") }
    }

    /// Six `rounds images add` at once on a `--db` that does not exist yet, several times: 8-12% of
    /// such processes used to fail (`table judgeBatch already exists`, a UNIQUE failure in
    /// `grdb_migrations`) because each read "nothing applied" before migrating.
    @Test(.timeLimit(.minutes(2)))
    func concurrentFirstOpensInSeparateProcessesAllSucceed() throws {
        let t = try TempStore()
        defer { t.remove() }
        let synth = try RoundsBinary.run(["dataset", "synth", "--out", "D", "--per-condition", "1"], in: t.folder)
        try #require(synth.status == 0, "\(synth.stderr)")
        for round in 0..<4 {
            let db = t.file("fresh-\(round).sqlite")
            let processes = try (0..<6).map { i in
                try RoundsBinary.start(["images", "add", "--manifest", "D/manifest.csv", "--origin", "synthetic", "--db", db],
                                       in: t.folder, tag: "add-\(round)-\(i)")
            }
            for (process, _, err) in processes {
                process.waitUntilExit()
                let stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
                #expect(process.terminationStatus == 0, "round \(round): \(stderr)")
            }
            let store = try Store(path: db)
            #expect(try store.images().count == 4)
            #expect(try store.integrityCheck() == ["ok"])
            let applied = try store.read("migrations") { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
            #expect(applied.count == StoreSchema.schemaVersion)
        }
    }
}
