import Foundation
import GRDB
import RoundsCore
@testable import RoundsStore
import RoundsTestSupport
import Testing

/// Issue 22 end to end, through the built `rounds` against a loopback stand-in: a second run through
/// a symlink, a purge from a second process during a run, and a reduced fault-injection soak with a
/// SIGKILL in the middle.
@Suite(.serialized) struct JudgeSoakCLITests {
    /// `rounds` started in `dir` with its output in files (no pipes to drain).
    static func start(_ arguments: [String], in dir: URL, tag: String) throws -> (Process, URL) {
        let process = Process()
        process.executableURL = CLIRunner.executable
        process.arguments = arguments
        process.currentDirectoryURL = dir
        let err = dir.appendingPathComponent("\(tag).err")
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, err)
    }

    static func endpoints(_ dir: URL, url: String, inFlight: Int, timeout: Int = 30) throws {
        try """
            endpoints:
              - name: stand-in
                provider: openai
                base_url: \(url)
                model: stand-in-model
                max_in_flight: \(inFlight)
                request_timeout: \(timeout)

            """.write(to: dir.appendingPathComponent("endpoints.yaml"), atomically: true, encoding: .utf8)
    }

    static func query<T: Sendable>(_ db: String, _ body: @escaping @Sendable (Database) throws -> T) throws -> T {
        try Store(path: db, options: .init(readOnly: true)).read("test query", body)
    }

    static func waitUntil(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    /// The first finding: the run lock was a file named after `--db` as typed, so a second run
    /// through a symlink sent every request again. Now the second run is refused and nothing is paid twice.
    @Test(.timeLimit(.minutes(2)))
    func aSecondRunThroughASymlinkIsRefused() async throws {
        let f = BrokerFixture(dir: try CLIRunner.temporaryDirectory())
        defer { f.remove() }
        try f.expectOK(["dataset", "synth", "--out", "D", "--per-condition", "2"])
        try f.expectOK(["images", "add", "--manifest", "D/manifest.csv", "--origin", "synthetic"], db: true)
        let link = f.dir.appendingPathComponent("linked.sqlite").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: f.db)
        let server = try await StandInServer.start()
        server.respond { _, _ in .slow(seconds: 0.3, then: .verdicts()) }
        try Self.endpoints(f.dir, url: server.baseURL, inFlight: 1)
        let (first, err) = try Self.start(["judge", "--pending", "--endpoint", "stand-in", "--db", f.db], in: f.dir, tag: "first")
        #expect(Self.waitUntil(30) { !server.requests.isEmpty })
        let second = try CLIRunner.run(["judge", "--pending", "--endpoint", "stand-in", "--db", link], in: f.dir)
        #expect(second.status == 2, "\(second.stderr)")
        #expect(second.stderr.contains("another rounds judge run is using"), "\(second.stderr)")
        first.waitUntilExit()
        #expect(first.terminationStatus == 0, "\((try? String(contentsOf: err, encoding: .utf8)) ?? "")")
        #expect(server.requests.count == 8, "each of the 8 images asked once, not twice")
        let perImage = try Self.query(f.db) { db in
            try Int.fetchAll(db, sql: "SELECT COUNT(*) FROM judgment WHERE error IS NULL GROUP BY imageID")
        }
        #expect(perImage.count == 8 && perImage.allSatisfy { $0 == 1 })
        await server.stop()
    }

    /// Images purged ("consent withdrawn") from a second process while a run is going are not uploaded
    /// afterwards: each image is checked right before its request is sent.
    @Test(.timeLimit(.minutes(2)))
    func aPurgeFromASecondProcessStopsTheUploads() async throws {
        let f = BrokerFixture(dir: try CLIRunner.temporaryDirectory())
        defer { f.remove() }
        try f.expectOK(["dataset", "synth", "--out", "D", "--per-condition", "10"])
        try f.expectOK(["images", "add", "--manifest", "D/manifest.csv", "--origin", "synthetic"], db: true)
        let server = try await StandInServer.start()
        server.respond { _, _ in .slow(seconds: 0.1, then: .verdicts()) }
        try Self.endpoints(f.dir, url: server.baseURL, inFlight: 2)
        let (judge, err) = try Self.start(["judge", "--pending", "--endpoint", "stand-in", "--db", f.db], in: f.dir, tag: "judge")
        #expect(Self.waitUntil(30) { server.requests.count >= 4 })
        let unjudged = try Self.query(f.db) { db in
            try String.fetchAll(db, sql: """
                SELECT id FROM image WHERE id NOT IN (SELECT imageID FROM judgment WHERE error IS NULL) ORDER BY id
                """)
        }
        try #require(unjudged.count >= 20, "the run must still have most of its work")
        let purge = try f.run(["images", "purge"] + unjudged + ["--reason", "consent withdrawn"])
        #expect(purge.status == 0, "\(purge.stderr)")
        let atPurge = server.requests.count
        judge.waitUntilExit()
        let stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        #expect(judge.terminationStatus == 0, "\(stderr)")
        #expect(server.requests.count - atPurge <= 2, "at most the requests already on their way (\(server.requests.count - atPurge) after the purge)")
        #expect(stderr.contains("purged from the store during the run"), "\(stderr)")
        let audited = try Self.query(f.db) { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM purgeAudit") ?? 0 }
        #expect(audited == unjudged.count)
        await server.stop()
    }

    /// The reduced soak: about 300 requests, every fault class (429 with retry-after, 500, 529, a hang
    /// past the time-out, a body cut mid-stream, garbage, a truncated body, odd `usage` numbers, a
    /// refusal, an answer cut at the token limit, an unreadable answer needing the repair turn), two
    /// images purged mid-run, a second run through a symlink refused, a SIGKILL in the middle, then a
    /// second run. Afterwards every image has exactly one successful judgment per sample, no answer
    /// was paid twice in the second run, the killed run is `abandoned`, and the file is intact.
    @Test(.timeLimit(.minutes(2)))
    func faultInjectionSoakWithAKillInTheMiddle() async throws {
        let f = BrokerFixture(dir: try CLIRunner.temporaryDirectory())
        defer { f.remove() }
        try f.expectOK(["dataset", "synth", "--out", "D", "--per-condition", "20"])
        try f.expectOK(["images", "add", "--manifest", "D/manifest.csv", "--origin", "synthetic"], db: true)
        let server = try await StandInServer.start()
        // phase 1: every fault class; phase 2: transient faults only, so the second run can finish
        let state = SoakState()
        server.respond { _, i in
            let behavior: StandInBehavior = state.withLock { s in
                let faults: [StandInBehavior]
                if s.phase == 1 {
                    faults = [.rateLimited(retryAfter: "0.05"), .status(500), .overloaded, .closeMidBody, .garbageBody,
                              .truncatedBody, .oddUsage(promptTokens: "-5", completionTokens: "7"),
                              .oddUsage(promptTokens: "1e300", completionTokens: "9223372036854775808"), .refusal,
                              .truncatedAnswer, .answer("It looks plausible to me."), i % 96 == 11 ? .hang : .verdicts()]
                    let b = i % 24 < faults.count ? faults[i % 24] : .verdicts()
                    return b
                }
                faults = [.rateLimited(retryAfter: "0.05"), .status(502), .overloaded, .closeMidBody, .garbageBody,
                          .truncatedBody, .oddUsage(promptTokens: "1e300", completionTokens: "-1")]
                return i % 8 == 0 ? faults[(i / 8) % faults.count] : .verdicts()
            }
            switch behavior {
            case .verdicts, .oddUsage: state.withLock { $0.successes += 1 }
            default: break
            }
            return behavior
        }
        try Self.endpoints(f.dir, url: server.baseURL, inFlight: 6, timeout: 1)
        let judgeArguments = ["judge", "--pending", "--endpoint", "stand-in", "--samples", "3"]
        let (first, _) = try Self.start(judgeArguments + ["--db", f.db], in: f.dir, tag: "first")
        func combined() throws -> Int {
            guard FileManager.default.fileExists(atPath: f.db) else { return 0 }
            return (try? Self.query(f.db) { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM judgment WHERE sampleIndex = 0 AND error IS NULL") ?? 0
            }) ?? 0
        }
        #expect(try Self.waitUntil(60) { try combined() >= 8 })
        // a second run through a symlink meanwhile is refused
        let link = f.dir.appendingPathComponent("linked.sqlite").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: f.db)
        let refused = try CLIRunner.run(judgeArguments + ["--db", link], in: f.dir)
        #expect(refused.status == 2 && refused.stderr.contains("another rounds judge run"), "\(refused.stderr)")
        // consent withdrawn for two images mid-run
        let withdrawn = try Self.query(f.db) { db in try String.fetchAll(db, sql: "SELECT id FROM image ORDER BY id DESC LIMIT 2") }
        try f.expectOK(["images", "purge"] + withdrawn + ["--reason", "consent withdrawn"], db: true)
        #expect(try Self.waitUntil(60) { try combined() >= 20 })
        let killedMidRun = first.isRunning
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        try #require(killedMidRun, "the first run must still be running when it is killed")
        let before = try Self.query(f.db) { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM judgment WHERE sampleIndex > 0 AND error IS NULL") ?? 0
        }
        state.withLock { $0 = (2, 0) }

        let second = try CLIRunner.run(judgeArguments + ["--db", f.db, "--json"], in: f.dir)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("as abandoned"), "\(second.stderr)")
        let (images, pairs, duplicates, samplesAfter, abandoned, check) = try Self.query(f.db) { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM image") ?? 0,
             try Int.fetchAll(db, sql: """
                SELECT COUNT(*) FROM judgment WHERE error IS NULL GROUP BY imageID, sampleIndex
                """),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM judgment WHERE duplicateOf IS NOT NULL") ?? -1,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM judgment WHERE sampleIndex > 0 AND error IS NULL") ?? 0,
             try String.fetchAll(db, sql: "SELECT status FROM judgeRun ORDER BY id"),
             try String.fetchAll(db, sql: "PRAGMA integrity_check"))
        }
        #expect(images == 78, "two images purged")
        // Every image has its combined judgment. A sample may stay failed (a refusal or an answer cut at the
        // token limit is not retried) when the other two answered: two of three is a majority, so the image
        // is judged. (An earlier version of this test wanted all 312 pairs and failed with 309: those three
        // were such samples.) Every missing sample has its failed row, and no image has fewer than two.
        let (combinedImages, missing) = try Self.query(f.db) { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT imageID) FROM judgment WHERE sampleIndex = 0 AND error IS NULL") ?? 0,
             try Row.fetchAll(db, sql: """
                SELECT i.id, s.k,
                       (SELECT COUNT(*) FROM judgment j WHERE j.imageID = i.id AND j.sampleIndex = s.k AND j.error IS NOT NULL),
                       (SELECT COUNT(*) FROM judgment j WHERE j.imageID = i.id AND j.sampleIndex > 0 AND j.error IS NULL)
                FROM image i, (SELECT 1 AS k UNION SELECT 2 UNION SELECT 3) s
                WHERE NOT EXISTS (SELECT 1 FROM judgment j WHERE j.imageID = i.id AND j.sampleIndex = s.k AND j.error IS NULL)
                """).map { (failedRows: $0[2] as Int, answered: $0[3] as Int) })
        }
        #expect(combinedImages == 78, "every image has its combined judgment")
        #expect(pairs.count == 78 * 4 - missing.count)
        #expect(missing.allSatisfy { $0.failedRows >= 1 && $0.answered >= 2 }, "\(missing)")
        #expect(pairs.allSatisfy { $0 == 1 }, "exactly one successful judgment per image and sample")
        #expect(duplicates == 0, "no paid duplicate")
        #expect(abandoned.first == "abandoned" && abandoned.last == "completed", "\(abandoned)")
        #expect(check == ["ok"])
        // the second run paid once per sample it stored: no successful answer was asked for again
        let successes = state.withLock { $0.successes }
        #expect(successes == samplesAfter - before, "\(successes) answers for \(samplesAfter - before) new samples")
        #expect(server.requests.count >= 250, "a soak of a few hundred requests (\(server.requests.count))")
        await server.stop()
    }
}

/// The soak's phase and how many successful answers the stand-in gave in it.
final class SoakState: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (phase: Int, successes: Int) = (1, 0)

    func withLock<T>(_ body: (inout (phase: Int, successes: Int)) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
