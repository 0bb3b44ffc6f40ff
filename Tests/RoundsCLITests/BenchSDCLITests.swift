import Foundation
import Testing

/// `rounds bench sd` on the tiny SD1-style fixture without the peer: every workload timed, memory probed
/// in a fresh process, the JSON keys documented, bad options named.
@Suite struct BenchSDCLITests {
    @Test func everyWorkloadIsTimedAndProbed() throws {
        let dir = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLIRunner.run([
            "bench", "sd", "--pipeline", StableDiffusionCLITests.pipeline, "--resolution", "16",
            "--workloads", "text,unet,vae,image", "--no-peer", "--threads", "1", "--json",
        ], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try DiffusionCLITests.object(r.stdout)
        #expect(doc["resolution"] as? Int == 16)
        #expect((doc["peer_note"] as? String)?.contains("--no-peer") == true, "\(doc)")
        let rows = try #require(doc["workloads"] as? [[String: Any]])
        #expect(rows.compactMap { $0["workload"] as? String } == ["text", "unet", "vae", "image"])
        for row in rows {
            #expect(((row["rounds_seconds"] as? Double) ?? 0) > 0, "\(row)")
            #expect(((row["rounds_peak_mb"] as? Double) ?? 0) > 1, "a fresh process's peak: \(row)")
            #expect(row["speed_ratio"] == nil, "no peer, no ratio")
        }
    }

    /// `--train`: a LoRA step timed and probed on both sides (the peer needs torch, diffusers and peft;
    /// without them its note says why and there is no ratio).
    @Test func aLoRATrainingStepIsTimedBesideThePeer() throws {
        let dir = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLIRunner.run([
            "bench", "sd", "--pipeline", StableDiffusionCLITests.pipeline, "--resolution", "16", "--train", "--batch", "2",
            "--threads", "1", "--json",
        ], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try DiffusionCLITests.object(r.stdout)
        #expect(doc["batch"] as? Int == 2)
        let rows = try #require(doc["workloads"] as? [[String: Any]])
        #expect(rows.compactMap { $0["workload"] as? String } == ["train"])
        let row = try #require(rows.first)
        #expect(((row["rounds_seconds"] as? Double) ?? 0) > 0 && ((row["rounds_peak_mb"] as? Double) ?? 0) > 1, "\(row)")
        if let note = doc["peer_note"] as? String {
            print("peer not measured: \(note)")
        } else {
            #expect(((row["speed_ratio"] as? Double) ?? 0) > 0, "\(row)")
            #expect(((row["peer_peak_mb"] as? Double) ?? 0) > 1, "\(row)")
        }
    }

    @Test func badOptionsAreNamed() throws {
        let dir = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = ["bench", "sd", "--pipeline", StableDiffusionCLITests.pipeline, "--no-peer", "--skip-memory"]
        let workload = try CLIRunner.run(base + ["--workloads", "text,decoder"], in: dir)
        #expect(workload.status == 64 && workload.stderr.contains("'decoder'"), "\(workload.stderr)")
        let odd = try CLIRunner.run(base + ["--resolution", "15"], in: dir)
        #expect(odd.status != 0 && odd.stderr.contains("multiple of the VAE's factor"), "\(odd.stderr)")
        let batch = try CLIRunner.run(base + ["--train", "--batch", "0"], in: dir)
        #expect(batch.status == 64 && batch.stderr.contains("--batch"), "\(batch.stderr)")
        let noPipeline = try CLIRunner.run(["bench", "sd", "--no-peer", "--work", dir.appendingPathComponent("none").path], in: dir)
        #expect(noPipeline.status == 64 && noPipeline.stderr.contains("no --pipeline"), "\(noPipeline.stderr)")
    }
}
