import ArgumentParser
import Foundation
import RoundsBench
import RoundsCore
import RoundsStore

/// `rounds bench store [--json]`: the store benchmark against Python's sqlite3 (logic in `StoreBenchmark`).
struct BenchStore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Benchmark verdict inserts and the pending-images query against Python's sqlite3."
    )

    @Option(help: "Verdict rows to insert.")
    var verdicts = 100_000

    @Option(help: "Images the pending query runs over.")
    var images = 100_000

    @Flag(help: "Print one JSON document on stdout.")
    var json = false

    func validate() throws {
        if verdicts < 5 || images < 1 { throw ValidationError("--verdicts must be at least 5 and --images at least 1") }
        if verdicts / 5 > images {
            throw ValidationError("--images must be at least --verdicts / 5 (one judgment of 5 criteria per image)")
        }
    }

    func run() async throws {
        do {
            var bench = StoreBenchmark()
            bench.verdicts = verdicts
            bench.images = images
            bench.python = StoreBenchmark.findPython()
            bench.peerScript = StoreBenchmark.findPeerScript()
            let r = try bench.run { Console.error("bench store: \($0)") }
            if let note = r.pythonNote { Console.error("bench store: \(note)") }
            if json {
                Console.write(String(decoding: try Console.jsonData(r, pretty: false), as: UTF8.self) + "\n")
                return
            }
            func f(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }
            var lines = [
                "store benchmark (target: >= 50000 rows/s, pending < 200 ms, ahead of Python)",
                "  verdict inserts  swift: \(r.verdictRows) rows in \(f(r.insertSeconds, 3)) s = \(f(r.rowsPerSecond, 0)) rows/s (cpu \(f(r.insertCPUSeconds, 3)) s)",
                "  pending query    swift: \(r.pendingCount) of \(r.images) images in \(f(r.pendingMilliseconds)) ms (median; cpu \(f(r.pendingCPUMilliseconds)) ms)",
            ]
            if let p = r.python, let a = r.insertSpeedup, let b = r.pendingSpeedup {
                lines += [
                    "  verdict inserts python: \(f(p.rowsPerSecond, 0)) rows/s (cpu \(f(p.insertCPUSeconds, 3)) s)  -> swift/python \(f(a, 2))x",
                    "  pending query   python: \(f(p.pendingMilliseconds)) ms (cpu \(f(p.pendingCPUMilliseconds)) ms)  -> swift is \(f(b, 2))x faster",
                ]
            }
            Console.write(lines.joined(separator: "\n") + "\n")
        } catch {
            throw StoreCommandFailure.exit(error)
        }
    }
}
