import ArgumentParser
import Foundation
import RoundsDiffusion
import RoundsTensor

/// `rounds bench diffusion`: training-step and DDIM-sampling throughput beside diffusers on PyTorch
/// (CPU, same model, same threads, same invocation), and peak memory of fresh processes.
struct BenchDiffusion: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diffusion",
        abstract: "Time UNet training steps and DDIM sampling (with and without guidance) beside diffusers, and peak memory.",
        discussion: """
            The model is diffusers' UNet2DModel with block_out_channels (64, 128, 128), attention (head dim 8) at \
            the lowest resolution, 10 classes + null. Sampling times the first --timed-steps steps of a 50-step DDIM \
            schedule and reports images/s of the full run. The peer is Benchmarks/peers/diffusion_unet.py (python3 \
            with torch and diffusers), run with the same thread count; without it the peer columns stay empty and a \
            note goes to stderr. Peak memory is getrusage's ru_maxrss of a fresh process per probe (this binary \
            again, and the peer script), for one training step and for guided sampling.
            """
    )

    @Flag(help: "Print one JSON document on stdout instead of tables.")
    var json = false

    @Flag(help: "A short run: 32x32 only, 2 timed sampling steps, 1 timed training step, memory probes at 32x32.")
    var quick = false

    @Option(help: "Worker threads for Rounds and for the peer (default: all cores).")
    var threads: Int?

    @Option(help: ArgumentHelp("OpenBLAS kernel family for Rounds (\(BLASKernel.allCases.map(\.rawValue).joined(separator: ", "))); default: SkylakeX on a CPU with AVX-512 (ROUNDS_BLAS_KERNEL=openblas: OpenBLAS's own choice).",
                               valueName: "family"))
    var blasKernel: BLASKernel?

    @Option(help: "DDIM steps timed out of the 50-step schedule (default 5; 2 with --quick).")
    var timedSteps: Int?

    @Option(help: "Guidance scale of the guided sampling run.")
    var guidance: Double = 3

    @Flag(help: "Skip the peak-memory probes.")
    var skipMemory = false

    @Option(help: "Batch of the memory probes (training batch and sampling batch before guidance doubles it).")
    var memoryBatch = 16

    @OptionGroup var peer: BenchPeerOptions

    @Option(help: ArgumentHelp("Run one memory probe KIND:SIZE:BATCH in this process (internal).", visibility: .hidden))
    var memoryProbe: String?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if let timedSteps, !(1...DiffusionBenchmark.scheduleSteps).contains(timedSteps) {
            throw ValidationError("--timed-steps must be in 1...\(DiffusionBenchmark.scheduleSteps), got \(timedSteps)")
        }
        if !(guidance > 1) { throw ValidationError("--guidance must be greater than 1, got \(guidance)") }
        if memoryBatch < 1 { throw ValidationError("--memory-batch must be at least 1, got \(memoryBatch)") }
        if let memoryProbe, Probe(memoryProbe) == nil {
            throw ValidationError("--memory-probe: expected KIND:SIZE:BATCH with KIND train or sample, got '\(memoryProbe)'")
        }
    }

    func run() throws {
        if let threads { Engine.setThreads(threads) }
        try BLASKernel.apply(blasKernel)
        if let memoryProbe, let probe = Probe(memoryProbe) {
            let bytes = try DiffusionBenchmark.memoryProbe(probe.kind, imageSize: probe.size, batch: probe.batch)
            Console.json(["peak_rss_bytes": bytes])
            return
        }
        let cases = quick
            ? [DiffusionBenchmark.Case(imageSize: 32, trainBatch: 8, sampleBatch: 8)]
            : [DiffusionBenchmark.Case(imageSize: 32, trainBatch: 8, sampleBatch: 8),
               DiffusionBenchmark.Case(imageSize: 64, trainBatch: 4, sampleBatch: 4)]
        let bench = DiffusionBenchmark(cases: cases, timedSteps: timedSteps ?? (quick ? 2 : 5),
                                       trainSteps: quick ? 1 : 2, guidance: guidance)
        var report = DiffusionBenchReport(threads: Engine.threads, blasCore: Engine.blasCore, loadAverage: BenchChildProcess.loadAverage,
                                          timedSteps: bench.timedSteps, scheduleSteps: DiffusionBenchmark.scheduleSteps)
        let progress = { (line: String) in Console.error("bench diffusion: \(line)") }
        var script: String?
        switch self.peer.script("diffusion_unet.py") {
        case .success(let s): script = s
        case .failure(let note): report.peerNote = note.message
        }
        do {
            let (training, sampling) = try bench.run(progress: progress)
            var peer: DiffusionPeer.Document?
            if let script {
                progress("peer: \(script) (torch + diffusers, \(Engine.threads) threads)")
                switch DiffusionPeer.throughput(python: self.peer.python, script: script, bench: bench, threads: Engine.threads) {
                case .success(let doc): peer = doc
                case .failure(let note): report.peerNote = note.message
                }
            }
            report.fill(training: training, sampling: sampling, peer: peer)
            if !skipMemory {
                let size = quick ? 32 : 64
                for kind in DiffusionBenchmark.ProbeKind.allCases {
                    progress("memory probe: \(kind.rawValue) \(size)x\(size), batch \(memoryBatch) (fresh processes)")
                    report.memory.append(try memoryRow(kind, size: size, script: peer == nil ? nil : script))
                }
            }
        } catch {
            Console.error("rounds bench diffusion: \(error)")
            throw ExitCode(2)
        }
        report.loadAverageAfter = BenchChildProcess.loadAverage
        if let note = report.peerNote { Console.error("bench diffusion: \(note)") }
        if json { Console.json(report) } else { print(report.text) }
    }

    /// Peak RSS of one probe in a fresh `rounds` process and, when the peer works, a fresh Python one.
    private func memoryRow(_ kind: DiffusionBenchmark.ProbeKind, size: Int, script: String?) throws -> DiffusionBenchReport.MemoryRow {
        let spec = "\(kind.rawValue):\(size):\(memoryBatch)"
        let child = try BenchChildProcess.run(
            BenchChildProcess.selfPath,
            ["bench", "diffusion", "--memory-probe", spec, "--threads", "\(Engine.threads)", "--guidance", "\(guidance)"]
                + (blasKernel.map { ["--blas-kernel", $0.rawValue] } ?? []))
        guard child.status == 0, let bytes = DiffusionPeer.peakBytes(child.stdout) else {
            throw ValidationError("memory probe \(spec) failed (exit \(child.status)): \(child.stderr.suffix(400))")
        }
        var row = DiffusionBenchReport.MemoryRow(kind: kind.rawValue, imageSize: size, batch: memoryBatch, roundsBytes: bytes)
        if let script {
            switch DiffusionPeer.memory(python: self.peer.python, script: script, spec: spec, threads: Engine.threads, guidance: guidance) {
            case .success(let b): row.peerBytes = b
            case .failure(let note): row.peerNote = note.message
            }
        }
        return row
    }

    /// `KIND:SIZE:BATCH` of `--memory-probe`.
    struct Probe {
        var kind: DiffusionBenchmark.ProbeKind, size: Int, batch: Int
        init?(_ text: String) {
            let parts = text.split(separator: ":").map(String.init)
            guard parts.count == 3, let kind = DiffusionBenchmark.ProbeKind(rawValue: parts[0]),
                  let size = Int(parts[1]), size >= 4, size % 4 == 0, let batch = Int(parts[2]), batch >= 1 else { return nil }
            (self.kind, self.size, self.batch) = (kind, size, batch)
        }
    }
}
