import Foundation
import GRDB
import RoundsCore
import Testing

@testable import RoundsStore

/// Real SQLite files, real processes: what happens when things go wrong.
@Suite struct ReliabilityTests {
    /// Writes a labels CSV of `rows` rows over `images`, each with two criterion verdicts.
    private func labelsFile(_ t: TempStore, name: String, images: [ImageRecord], rows: Int) throws -> String {
        // criteria of the bundled dermatology/vitiligo checklist, the fixture images' condition: the
        // command checks criterion columns against the image's checklist
        // each row says something else (its note), so none is an identical label already stored
        var text = "image,label,note,criterion:sharp-irregular-borders,criterion:milk-white-depigmented\n"
        text.reserveCapacity(rows * 110)
        for i in 0..<rows { text += "\(images[i % images.count].id),\(i % 2),row \(i),met,uncertain\n" }
        return try t.write(name, text)
    }

    private func labelCount(_ path: String, rater: String) throws -> Int {
        try Store(path: path).read("count") { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM humanLabel WHERE rater = ?", arguments: [rater])!
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func sigkillMidImportKeepsCommittedDataAndAConsistentFile() throws {
        let t = try TempStore()
        defer { t.remove() }
        let images = (0..<200).map { Fixtures.image($0) }
        try t.store.addImages(images)
        let small = try labelsFile(t, name: "first.csv", images: images, rows: 500)
        _ = try LabelImport(store: t.store).run(path: small, rater: "committed", skipBad: false)
        let big = try labelsFile(t, name: "big.csv", images: images, rows: 150_000)

        let (process, _, err) = try RoundsBinary.start(
            ["labels", "import", big, "--rater", "killed", "--db", t.path], in: t.folder, tag: "kill")
        // Wait until the import has begun its transaction, then kill it mid-way.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, process.isRunning {
            if let text = try? String(contentsOf: err, encoding: .utf8), text.contains("in one transaction") { break }
            usleep(2_000)
        }
        usleep(30_000)
        let killedMidWay = process.isRunning
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(killedMidWay, "the import finished before it could be killed; the test needs a bigger file")
        #expect(process.terminationReason == .uncaughtSignal)

        let reopened = try Store(path: t.path)
        #expect(try reopened.integrityCheck() == ["ok"])
        #expect(try labelCount(t.path, rater: "committed") == 500)
        let killed = try labelCount(t.path, rater: "killed")
        #expect(killed == 0, "an interrupted import leaves none of its rows")
        let orphans = try reopened.read("orphans") { db in
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM humanCriterionLabel WHERE labelID NOT IN (SELECT id FROM humanLabel)")!
        }
        #expect(orphans == 0)
        // The file still takes writes.
        _ = try LabelImport(store: reopened).run(path: small, rater: "after", skipBad: false)
        #expect(try labelCount(t.path, rater: "after") == 500)
    }

    @Test(.timeLimit(.minutes(1)))
    func twoProcessesWritingAtOnceBothSucceed() throws {
        let t = try TempStore()
        defer { t.remove() }
        let images = (0..<100).map { Fixtures.image($0) }
        try t.store.addImages(images)
        let a = try labelsFile(t, name: "a.csv", images: images, rows: 20_000)
        let b = try labelsFile(t, name: "b.csv", images: images, rows: 20_000)
        let pa = try RoundsBinary.start(
            ["labels", "import", a, "--rater", "nightly", "--db", t.path], in: t.folder, tag: "a")
        let pb = try RoundsBinary.start(
            ["labels", "import", b, "--rater", "dermatologist", "--db", t.path], in: t.folder, tag: "b")
        // This process writes too, in many small transactions, while the two imports run.
        let run = try Fixtures.run(in: t.store)
        for image in images {
            try t.store.addJudgment(
                Fixtures.judgment(run: run, image: image.id), verdicts: Fixtures.verdicts([("a", .met)]))
        }
        pa.0.waitUntilExit()
        pb.0.waitUntilExit()
        let errA = (try? String(contentsOf: pa.2, encoding: .utf8)) ?? "",
            errB = (try? String(contentsOf: pb.2, encoding: .utf8)) ?? ""
        #expect(pa.0.terminationStatus == 0, "\(errA)")
        #expect(pb.0.terminationStatus == 0, "\(errB)")
        #expect(try labelCount(t.path, rater: "nightly") == 20_000)
        #expect(try labelCount(t.path, rater: "dermatologist") == 20_000)
        #expect(try t.store.latestVerdicts(checklistVersion: Fixtures.checklist.id).count == 100)
        #expect(try t.store.integrityCheck() == ["ok"])
    }

    @Test func aFileThatIsNotSQLiteIsRefusedByName() throws {
        let t = try TempStore()
        defer { t.remove() }
        let path = try t.write("notes.sqlite", String(repeating: "this is not a database\n", count: 200))
        let error = try #require(throws: StoreError.self) { try Store(path: path) }
        #expect(error.code == .notADatabase)
        #expect(error.message.hasPrefix("\(path): not an SQLite database"))
        #expect(
            try String(contentsOfFile: path, encoding: .utf8).hasPrefix("this is not"), "the file is left as it was")
        let dir = t.file("folder.sqlite")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let e2 = try #require(throws: StoreError.self) { try Store(path: dir) }
        #expect(e2.code == .cannotOpen && e2.message.contains(dir))
    }

