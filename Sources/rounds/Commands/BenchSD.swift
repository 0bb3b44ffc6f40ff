import ArgumentParser
import Foundation
import RoundsBench
import RoundsDiffusion
import RoundsTensor

/// `rounds bench sd`: Stable Diffusion inference beside diffusers on PyTorch CPU, on one pipeline folder.
struct BenchSD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sd",
        abstract: "Time Stable Diffusion inference (text encoder, UNet, VAE decoder, a whole image) or a LoRA training step (--train) beside diffusers, and peak memory.",
        discussion: """
            Both sides load the same diffusers pipeline folder: --pipeline, else an SD-1.5-shaped pipeline with \
            random weights that the peer script (Benchmarks/peers/sd_pipeline.py --make) writes to --work once \
            (nothing is downloaded; python3 with torch, diffusers and transformers). The peer runs fp32 and bf16 \
            autocast and its faster mode per workload counts. speed_ratio is the peer's seconds over Rounds' \
            (above 1: Rounds is faster). Peak memory is getrusage's ru_maxrss of a fresh process per side and \
            workload (this binary again, and the peer script). --train times one LoRA training step instead \
            (rank 32, alpha 32 on to_q/to_k/to_v/to_out.0, the base frozen, --batch latents, AdamW) against \
            diffusers + peft, whose bf16 autocast covers the forward pass.
            """
    )

    @Option(help: "A diffusers Stable Diffusion pipeline folder (default: the SD-1.5-shaped random one in --work).")
    var pipeline: String?

    @Option(help: "Folder for the generated SD-1.5-shaped pipeline (made once, then reused).")
    var work = "rounds-bench-sd"

    @Option(help: "Image size in pixels (a multiple of the VAE's factor; 512 is SD 1.5's own).")
    var resolution = 256

    @Option(help: "Comma-separated workloads: text, unet, vae, image, train.")
    var workloads = "text,unet,vae"

    @Flag(help: "Time a LoRA training step (rank 32 on the attention projections, the base frozen) instead: --workloads train.")
    var train = false

    @Option(help: "Latents per training step (train).")
    var batch = 1

    @Option(help: "Timed runs per workload after a warm-up (the best counts).")
    var repeats = 1

    @Option(help: "Worker threads for Rounds and for the peer (default: all cores).")
    var threads: Int?

    @Option(help: "The peer's precision: best (fp32 and bf16 autocast, the faster counts), fp32 or bf16.")
    var peerMode = "best"

    @Flag(help: "With --train: also profile one training step op by op (the 20 most costly ops).")
    var profile = false

    @Flag(help: "Skip the peak-memory probes.")
    var skipMemory = false

    @Flag(help: "Print one JSON document on stdout instead of the table.")
    var json = false

    @OptionGroup var peer: BenchPeerOptions

    @Option(help: ArgumentHelp("Run one workload once in this process and print its peak memory (internal).", visibility: .hidden))
    var memoryProbe: StableDiffusionBenchmark.Workload?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if repeats < 1 { throw ValidationError("--repeats must be at least 1, got \(repeats)") }
        if resolution < 8 { throw ValidationError("--resolution must be at least 8, got \(resolution)") }
        if batch < 1 { throw ValidationError("--batch must be at least 1, got \(batch)") }
        guard ["best", "fp32", "bf16"].contains(peerMode) else { throw ValidationError("--peer-mode: expected best, fp32 or bf16, got '\(peerMode)'") }
        _ = try parsedWorkloads()
    }

    /// The workloads asked for, `train` last (its adapters change the pipeline the others run).
    func parsedWorkloads() throws -> [StableDiffusionBenchmark.Workload] {
        if train { return [.train] }
        let list = try workloads.split(separator: ",").map { name in
            guard let w = StableDiffusionBenchmark.Workload(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--workloads: unknown workload '\(name)' (text, unet, vae, image, train)")
            }
            return w
        }
        return list.filter { $0 != .train } + list.filter { $0 == .train }
    }

    func run() throws {
        if let threads { Engine.setThreads(threads) }
        do { try measure() } catch let e as ValidationError { throw e } catch { throw failWithError(error) }
    }

    private func measure() throws {
        let progress = { (line: String) in Console.error("bench sd: \(line)") }
        let script = peer.script("sd_pipeline.py")
        let folder = try pipelineFolder(script: script, progress: progress)
        let bench = try StableDiffusionBenchmark(pipeline: try StableDiffusionPipeline(directory: folder), resolution: resolution, batch: batch)
        if let memoryProbe {
            try bench.run(memoryProbe)
            Console.json(["peak_mb": Double(DiffusionBenchmark.peakResidentBytes()) / 1_048_576])
            return
        }
        var report = SDBenchReport(pipeline: folder, resolution: resolution, batch: batch, threads: Engine.threads,
                                   loadAverage: BenchChildProcess.loadAverage)
        for workload in try parsedWorkloads() {
            progress("\(workload.rawValue): Rounds")
            var row = SDBenchReport.Row(workload: workload, roundsSeconds: try bench.time(workload, repeats: repeats))
            if !skipMemory { row.roundsPeakMB = probeSelf(workload, folder: folder) }
            report.rows.append(row)
        }
        switch script {
        case .failure(let note):
            report.peerNote = note.message
            progress(note.message)
        case .success(let path):
            progress(peerMode == "best" ? "the diffusers peer (fp32 and bf16 autocast)" : "the diffusers peer (\(peerMode) only, --peer-mode)")
            report.apply(try runPeer(path, folder: folder, extra: ["--mode", peerMode]))
            if !skipMemory && report.peerVersions != nil {
                for i in report.rows.indices {
                    let mode = report.rows[i].peerMode ?? "fp32"
                    let probe = try? runPeer(path, folder: folder, extra: ["--memory-probe", report.rows[i].workload.rawValue, "--mode", mode])
                    report.rows[i].peerPeakMB = probe?.peakMB
                }
            }
        }
        if json { Console.json(report) } else { print(report.text) }
        if profile {
            guard try parsedWorkloads().contains(.train) else { throw ValidationError("--profile profiles the training step: add --train") }
            var failure: (any Error)?
            let p = OpProfile.collect { do { try bench.run(.train) } catch { failure = error } }
            if let failure { throw failure }
            BenchEngine.printProfile(p, title: "LoRA step \(resolution)x\(resolution) batch \(batch)", limit: 20)
        }
    }

    /// `--pipeline`, else the random SD-1.5-shaped folder in `--work`, made by the peer script on first use.
    private func pipelineFolder(script: Result<String, DiffusionPeer.Note>, progress: (String) -> Void) throws -> String {
        if let pipeline { return pipeline }
        if PipelineIndex.isPipeline(work) { return work }
        guard case .success(let path) = script else {
            throw ValidationError("bench sd: no --pipeline, and the peer script that makes one is not available (\(peerNote(script)))")
        }
        progress("writing an SD-1.5-shaped pipeline with random weights to \(work) (once)")
        let out = try BenchChildProcess.run("/usr/bin/env", [peer.python, path, "--make", work])
        guard out.status == 0, PipelineIndex.isPipeline(work) else {
            throw ValidationError("bench sd: \(path) --make \(work) failed (exit \(out.status)): \(out.stderr.suffix(800))")
        }
        return work
    }

    private func peerNote(_ script: Result<String, DiffusionPeer.Note>) -> String {
        if case .failure(let note) = script { return note.message }
        return ""
    }

    /// This binary again with `--memory-probe`: one workload's peak memory in a fresh process.
    private func probeSelf(_ workload: StableDiffusionBenchmark.Workload, folder: String) -> Double? {
        var args = ["bench", "sd", "--pipeline", folder, "--resolution", "\(resolution)", "--batch", "\(batch)",
                    "--memory-probe", workload.rawValue, "--no-peer"]
        if let threads { args += ["--threads", "\(threads)"] }
        let out: BenchChildProcess.Output
        do { out = try BenchChildProcess.run(BenchChildProcess.selfPath, args) } catch {
            Console.error("bench sd: the memory probe of \(workload.rawValue) did not start: \(error)")
            return nil
        }
        guard out.status == 0, let object = try? JSONSerialization.jsonObject(with: out.stdout) as? [String: Any],
              let mb = object["peak_mb"] as? Double else {
            Console.error("bench sd: the memory probe of \(workload.rawValue) failed (exit \(out.status)): \(out.stderr.suffix(400))")
            return nil
        }
        return mb
    }

    private func runPeer(_ script: String, folder: String, extra: [String]) throws -> SDBenchReport.Peer? {
        let names = try parsedWorkloads().map(\.rawValue).joined(separator: ",")  // trimmed, as Rounds reads them
        let args = [script, "--pipeline", folder, "--resolution", "\(resolution)", "--workloads", names,
                    "--repeats", "\(repeats)", "--threads", "\(threads ?? Engine.threads)", "--batch", "\(batch)"] + extra
        let out = try BenchChildProcess.run("/usr/bin/env", [peer.python] + args)
        guard out.status == 0 else {
            Console.error("bench sd: the peer failed (exit \(out.status)): \(out.stderr.suffix(800))")
            return nil
        }
        return try? SDBenchReport.Peer.decode(out.stdout)
    }
}
