import ArgumentParser
import Foundation
import RoundsBench
import RoundsImaging

/// `rounds bench ...`: throughput benchmarks, each beside a peer implementation where one exists.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Rounds' throughput against peer implementations (release builds only are meaningful).",
        subcommands: [BenchImages.self, BenchEngine.self, BenchDiffusion.self, BenchSD.self, BenchStore.self, BenchMetrics.self, BenchJudge.self]
    )
}

/// `rounds bench images [--json]`
struct BenchImages: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "images",
        abstract: "PNG/JPEG decode and encode and SHA-256 on a 512x512 synthetic photo, beside Pillow.",
        discussion: """
            Pillow runs in the same invocation through Benchmarks/peers/images_pillow.py (python3 with \
            Pillow); without them the peer is skipped with a note on stderr. Both sides use the same JPEG \
            quality (4:2:0, no Huffman optimisation) and PNG zlib level 6, and decode the same bytes.
            """
    )

    @Flag(help: "Print one JSON document instead of the table.")
    var json = false

    @Option(help: "JPEG quality for both sides (1-100).")
    var quality = 92

    @Option(help: "Seconds to repeat each operation.")
    var seconds = 1.0

    @Option(help: "Side of the square test image in pixels.")
    var size = 512

    @Option(help: "The Pillow peer script (default: Benchmarks/peers/images_pillow.py, found from here or the binary).")
    var peerScript: String?

    @Flag(help: "Skip the Pillow peer.")
    var noPeer = false

    @Option(help: "Python interpreter for the peer.")
    var python = "python3"

    func validate() throws {
        if !(1...100).contains(quality) { throw ValidationError("--quality must be in 1...100, got \(quality).") }
        if !(seconds > 0) { throw ValidationError("--seconds must be positive, got \(seconds).") }
        if !(8...8192).contains(size) { throw ValidationError("--size must be in 8...8192, got \(size).") }
        if noPeer && peerScript != nil { throw ValidationError("--no-peer and --peer-script contradict each other.") }
    }

    func run() throws {
        let script = noPeer ? nil : (peerScript ?? ImageBenchmark.defaultPeerScript())
        let config = ImageBenchmark.Config(size: size, jpegQuality: quality, secondsPerOperation: seconds,
                                           peerScript: script, python: python)
        let report: ImageBenchmark.Report
        do {
            report = try ImageBenchmark.run(config) { Console.error("bench images: \($0)") }
        } catch {
            Console.error("rounds bench images: \(error)")
            throw ExitCode(2)
        }
        if let note = report.peerNote { Console.error(note) }
        if json {
            Console.json(report)
            return
        }
        print("\(report.width)x\(report.height) synthetic photo; JPEG quality \(report.jpegQuality) (4:2:0), "
            + "PNG zlib level \(report.pngCompressionLevel)"
            + (report.pillowVersion.map { "; peer Pillow \($0)" } ?? "; no peer"))
        print(pad("operation", 12) + lpad("rounds ops/s", 14) + lpad("pillow ops/s", 14) + lpad("rounds/pillow", 15)
            + lpad("bytes", 10))
        for m in report.rounds {
            let peer = report.pillow.first { $0.operation == m.operation }
            let ratio = report.ratios[m.operation].map { String(format: "%.2f", $0) } ?? "-"
            print(pad(m.operation, 12) + lpad(String(format: "%.1f", m.opsPerSecond), 14)
                + lpad(peer.map { String(format: "%.1f", $0.opsPerSecond) } ?? "-", 14) + lpad(ratio, 15)
                + lpad("\(m.bytes)", 10))
        }
    }

    private func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: max(n, s.count), withPad: " ", startingAt: 0) }
    private func lpad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
}
