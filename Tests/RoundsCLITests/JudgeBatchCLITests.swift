import Foundation
import RoundsStore
import Testing

/// `rounds judge --batch submit|collect` end to end through the binary, against the stand-in server
/// (`rounds-stand-in`, the tests' stand-in in a child process speaking the Files and Batches API on
/// loopback), with a planted API key that must appear nowhere but on the wire.
@Suite struct JudgeBatchCLITests {
    /// The stand-in in a child process; closing its stdin stops it.
    final class StandIn {
        let process = Process()
        let stdin = Pipe()
        let baseURL: String

        init() throws {
            process.executableURL = CLIRunner.executable.deletingLastPathComponent().appendingPathComponent("rounds-stand-in")
            process.arguments = ["--latency-ms", "1"]
            let out = Pipe()
            process.standardInput = stdin
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            var text = ""
            while !text.contains("\n") {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            guard let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                process.terminate()
                throw JudgeResumeCLITests.CLIError("the stand-in printed '\(text)' instead of its port")
            }
            baseURL = "http://127.0.0.1:\(port)/v1"
        }

        func stop() {
            try? stdin.fileHandleForWriting.close()
            process.waitUntilExit()
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func submitThenCollectThroughTheCLIStoresEachImageOnceAndNeverTheKey() throws {
        let fixture = BrokerFixture(dir: try CLIRunner.temporaryDirectory())
        defer { fixture.remove() }
        try fixture.expectOK(["dataset", "synth", "--out", "D", "--per-condition", "2"])
        try fixture.expectOK(["images", "add", "--manifest", "D/manifest.csv", "--origin", "synthetic"], db: true)
        let server = try StandIn()
        defer { server.stop() }
        let key = "sk-planted-cli-\(UUID().uuidString)"
        let endpoint = ["--base-url", server.baseURL, "--model", "batch-model", "--provider", "openai",
                        "--api-key-env", "ROUNDS_BATCH_TEST_KEY", "--db", fixture.db]
        func rounds(_ arguments: [String]) throws -> CLIRunner.Result {
            try CLIRunner.run(arguments + endpoint, in: fixture.dir, environment: ["ROUNDS_BATCH_TEST_KEY": key])
        }
        var outputs: [String] = []

        let submit = try rounds(["judge", "--pending", "--batch", "submit", "--json"])
        outputs += [submit.stdout, submit.stderr]
        #expect(submit.status == 0, "\(submit.stderr)")
        let submitted = try JSONSerialization.jsonObject(with: Data(submit.stdout.utf8)) as? [String: Any]
        #expect(submitted?["requests"] as? Int == 8)
        let runID = try #require(submitted?["run_id"] as? Int)
        let jsonl = try String(contentsOfFile: try #require(submitted?["jsonl_path"] as? String), encoding: .utf8)
        #expect(jsonl.split(separator: "\n").count == 8)
        outputs.append(jsonl)

        // A second submission finds nothing new: the images wait in the open batch.
        let again = try rounds(["judge", "--pending", "--batch", "submit"])
        outputs += [again.stdout, again.stderr]
        #expect(again.status == 0 && again.stdout.contains("nothing to submit"))
        #expect(again.stderr.contains("8 image(s) wait in a submitted batch"))

        let collect = try rounds(["judge", "--batch", "collect"])
        outputs += [collect.stdout, collect.stderr]
        #expect(collect.status == 0, "\(collect.stderr)")
        #expect(collect.stdout.contains("run \(runID): batch ") && collect.stdout.contains("8 judged, 0 failed of 8"))

        let byRun = try rounds(["judge", "--batch", "collect", "--run", String(runID)])
        outputs += [byRun.stdout, byRun.stderr]
        #expect(byRun.status == 0 && byRun.stdout.contains("already collected"))

        let store = try Store(path: fixture.db, options: .init(readOnly: true))
        let counts = try store.rawRows("SELECT imageID, COUNT(*) FROM judgment WHERE error IS NULL GROUP BY imageID").map { $0[1] as Int }
        #expect(counts.count == 8 && counts.allSatisfy { $0 == 1 })
        for name in try FileManager.default.contentsOfDirectory(atPath: fixture.dir.path) where name.hasPrefix("rounds.sqlite") {
            outputs.append(String(decoding: try Data(contentsOf: fixture.dir.appendingPathComponent(name)), as: UTF8.self))
        }
        for text in outputs { #expect(!text.contains(key)) }
    }

    @Test(arguments: [
        (["judge", "--batch", "collect", "--pending"], "--batch collect reads finished batches"),
        (["judge", "--pending", "--batch", "submit", "--samples", "3"], "--batch sends one request per image"),
        (["judge", "--pairs", "--batch", "submit"], "--batch judges images"),
        (["judge", "--pending", "--run", "3"], "--run goes with --batch collect"),
        (["judge", "--batch", "collect", "--batch-dir", "x"], "--batch-dir goes with --batch submit"),
        (["judge", "--batch", "collect", "--limit", "3"], "--batch collect takes every open batch"),
    ])
    func badBatchCombinationsAreUsageErrors(arguments: [String], message: String) throws {
        let result = try CLIRunner.run(arguments + ["--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--provider", "openai"])
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }
}
