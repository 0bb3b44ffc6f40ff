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

    @Option(help: ArgumentHelp("OpenBLAS kernel family for the whole run (\(BLASKernel.allCases.map(\.rawValue).joined(separator: ", "))); default: SkylakeX on a CPU with AVX-512 (ROUNDS_BLAS_KERNEL=openblas: OpenBLAS's own choice).",
                               valueName: "family"))
    var blasKernel: BLASKernel?

    func validate() throws {
        if seconds <= 0 { throw ValidationError("--seconds must be positive, got \(seconds)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    func run() throws {
        if let threads { Engine.setThreads(threads) }
        try BLASKernel.apply(blasKernel)
        let bench = EngineBenchmark(minSeconds: seconds)
        let report = bench.run(trainingSteps: skipTrainingStep ? [] : UNetStepConfig.defaults) { line in
            FileHandle.standardError.write(Data("bench engine: \(line)\n".utf8))
        }
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try enc.encode(report), as: UTF8.self))
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
            print("UNet-like training step (forward + MSE + backward + AdamW)")
            for s in report.trainingSteps {
                print(String(format: "  %@: %.1f M parameters, %.3f s/step, %.2f images/s (CPU %.3f s/step)",
                             s.config.description, Double(s.parameters) / 1e6, s.secondsPerStep, s.imagesPerSecond,
                             s.cpuSecondsPerStep))
            }
        }
    }
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
