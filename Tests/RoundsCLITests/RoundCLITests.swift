import Foundation
import RoundsCore
import RoundsStore
import Testing

/// `rounds round` against the simulator as a named endpoint (a real HTTP server on loopback), on a
/// store holding painted real images: both objectives, the image-to-image route, and refusals.
@Suite struct RoundCLITests {
    static let pretrained = CLIRunner.packageRoot.appendingPathComponent("Models/demo-unet").path
    static let small = ["--per-condition", "2", "--sampling-steps", "4", "--rft-steps", "2", "--dpo-steps", "2",
                        "--batch", "4"]

    /// A folder with a store of painted real images (4 per condition, as train and test) and an
    /// endpoints file naming the running simulator `sim`.
    private func fixture(_ simulator: SimulatorProcess) throws -> URL {
        let work = try CLIRunner.temporaryDirectory()
        let synth = try CLIRunner.run(["dataset", "synth", "--out", "D", "--size", "32", "--per-condition", "4"], in: work)
        try #require(synth.status == 0, "\(synth.stderr)")
        let add = try CLIRunner.run(
            ["images", "add", "--manifest", "D/manifest.csv", "--origin", "real", "--db", "r.sqlite"], in: work)
        try #require(add.status == 0, "\(add.stderr)")
        try simulator.endpointsYAML().write(to: work.appendingPathComponent("endpoints.yaml"), atomically: true, encoding: .utf8)
        return work
    }

