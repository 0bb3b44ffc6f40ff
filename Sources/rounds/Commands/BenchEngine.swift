import ArgumentParser
import Foundation
import RoundsTensor

/// `rounds bench engine`: the tensor engine's convolution rates beside sgemm, and a UNet training step.
struct BenchEngine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Measure the tensor engine: 3x3 convolutions at UNet shapes beside sgemm, and a UNet training step."
    )

    @Flag(help: "Print one JSON document on stdout instead of tables.")
    var json = false

    @Option(help: "Minimum measuring time per number, in seconds (each training step at least 3, as the PyTorch peer).")
    var seconds: Double = 0.3

    @Option(help: "Worker threads for the engine and OpenBLAS (default: all cores).")
    var threads: Int?

    @Flag(help: "Skip the UNet training-step measurement.")
    var skipTrainingStep = false

    @Flag(help: "Also profile three training steps op by op (forward and backward wall time per op, and the rest: optimiser, graph walk).")
    var profile = false

    @OptionGroup var peer: BenchPeerOptions

    @Option(help: ArgumentHelp("OpenBLAS kernel family for the whole run (\(BLASKernel.allCases.map(\.rawValue).joined(separator: ", "))); default: SkylakeX on a CPU with AVX-512 (ROUNDS_BLAS_KERNEL=openblas: OpenBLAS's own choice).",
                               valueName: "family"))
    var blasKernel: BLASKernel?

    func validate() throws {
        if profile && skipTrainingStep { throw ValidationError("--profile profiles the training step; drop --skip-training-step") }
        if seconds <= 0 { throw ValidationError("--seconds must be positive, got \(seconds)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    func run() throws {
        if let threads { Engine.setThreads(threads) }
        try BLASKernel.apply(blasKernel)
        let bench = EngineBenchmark(minSeconds: seconds)
        let progress = { (line: String) in Console.error("bench engine: \(line)") }
        var report = bench.run(trainingSteps: skipTrainingStep ? [] : UNetStepConfig.defaults,
                               profileSteps: profile ? 3 : 0, progress: progress)
        if !report.trainingSteps.isEmpty { runPeer(into: &report, progress: progress) }
        if json {
            Console.json(report)
            return
        }
        print("threads \(report.threads), OpenBLAS core \(report.blasCore)")
        print("single-threaded sgemm kernel (GFLOP/s per core, from thread CPU time)")
        for k in report.sgemmKernel {
            print("  " + k.gemm.padding(toLength: 26, withPad: " ", startingAt: 0) + String(format: "%7.1f", k.gflopsPerCore))
        }
        for other in report.otherKernels {
            print("  with the \(other.kernel) kernels (switched in this run):")
            for k in other.rates {
                print("    " + k.gemm.padding(toLength: 24, withPad: " ", startingAt: 0) + String(format: "%7.1f", k.gflopsPerCore))
            }
        }
        print("3x3 convolutions (GFLOP/s; sgemm = OpenBLAS on the same per-image GEMM shape, this run)")
        for c in report.convolutions {
            let k = c.convCase
            print("  \(k.label): batch \(k.batch), \(k.channels)->\(k.channels) channels, \(k.size)x\(k.size)")
            for r in c.rates {
                let line = "    " + r.pass.padding(toLength: 25, withPad: " ", startingAt: 0)
                    + String(format: "%8.2f ms (CPU %8.2f ms) %7.1f GFLOP/s   sgemm %7.1f GFLOP/s   %4.0f%%   gemm %@",
                             r.milliseconds, r.cpuMilliseconds, r.gflops, r.sgemmGflops, r.fractionOfSgemm * 100, r.gemm)
                print(line)
            }
        }
        if !report.trainingSteps.isEmpty {
            print("UNet-like training step (forward + MSE + backward + AdamW); " + (report.peer.map { "peer: \($0)" } ?? report.peerNote ?? "no peer"))
            for s in report.trainingSteps {
                let peer = s.peerImagesPerSecond.map { String(format: "; PyTorch %.2f images/s, ratio %.2fx", $0, s.ratio ?? 0) } ?? ""
                print(String(format: "  %@: %.1f M parameters, %.3f s/step, %.2f images/s (CPU %.3f s/step)",
                             s.config.description, Double(s.parameters) / 1e6, s.secondsPerStep, s.imagesPerSecond,
                             s.cpuSecondsPerStep) + peer)
                let peerShare = s.peerFractionOfPeak.map { String(format: ", PyTorch %.2f", $0) } ?? ""
                print(String(format: "    %.1f GFLOP per step, %.1f GFLOP/s: of the sgemm peak, Rounds %.2f", s.flopsPerStep / 1e9,
                             s.flopsPerStep / s.secondsPerStep / 1e9, s.fractionOfPeak ?? 0) + peerShare)
            }
            print(String(format: "  (GFLOP per step: 3x the forward pass's products, convolutions and attention; sgemm peak: %d x %.1f GFLOP/s, the best single-threaded rate above)",
                         report.threads, report.sgemmPeakGflops / Double(max(report.threads, 1))))
            for s in report.trainingSteps { if let p = s.profile { printProfile(p, of: s) } }
        }
    }

    /// Runs the PyTorch peer right after our training steps (same thread count and measuring time) and
    /// fills its images/s and our ratio into each step; a missing torch or script becomes `peerNote`.
    private func runPeer(into report: inout EngineBenchmark.Report, progress: (String) -> Void) {
        let script: String
        switch peer.script("unet_step.py") {
        case .success(let s): script = s
        case .failure(let note): report.peerNote = note.message; return
        }
        progress("peer: \(script) (PyTorch + diffusers, \(report.threads) threads)")
        let args = [peer.python, script, "--json", "--threads", "\(report.threads)",
                    "--seconds", "\(max(seconds, EngineBenchmark.trainingStepSeconds))"]
        struct Document: Decodable {
            struct Row: Decodable { var imageSize: Int, batch: Int, imagesPerSecond: Double }
            var torch: String
            var results: [Row]
        }
        switch DiffusionPeer.runJSON(args, script: script) {
        case .failure(let note): report.peerNote = note.message
        case .success(let data):
            guard let doc = try? JSONDecoder().decode(Document.self, from: data) else {
                report.peerNote = "peer skipped: \(script) printed unreadable JSON"
                return
            }
            report.peer = "torch \(doc.torch)"
            for i in report.trainingSteps.indices {
                let c = report.trainingSteps[i].config
                guard let row = doc.results.first(where: { $0.imageSize == c.imageSize && $0.batch == c.batch }) else { continue }
                report.trainingSteps[i].peerImagesPerSecond = row.imagesPerSecond
                report.trainingSteps[i].ratio = report.trainingSteps[i].imagesPerSecond / row.imagesPerSecond
                report.trainingSteps[i].peerFractionOfPeak = report.trainingSteps[i].shareOfPeak(
                    imagesPerSecond: row.imagesPerSecond, peakGflops: report.sgemmPeakGflops)
            }
        }
        if let note = report.peerNote { progress(note) }
    }

    /// The op table of one profiled training step.
    private func printProfile(_ p: OpProfile, of step: UNetStepResult) {
        Self.printProfile(p, title: "\(step.config.imageSize)x\(step.config.imageSize) batch \(step.config.batch)")
    }

    /// An op table: per op, calls, forward and backward ms, share of the profiled time, forward GFLOP/s.
    static func printProfile(_ p: OpProfile, title: String, limit: Int = .max) {
        let total = p.entries.reduce(p.otherSeconds) { $0 + $1.totalSeconds }
        print("Op profile, \(title) (ms per step; " + String(format: "%.1f ms profiled)", total * 1e3))
        print("  " + "op".padding(toLength: 52, withPad: " ", startingAt: 0) + " calls  forward  backward    total   share  fwd GFLOP/s")
        func row(_ name: String, _ calls: String, _ f: Double, _ b: Double, flops: Double = 0) {
            let rate = flops > 0 && f > 0 ? String(format: " %12.1f", flops / f / 1e9) : ""
            print("  " + name.padding(toLength: 52, withPad: " ", startingAt: 0) + calls.leftPadded(6)
                  + String(format: " %8.2f %9.2f %8.2f %6.1f%%", f * 1e3, b * 1e3, (f + b) * 1e3, (f + b) / max(total, 1e-12) * 100) + rate)
        }
        for e in p.entries.prefix(limit) { row(e.op, "\(e.calls)", e.forwardSeconds, e.backwardSeconds, flops: e.forwardFlops) }
        row("(optimiser, graph walk, set-up)", "", p.otherSeconds, 0)
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}


extension BLASKernel: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }

    public init?(argument: String) {
        guard let k = Self.allCases.first(where: { $0.rawValue.caseInsensitiveCompare(argument) == .orderedSame }) else { return nil }
        self = k
    }

    /// Switches the engine to `kernel` (nil: keep OpenBLAS's choice); an error when this OpenBLAS or CPU cannot.
    static func apply(_ kernel: BLASKernel?) throws {
        guard let kernel else { return }
        guard Engine.selectBLASKernel(kernel) else {
            throw ValidationError("--blas-kernel \(kernel.rawValue): this OpenBLAS (\(Engine.blasCore)) or CPU cannot run it; "
                                  + "selectable here: \(Engine.selectableBLASKernels.map(\.rawValue).joined(separator: ", "))")
        }
    }
}
