import Foundation
import GRDB
import RoundsCore
import RoundsJudge
@testable import RoundsStore
import RoundsTestSupport
import Testing

/// Issue 22 through `JudgeRunner` on a real store and a loopback stand-in: odd `usage` numbers, a
/// `--samples 3` majority failure, a privacy refusal, the parser's problems, abandoned runs, and a
/// judge lock that leaves other writers alone.
@Suite struct ExactlyOnceRunnerTests {
    typealias Fixture = JudgeRunnerTests.Fixture

    func plan(_ f: Fixture, model: String) throws -> JudgeRunPlan {
        try JudgeRunPlan.make(store: f.store, catalog: f.catalog, prompts: f.prompts, model: model, imageIDs: nil)
    }

    func count(_ f: Fixture, _ sql: String) throws -> Int {
        try f.store.read("counting") { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }

    /// `prompt_tokens: -5` used to fail the store's CHECK (the paid answer dropped, every run again) and
    /// `1e300` / 2^63 trapped converting to Int, leaving the run `running`. Every answer is kept now.
    @Test(arguments: [ProviderKind.openai, .anthropic])
    func oddUsageNumbersKeepTheAnswer(provider: ProviderKind) async throws {
        let f = try JudgeRunnerTests.fixture(perCondition: 2)
        defer { f.remove() }
        let server = try await StandInServer.start()
        let odd = [("-5", "7"), ("1e300", "1e300"), ("9223372036854775808", "-9223372036854775808"), ("12.5", "1.5"),
                   ("\"many\"", "null"), ("1e12", "3"), ("-0.0", "0"), ("18446744073709551616", "1")]
        server.respond { _, i in
            let (p, c) = odd[i % odd.count]
            return .oddUsage(promptTokens: p, completionTokens: c)
        }
        let endpoint = try EndpointConfig.adHoc(baseURL: server.baseURL, model: "stand-in", provider: provider)
        let summary = try await JudgeRunner(store: f.store, client: JudgeClient(endpoint: endpoint, apiKey: nil))
            .run(try plan(f, model: "stand-in"))
        await server.stop()
        #expect(summary.judged == 8 && summary.failed == 0, "\(summary.failures)")
        #expect(summary.inputTokens == 1_000_000_000_000 + 0 && summary.outputTokens == 7 + 3 + 1, "only believable counts")
        #expect(try count(f, "SELECT COUNT(*) FROM judgment WHERE error IS NULL") == 8)
        #expect(try count(f, "SELECT COUNT(*) FROM judgeRun WHERE status = 'completed'") == 1)
        #expect(try count(f, "SELECT COUNT(*) FROM judgment WHERE promptTokens < 0 OR completionTokens < 0") == 0)
    }

    /// Two of three samples failed: that is no majority. The image is stored as failed (retried next run)
    /// instead of as a success with agreement 0.333; the next run re-counts the stored successful sample
    /// and sends only the two that failed, so no sample is paid twice.
    @Test func aSamplesMajorityFailureIsStoredAsFailedAndRetriedWithoutResending() async throws {
        let f = try JudgeRunnerTests.fixture(perCondition: 1)
        defer { f.remove() }
        let server = try await StandInServer.start()
        var endpoint = try EndpointConfig.adHoc(baseURL: server.baseURL, model: "stand-in", provider: .openai)
        endpoint.maxInFlight = 1
        let client = JudgeClient(endpoint: endpoint, apiKey: nil, options: JudgeOptions(samples: 3),
                                 retryPolicy: RetryPolicy(maxAttempts: 1))
        let first = try plan(f, model: "stand-in")
        let image = first.items[0].image.id
        let only = JudgeRunPlan(items: [first.items[0]], heldBack: [], unknownConditions: [:], problems: [])
        // seed 0 answers, seeds 1 and 2 fail (the samples go out concurrently, so choose by seed)
        server.respond { request, _ in
            let seed = (try? JSONValue(parsing: Data(request.body)))?["seed"]?.doubleValue ?? -1
            return seed == 0 ? .verdicts(default: "met") : .status(400, message: "scripted failure")
        }
        let failed = try await JudgeRunner(store: f.store, client: client).run(only)
        #expect(failed.judged == 0 && failed.failed == 1, "\(failed)")
        #expect(failed.failures.first?.contains("only 1 of 3 samples answered; a majority needs 2") == true, "\(failed.failures)")
        #expect(try count(f, "SELECT COUNT(*) FROM judgment WHERE sampleIndex = 0 AND error IS NULL") == 0)
        #expect(try count(f, "SELECT COUNT(*) FROM judgment WHERE sampleIndex = 1 AND error IS NULL") == 1)
        #expect(try plan(f, model: "stand-in").items.contains { $0.image.id == image }, "the image stays pending")
        #expect(server.requests.count == 3)
        let version = try #require(first.items.first?.checklist.version)
        #expect(try f.store.runVerdicts(checklistVersion: version, imageIDs: [image], run: nil)[image] == nil,
                "a lone successful sample does not make the image judged for scores or the broker")

        server.respond { _, _ in .verdicts(default: "not_met") }
        let second = try await JudgeRunner(store: f.store, client: client).run(only)
        #expect(second.judged == 1 && second.failed == 0, "\(second.failures)")
        #expect(server.requests.count == 5, "only the two failed samples went out again")
        for sample in 0...3 {
            #expect(try count(f, "SELECT COUNT(*) FROM judgment WHERE sampleIndex = \(sample) AND error IS NULL") == 1,
                    "sample \(sample): exactly one successful judgment")
        }
        // 1 met (stored) + 2 not_met: not_met wins with agreement 2/3
        let verdicts = try f.store.read("verdicts") { db in
            try Row.fetchAll(db, sql: """
                SELECT v.verdict, v.agreement FROM criterionVerdict v JOIN judgment j ON j.id = v.judgmentID
                WHERE j.sampleIndex = 0 AND j.error IS NULL
                """).map { ($0[0] as String, $0[1] as Double) }
        }
        #expect(!verdicts.isEmpty && verdicts.allSatisfy { $0.0 == "not_met" && abs($0.1 - 2.0 / 3) < 1e-9 }, "\(verdicts)")
        // Scores average over the three samples the majority was taken from, the first run's one included.
        for run in [nil, second.runID] as [Int64?] {
            let read = try #require(try f.store.runVerdicts(checklistVersion: version, imageIDs: [image], run: run)[image])
            #expect(read.samples.count == 3, "run \(String(describing: run))")
            #expect(read.judgmentIDs.count == 4)
        }
        await server.stop()
    }

    /// A real image held back from a remote endpoint is a refusal with its reason, not a store error
    /// (it used to print `judged but not stored: ... CHECK constraint failed: length(requestKey) = 64`).
    @Test func aPrivacyRefusalIsReportedWithItsReasonAndCountedApart() async throws {
        let f = try JudgeRunnerTests.fixture(perCondition: 1)
        defer { f.remove() }
        let planned = try plan(f, model: "remote")
        let real = planned.items[0].image.id
        try f.store.write("marking one image real") { db in
            try db.execute(sql: "UPDATE image SET origin = 'real' WHERE id = ?", arguments: [real])
        }
        // TEST-NET-1 (RFC 5737), never contacted: the refusal comes before anything is sent
        let remote = try EndpointConfig.adHoc(baseURL: "http://192.0.2.1:9/v1", model: "remote", provider: .openai)
        let again = try plan(f, model: "remote")
        #expect(again.refusals(endpoint: remote).keys.sorted() == [real])
        #expect(again.sendable(to: remote).items.count == again.items.count - 1, "--dry-run counts no request for it")
        let onlyReal = JudgeRunPlan(items: again.items.filter { $0.image.id == real }, heldBack: [], unknownConditions: [:],
                                    problems: [])
        let summary = try await JudgeRunner(store: f.store, client: JudgeClient(endpoint: remote, apiKey: nil)).run(onlyReal)
        #expect(summary.refused == 1 && summary.failed == 0 && summary.judged == 0, "\(summary)")
        #expect(summary.refusals.first?.contains("image of origin 'real' not sent to endpoint") == true, "\(summary.refusals)")
        #expect(summary.failures.isEmpty, "not a store error: \(summary.failures)")
        #expect(try count(f, "SELECT requestCount FROM judgeRun") == 0, "no request was made")
        #expect(try count(f, "SELECT COUNT(*) FROM judgment") == 0)
    }

    /// The answer the parser could not fully read is stored with its problems.
    @Test func theParsersProblemsAreStoredWithTheJudgment() async throws {
        let f = try JudgeRunnerTests.fixture(perCondition: 1)
        defer { f.remove() }
        let server = try await StandInServer.start()
        server.respond { _, _ in .answer("I think it looks plausible.") }
        var endpoint = try EndpointConfig.adHoc(baseURL: server.baseURL, model: "stand-in", provider: .openai)
        endpoint.maxInFlight = 1
        let p = try plan(f, model: "stand-in")
        let only = JudgeRunPlan(items: [p.items[0]], heldBack: [], unknownConditions: [:], problems: [])
        let summary = try await JudgeRunner(store: f.store, client: JudgeClient(endpoint: endpoint, apiKey: nil)).run(only)
        #expect(summary.failed == 1)
        let problems = try f.store.read("problems") { db in try String.fetchOne(db, sql: "SELECT problems FROM judgment") }
        let text = try #require(problems)
        let list = try #require(try JSONValue(parsing: Data(text.utf8)).arrayValue)
        #expect(list.count >= 2 && list.contains { $0.stringValue?.hasPrefix("after repair: ") == true }, "\(list)")
        #expect(server.requests.count == 2 && server.requests[1].bodyText.contains("data:image/png;base64,"),
                "the repair turn sends the image again")
        await server.stop()
    }

    /// A run left `running` by a killed process is marked `abandoned` when the next run takes the lock
    /// (a submitted batch's run stays running), and the lock does not block `images purge` or
    /// `labels import` from writing.
    @Test func theLockMarksAbandonedRunsAndLeavesOtherWritersAlone() throws {
        let f = try JudgeRunnerTests.fixture(perCondition: 1)
        defer { f.remove() }
        let dead = try f.store.beginRun(JudgeRunRecord(endpoint: "e", baseURL: "http://127.0.0.1:1/v1", model: "m", provider: .openai))
        let lock = try JudgeRunLock(store: f.store)
        #expect(lock.abandonedRuns == [dead.id!])
        #expect(try f.store.read("status") { db in try String.fetchOne(db, sql: "SELECT status FROM judgeRun") } == "abandoned")
        // other writers, in other connections, while the lock is held
        let other = try Store(path: f.store.path)
        let images = try other.read("ids") { db in try String.fetchAll(db, sql: "SELECT id FROM image ORDER BY id") }
        let labels = f.folder.appendingPathComponent("labels.csv")
        try "image,label\n\(images[1]),plausible\n".write(to: labels, atomically: true, encoding: .utf8)
        let imported = try LabelImport(store: other).run(path: labels.path, rater: "dr-a", skipBad: false)
        #expect(imported.imported == 1)
        let purged = try other.purge([images[0]], reason: "consent withdrawn")
        #expect(purged.purged.count == 1)
        _ = lock
    }
}