    @Test func roundRunsBothObjectivesAndStoresTheBeforeAfterTable() throws {
        let simulator = try SimulatorProcess()
        defer { simulator.stop() }
        let work = try fixture(simulator)
        defer { try? FileManager.default.removeItem(at: work) }
        let args = ["round", "--model", Self.pretrained, "--endpoint", "sim", "--objective", "rft", "--objective", "dpo",
                    "--out", "R", "--db", "r.sqlite"] + Self.small
        let result = try CLIRunner.run(args + ["--json"], in: work)
        #expect(result.status == 0, "\(result.stderr)")
        let doc = try JSONValue(parsing: result.stdout)
        #expect(doc["samples_per_model"]?.doubleValue == 8)
        #expect(doc["endpoint"]?["model"]?.stringValue == "rounds-simulator")
        #expect(doc["real_images"]?.doubleValue ?? 0 > 0, "RFT's real term should read the stored real images")
        for block in [doc["before"], doc["after"]?["control"], doc["after"]?["rft"], doc["after"]?["dpo"]] {
            let rate = try #require(block?["all_criteria_rate"]?.doubleValue)
            #expect((0...1).contains(rate))
            #expect(block?["per_criterion"]?.objectValue?.count == 20)
            #expect(block?["per_condition"]?.objectValue?.count == 4)
        }
        let onDisk = try JSONValue(parsing: Data(contentsOf: work.appendingPathComponent("R/round.json")))
        #expect(onDisk == doc)
        // The control arm: RFT's steps on the stored real images alone, and each objective's gain over it.
        for objective in ["rft", "dpo"] {
            let gain = try #require(doc["gain_over_control"]?[objective], "gain_over_control.\(objective)")
            let d = try #require(gain["difference"]?.doubleValue)
            let ci = try #require(gain["ci95"]?.arrayValue?.compactMap { $0.doubleValue })
            #expect(ci.count == 2 && ci[0] <= d && d <= ci[1])
        }
        #expect(doc["models"]?["control"]?.stringValue == "R/models/control")
        let control = try JSONValue(parsing: Data(contentsOf: work.appendingPathComponent("R/models/control/rounds.json")))
        #expect(control["lineage"]?["objective"]?.stringValue == "control")
        #expect(control["lineage"]?["hyperparameters"]?["steps"]?.doubleValue == 2)

        let store = try Store(path: work.appendingPathComponent("r.sqlite").path)
        let rows = try store.feedbackRounds()
        #expect(rows.map(\.objective).sorted() == ["dpo", "rft"])
        let parentID = try #require(doc["checkpoints"]?["before"]?.doubleValue)
        for row in rows {
            #expect(Double(row.parentCheckpointID) == parentID)
            #expect(Double(row.checkpointID) == doc["checkpoints"]?[row.objective]?.doubleValue)
            #expect(row.judgeModel == "rounds-simulator")
            #expect(row.samples == 8)
            let summary = try JSONValue(parsing: row.summary)
            #expect(summary["after"]?["all_criteria_rate"]?.doubleValue == doc["after"]?[row.objective]?["all_criteria_rate"]?.doubleValue)
            #expect(summary["gain_over_control"]?["difference"]?.doubleValue == doc["gain_over_control"]?[row.objective]?["difference"]?.doubleValue)
            let manifest = try JSONValue(parsing: Data(contentsOf: work.appendingPathComponent("R/models/\(row.objective)/rounds.json")))
            #expect(manifest["lineage"]?["objective"]?.stringValue == row.objective)
            #expect(manifest["lineage"]?["parent"]?.stringValue == Self.pretrained)
        }
        #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("R/signal/rft-weights.csv").path))

        // The table on stdout without --json; a second round into the same folder is refused, nothing lost.
        let again = try CLIRunner.run(args, in: work)
        #expect(again.status == 2)
        #expect(again.stderr.contains("R/models/rft already exists"), "\(again.stderr)")
        #expect(try store.feedbackRounds().count == 2)
        // Three judge samples per image, and the stored real images judged for RFT's real term.
        let table = try CLIRunner.run(
            ["round", "--model", Self.pretrained, "--endpoint", "sim", "--objective", "rft", "--out", "R2",
             "--db", "r.sqlite", "--samples", "3", "--judge-real", "--threshold", "0.85"] + Self.small, in: work)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("all criteria"))
        #expect(table.stdout.contains("measured (no judge noise)"), "the procedural benchmark's ground truth row")
        #expect(table.stderr.contains("judge real:"), "\(table.stderr)")
        let r2 = try JSONValue(parsing: Data(contentsOf: work.appendingPathComponent("R2/round.json")))
        #expect(r2["training"]?["rft"]?["judge_real"]?.boolValue == true)
        let db = try Store(path: work.appendingPathComponent("r.sqlite").path, options: .init(readOnly: true))
        let indices = try db.rawRows(
            "SELECT DISTINCT sampleIndex FROM judgment WHERE runID = (SELECT MAX(runID) FROM judgment) ORDER BY 1"
        ).map { $0[0] as Int }
        #expect(indices == [0, 1, 2, 3], "each of the three samples (1-3) is stored beside the majority verdict (0)")
        #expect(table.stdout.contains("per condition:"))
        #expect(table.stdout.contains("target-lesion/red-rim"))
    }

    /// MAGIC's image-to-image route: outputs are stored with their source as parent, and DPO's timesteps
    /// stay below strength·T.
    @Test func transferRoundRecordsParentsAndLimitsTimesteps() throws {
        let simulator = try SimulatorProcess()
        defer { simulator.stop() }
        let work = try fixture(simulator)
        defer { try? FileManager.default.removeItem(at: work) }
        let result = try CLIRunner.run(
            ["round", "--model", Self.pretrained, "--endpoint", "sim", "--objective", "dpo", "--out", "R",
             "--from", "D/target-lesion", "--strength", "0.5", "--db", "r.sqlite", "--json"] + Self.small, in: work)
        #expect(result.status == 0, "\(result.stderr)")
        let doc = try JSONValue(parsing: result.stdout)
        #expect(doc["samples_per_model"]?.doubleValue == 32, "4 sources x 4 conditions x 2 transfers")
        let manifest = try JSONValue(parsing: Data(contentsOf: work.appendingPathComponent("R/models/dpo/rounds.json")))
        #expect(manifest["lineage"]?["hyperparameters"]?["max_timestep"]?.doubleValue == 500)
        let store = try Store(path: work.appendingPathComponent("r.sqlite").path)
        let outputs = try store.images(origin: .synthetic)
        // The signal's outputs and the evaluation's (before, control, DPO) come from different noise; the
        // evaluation outputs of one source can be the same picture across models (a 2-step finetuning
        // barely moves the EMA weights), and the store keeps one row per picture.
        #expect((65...128).contains(outputs.count), "\(outputs.count) stored outputs")
        #expect(doc["after"]?["control"] != nil, "the control arm runs on the stored real images")
        #expect(outputs.allSatisfy { $0.parentImageID != nil })
    }

    @Test func unknownEndpointAndMissingChecklistAreNamed() throws {
        let simulator = try SimulatorProcess()
        defer { simulator.stop() }
        let work = try fixture(simulator)
        defer { try? FileManager.default.removeItem(at: work) }
        let unknown = try CLIRunner.run(
            ["round", "--model", Self.pretrained, "--endpoint", "gpt", "--objective", "rft", "--db", "r.sqlite"], in: work)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("endpoints.yaml"), "\(unknown.stderr)")
        #expect(unknown.stderr.contains("gpt"))
        let bad = try CLIRunner.run(
            ["round", "--model", Self.pretrained, "--endpoint", "sim", "--objective", "rft", "--db", "r.sqlite",
             "--checklists", Self.pretrained + "/unet"], in: work)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("no checklist") || bad.stderr.contains("checklist"), "\(bad.stderr)")
        // A priced endpoint and a budget the first judge run exceeds: the round stops, its images stay stored.
        try simulator.endpointsYAML(name: "paid", extra: ["price_per_input_token: 0.01"])
            .write(to: work.appendingPathComponent("paid.yaml"), atomically: true, encoding: .utf8)
        let broke = try CLIRunner.run(
            ["round", "--model", Self.pretrained, "--endpoint", "paid", "--endpoints", "paid.yaml", "--objective", "rft",
             "--max-cost", "0.01", "--out", "P", "--db", "r.sqlite"] + Self.small, in: work)
        #expect(broke.status == 2)
        #expect(broke.stderr.contains("judging stopped early (max-cost)"), "\(broke.stderr)")
        #expect(try Store(path: work.appendingPathComponent("r.sqlite").path).images(origin: .synthetic).count == 8)
        // Nothing listens on the endpoint: every request fails, the round says so and stops.
        try "endpoints:\n  - name: gone\n    provider: openai\n    base_url: http://127.0.0.1:9/v1\n    model: m\n"
            .write(to: work.appendingPathComponent("gone.yaml"), atomically: true, encoding: .utf8)
        let gone = try CLIRunner.run(
            ["round", "--model", Self.pretrained, "--endpoint", "gone", "--endpoints", "gone.yaml", "--objective", "rft",
             "--out", "G", "--db", "r.sqlite"] + Self.small, in: work)
        #expect(gone.status == 2)
        #expect(gone.stderr.contains("the judge answered none of 8 request(s)"), "\(gone.stderr)")
        // --judge-real with an endpoint off loopback that may not see real images: refused before sampling.
        try "endpoints:\n  - name: remote\n    provider: openai\n    base_url: https://judge.example.invalid/v1\n    model: m\n"
            .write(to: work.appendingPathComponent("remote.yaml"), atomically: true, encoding: .utf8)
        let imagesBefore = try Store(path: work.appendingPathComponent("r.sqlite").path).images(origin: .synthetic).count
        let privacy = try CLIRunner.run(
            ["round", "--model", Self.pretrained, "--endpoint", "remote", "--endpoints", "remote.yaml", "--objective", "rft",
             "--judge-real", "--out", "X", "--db", "r.sqlite"] + Self.small, in: work)
        #expect(privacy.status == 2)
        #expect(privacy.stderr.contains("--judge-real: image of origin 'real' not sent to endpoint 'remote'"), "\(privacy.stderr)")
        #expect(privacy.stderr.contains("allow_real_images: true"), "\(privacy.stderr)")
        #expect(try Store(path: work.appendingPathComponent("r.sqlite").path).images(origin: .synthetic).count == imagesBefore)
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("X").path))
        let usage = try CLIRunner.run(["round", "--model", Self.pretrained, "--endpoint", "sim", "--objective", "rft",
                                       "--strength", "0"], in: work)
        #expect(usage.status == 64)
        #expect(usage.stderr.contains("--strength"))
        let samples = try CLIRunner.run(["round", "--model", Self.pretrained, "--endpoint", "sim", "--objective", "rft",
                                         "--samples", "16"], in: work)
        #expect(samples.status == 64)
        #expect(samples.stderr.contains("--samples must be in 1...15, got 16"), "\(samples.stderr)")
        // The broker's own checks on the pair rule, before anything is sampled.
        let margin = try CLIRunner.run(["round", "--model", Self.pretrained, "--endpoint", "sim", "--objective", "dpo",
                                        "--rule", "margin", "--margin", "2"], in: work)
        #expect(margin.status == 64)
        #expect(margin.stderr.contains("margin must be in [0, 1], got 2.0"), "\(margin.stderr)")
    }
}