    @Test func aCorruptStoreIsReportedByName() throws {
        let t = try TempStore()
        defer { t.remove() }
        try t.store.addImages((0..<300).map { Fixtures.image($0) })
        try t.store.pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        // Keep the header page, scribble over the schema and data pages.
        let copy = t.file("corrupt.sqlite")
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: t.path)))
        for i in 100..<bytes.count where i % 7 != 0 { bytes[i] = UInt8(truncatingIfNeeded: i &* 31) }
        try Data(bytes).write(to: URL(fileURLWithPath: copy))
        let error = try #require(throws: StoreError.self) {
            let store = try Store(path: copy)
            _ = try store.images()
        }
        #expect([StoreError.Code.corrupt, .notADatabase].contains(error.code), "\(error)")
        #expect(error.message.hasPrefix(copy))
    }

    @Test func aReadOnlyStoreReadsButRefusesWritesByName() throws {
        let t = try TempStore()
        defer { t.remove() }
        try t.store.addImages([Fixtures.image(1)])
        let ro = try Store(path: t.path, options: .init(readOnly: true))
        #expect(try ro.images().count == 1)
        let error = try #require(throws: StoreError.self) { try ro.addImages([Fixtures.image(2)]) }
        #expect(error.code == .readOnly)
        #expect(error.message == "\(t.path): the database is read-only; adding 1 image(s) needs write access")
        let missing = t.file("absent.sqlite")
        let e2 = try #require(throws: StoreError.self) { try Store(path: missing, options: .init(readOnly: true)) }
        #expect(e2.code == .cannotOpen && e2.message.contains(missing))
    }

    @Test func aFullDiskFailsCleanlyAndKeepsWhatWasStored() throws {
        let t = try TempStore()
        defer { t.remove() }
        try t.store.addImages((0..<10).map { Fixtures.image($0) })
        let pages = try t.store.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA page_count")! }
        // The pool has one writer connection, so the limit holds for every write below.
        try t.store.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = \(pages + 2)") }
        let many = (10..<5_000).map { Fixtures.image($0) }
        let error = try #require(throws: StoreError.self) { try t.store.addImages(many) }
        #expect(error.code == .diskFull)
        #expect(error.message.hasPrefix("\(t.path): the disk is full"))
        #expect(try t.store.images().count == 10, "the failed transaction left nothing behind")
        #expect(try t.store.integrityCheck() == ["ok"])
    }
}
