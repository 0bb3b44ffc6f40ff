import ArgumentParser
import Foundation
import RoundsAlignment
import RoundsBench

/// `rounds bench metrics`: PRDC and nearest-neighbour search, 10k vs 10k 512-d, against the `prdc` package.
struct BenchMetrics: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Time PRDC and nearest-neighbour search on 10k vs 10k 512-d features against the prdc Python package."
    )

    @Option(help: "Real feature rows.")
    var real = 10_000

    @Option(help: "Generated feature rows.")
    var fake = 10_000

    @Option(help: "Feature width.")
    var dimensions = 512

    @Option(help: "Peer script (the prdc package); skipped with a note when it or Python is missing.")
    var peer = "Benchmarks/peers/metrics_prdc.py"

    @Option(help: "Python interpreter for the peer.")
    var python = "python3"

    @Flag(help: "Print one JSON document to stdout.")
    var json = false

    func validate() throws {
        guard real > 5, fake > 5, dimensions > 0 else {
            throw ValidationError("--real and --fake need more than 5 rows (k = 5) and --dimensions at least 1")
        }
    }

    func run() throws {
        var bench = MetricsBenchmark()
        bench.realCount = real
        bench.fakeCount = fake
        bench.dimensions = dimensions
        bench.peerScript = peer
        bench.python = python
        let outcome: MetricsBenchmark.Outcome
        do {
            outcome = try bench.run { FileHandle.standardError.write(Data("\($0)\n".utf8)) }
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if json {
            print(MetricsBenchmarkReport.json(outcome, bench: bench))
        } else {
            print(MetricsBenchmarkReport.text(outcome, bench: bench))
        }
    }
}
