import Foundation
import RoundsStore
import Testing

/// `rounds judge --pending` killed with SIGKILL mid-run and started again completes exactly the
/// missing work: every image ends with one successful combined judgment and the file is intact.
@Suite struct JudgeResumeCLITests {
    /// Starts `rounds simulator --port 0` and returns it with the base URL it printed.
    static func startSimulator() throws -> (Process, String) {
        let simulator = Process()
        simulator.executableURL = CLIRunner.executable
        simulator.arguments = ["simulator", "--port", "0"]
        let out = Pipe()
        simulator.standardOutput = out
        simulator.standardError = FileHandle.nullDevice
        try simulator.run()
        var text = ""
        while !text.contains("\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty {
                simulator.terminate()
                throw CLIError("rounds simulator exited without printing its URL")
            }
            text += String(decoding: chunk, as: UTF8.self)
        }
        return (simulator, String(text.prefix { $0 != "\n" }).trimmingCharacters(in: .whitespaces))
    }

    struct CLIError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// Successful combined judgments (sample index 0) per image, read from a read-only connection.
    static func combinedJudgments(_ db: String) throws -> [String: Int] {
        let store = try Store(path: db, options: .init(readOnly: true))
        var counts: [String: Int] = [:]
        for row in try store.rawRows("""
            SELECT imageID, COUNT(*) FROM judgment WHERE sampleIndex = 0 AND error IS NULL GROUP BY imageID
            """) {
            counts[row[0]] = row[1]
        }
        return counts
    }

    @Test func aRunKilledMidwayIsCompletedByTheNextWithoutDuplicates() throws {
        let fixture = BrokerFixture(dir: try CLIRunner.temporaryDirectory())
        defer { fixture.remove() }
        try fixture.expectOK(["dataset", "synth", "--out", "D", "--per-condition", "10"])
        try fixture.expectOK(["images", "add", "--manifest", "D/manifest.csv", "--origin", "synthetic"], db: true)
        let (simulator, url) = try Self.startSimulator()
        defer {
            simulator.terminate()
            simulator.waitUntilExit()
        }
        // Same model, two endpoints: "slow" spends its one-minute bucket of 30 requests (10 images at
        // 3 samples) at once and then gets one request per 2 s, so the kill lands between image 10 and 11.
        let yaml = """
            endpoints:
              - name: slow
                provider: openai
                base_url: \(url)
                model: rounds-simulator
                max_in_flight: 2
                requests_per_minute: 30
              - name: fast
                provider: openai
                base_url: \(url)
                model: rounds-simulator
                max_in_flight: 8

            """
        try yaml.write(to: fixture.dir.appendingPathComponent("endpoints.yaml"), atomically: true, encoding: .utf8)

        let judge = Process()
        judge.executableURL = CLIRunner.executable
        judge.arguments = ["judge", "--pending", "--endpoint", "slow", "--samples", "3", "--db", fixture.db]
        judge.currentDirectoryURL = fixture.dir
        judge.standardOutput = FileHandle.nullDevice
        judge.standardError = FileHandle.nullDevice
        try judge.run()
        let deadline = Date().addingTimeInterval(60)
        var before: [String: Int] = [:]
        while Date() < deadline && judge.isRunning {
            if FileManager.default.fileExists(atPath: fixture.db) {
                before = (try? Self.combinedJudgments(fixture.db)) ?? [:]
                if before.count >= 10 { break }
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        let killedMidRun = judge.isRunning
        kill(judge.processIdentifier, SIGKILL)
        judge.waitUntilExit()
        #expect(judge.terminationReason == .uncaughtSignal && judge.terminationStatus == SIGKILL)
        try #require(killedMidRun, "the first run must be killed while it still has work")
        before = try Self.combinedJudgments(fixture.db)
        #expect(before.count >= 10 && before.count < 40, "killed after \(before.count) of 40 images")
        #expect(before.values.allSatisfy { $0 == 1 })

        let second = try fixture.run(["judge", "--pending", "--endpoint", "fast", "--samples", "3", "--json"])
        #expect(second.status == 0, "\(second.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any]
        #expect(summary?["planned"] as? Int == 40 - before.count, "the second run asks only for the missing images")

        let after = try Self.combinedJudgments(fixture.db)
        #expect(after.count == 40 && after.values.allSatisfy { $0 == 1 }, "\(after.values.sorted())")
        let store = try Store(path: fixture.db, options: .init(readOnly: true))
        let check = try store.integrityCheck()
        #expect(check == ["ok"])
        // Nothing is left to ask.
        let third = try fixture.run(["judge", "--pending", "--endpoint", "fast", "--json"])
        #expect(third.status == 0)
        #expect((try JSONSerialization.jsonObject(with: Data(third.stdout.utf8)) as? [String: Any])?["planned"] as? Int == 0)
    }

    /// CLI.md: equal request keys never go out twice once one has succeeded, also when the images are
    /// named explicitly (not `--pending`); another sample count is another request.
    @Test func aSucceededRequestIsNotSentAgain() throws {
        let fixture = BrokerFixture(dir: try CLIRunner.temporaryDirectory())
        defer { fixture.remove() }
        try fixture.expectOK(["dataset", "synth", "--out", "D", "--per-condition", "1"])
        try fixture.expectOK(["images", "add", "--manifest", "D/manifest.csv", "--origin", "synthetic"], db: true)
        let ids = try Self.combinedJudgments(fixture.db).keys.sorted()
        #expect(ids.isEmpty)
        let stored = try Store(path: fixture.db, options: .init(readOnly: true)).rawRows("SELECT id FROM image ORDER BY id")
            .map { $0[0] as String }
        try #require(stored.count == 4)
        let (simulator, url) = try Self.startSimulator()
        defer {
            simulator.terminate()
            simulator.waitUntilExit()
        }
        let endpoint = ["--base-url", url, "--model", "rounds-simulator", "--provider", "openai", "--json"]
        let first = try fixture.run(["judge"] + Array(stored.prefix(2)) + endpoint)
        #expect(first.status == 0, "\(first.stderr)")
        let again = try fixture.run(["judge"] + stored + endpoint)
        #expect(again.status == 0, "\(again.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        #expect(summary["already_judged"] as? Int == 2 && summary["judged"] as? Int == 2, "\(summary)")
        #expect(try Self.combinedJudgments(fixture.db) == Dictionary(uniqueKeysWithValues: stored.map { ($0, 1) }))
        let threeSamples = try fixture.run(["judge", stored[0], "--samples", "3"] + endpoint)
        #expect(threeSamples.status == 0, "\(threeSamples.stderr)")
        #expect(try Self.combinedJudgments(fixture.db)[stored[0]] == 2)
    }

    @Test func pairsAreJudgedInBothOrdersOnceAndBadFlagsAreUsageErrors() throws {
        let fixture = BrokerFixture(dir: try CLIRunner.temporaryDirectory())
        defer { fixture.remove() }
        try fixture.expectOK(["dataset", "synth", "--out", "D", "--per-condition", "4", "--defect-rate", "0.5"])
        try fixture.expectOK(["images", "add", "--manifest", "D/manifest.csv", "--origin", "synthetic"], db: true)
        try fixture.expectOK(["pairs", "make", "--condition", "synthetic/target-lesion"], db: true)
        let (simulator, url) = try Self.startSimulator()
        defer {
            simulator.terminate()
            simulator.waitUntilExit()
        }
        let endpoint = ["--base-url", url, "--model", "rounds-simulator", "--provider", "openai"]
        for bad in [["--pairs", "--pending"], ["--pairs", "--samples", "3"], ["--pending", "--no-require-agreement"]] {
            let result = try fixture.run(["judge"] + bad + endpoint)
            #expect(result.status == 64, "\(bad): \(result.stderr)")
        }
        let first = try fixture.run(["judge", "--pairs", "--json"] + endpoint)
        #expect(first.status == 0, "\(first.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        #expect(summary["planned"] as? Int == 6, "4 images make 6 pairs")
        let outcomes = try #require(summary["outcomes"] as? [String: Int])
        #expect(outcomes.values.reduce(0, +) == 6 && outcomes["indeterminate"] == nil, "\(outcomes)")
        let stored = try Store(path: fixture.db, options: .init(readOnly: true)).pairs()
        #expect(stored.count == 6)
        for pair in stored {
            #expect(pair.comparisons.map(\.presentedOrder).sorted { $0.rawValue < $1.rawValue } == [.ab, .ba, .both])
        }
        let again = try fixture.run(["judge", "--pairs", "--json"] + endpoint)
        #expect(again.status == 0)
        #expect((try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])?["planned"] as? Int == 0)
    }
}
