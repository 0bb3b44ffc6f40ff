import ArgumentParser
import Foundation
import RoundsBench
import RoundsJudge

/// `rounds bench judge [--json]`: judging throughput against a fixed-latency loopback stand-in, beside
/// the `openai` Python package (logic in `JudgeBenchmark`).
struct BenchJudge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "judge",
        abstract: "Judging throughput and client CPU per request against a fixed-latency loopback server, beside openai's AsyncOpenAI.",
        discussion: """
            A stand-in OpenAI server runs in a child process and answers every request after --latency-ms; \
            with --in-flight requests in flight no client can exceed in-flight/latency requests per second. \
            Reported: the share of that limit reached (target >= 90%) and the client's CPU time per request \
            from getrusage (target <= 2 ms), then the same requests through the openai package's AsyncOpenAI \
            (Benchmarks/peers/judge_openai.py; python3 with openai installed) against the same server, and \
            the ratios. Without Python or openai the peer is skipped with a note on stderr.
            """
    )

    @Option(help: "Judgments to time.")
    var requests = 1000

    @Option(help: "Requests in flight.")
    var inFlight = 64

    @Option(help: "The stand-in's answer latency in milliseconds.")
    var latencyMs = 200

    @Option(help: "Side of the square JPEG sent with each request, in pixels.")
    var size = 512

    @Flag(help: "Skip the Python peer.")
    var noPeer = false

    @Flag(help: "Print one JSON document on stdout.")
    var json = false

    @Flag(help: "Let the stand-in parse and check every request as the real API does (costs server CPU on this machine).")
    var checkedServer = false

    @Flag(help: .hidden)
    var serveStandIn = false

    func validate() throws {
        if requests < 1 { throw ValidationError("--requests must be at least 1, got \(requests)") }
        if !(1...1024).contains(inFlight) { throw ValidationError("--in-flight must be in 1...1024, got \(inFlight)") }
        if !(1...60_000).contains(latencyMs) { throw ValidationError("--latency-ms must be in 1...60000, got \(latencyMs)") }
        if !(16...4096).contains(size) { throw ValidationError("--size must be in 16...4096, got \(size)") }
    }

    func run() async throws {
        if serveStandIn { return try await serve() }
        var config = JudgeBenchmark.Config()
        config.requests = requests
        config.inFlight = inFlight
        config.latencySeconds = Double(latencyMs) / 1000
        config.imageSize = size
        let bench = JudgeBenchmark(config: config, python: noPeer ? nil : JudgeBenchmark.findPython(),
                                   peerScript: noPeer ? nil : JudgeBenchmark.findPeerScript())
        let server: JudgeStandInChild
        do {
            server = try await JudgeStandInChild.start(
                arguments: ["bench", "judge", "--serve-stand-in", "--latency-ms", String(latencyMs)]
                    + (checkedServer ? ["--checked-server"] : []))
        } catch {
            Console.error("rounds bench judge: cannot start the stand-in server: \(error)")
            throw ExitCode(2)
        }
        var report: JudgeBenchmark.Report
        do {
            report = try await bench.run(baseURL: server.baseURL) { Console.error("bench judge: \($0)") }
            server.stop()
        } catch {
            server.stop()
            Console.error("rounds bench judge: \(error)")
            throw ExitCode(2)
        }
        if noPeer { report.peerNote = "peer skipped: --no-peer" }
        if let note = report.peerNote {
            Console.error("bench judge: \(note)")
        }
        if json { return Console.json(report) }
        func f(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }
        func line(_ s: JudgeBenchmark.Side, _ fraction: Double) -> String {
            "  " + s.client.padding(toLength: 28, withPad: " ", startingAt: 0)
                + "\(f(s.requestsPerSecond)) req/s = \(f(fraction * 100, 0))% of the limit; CPU \(f(s.cpuMillisecondsPerRequest, 2)) ms/request; "
                + "\(s.succeeded)/\(s.requests) judged in \(f(s.seconds, 2)) s"
        }
        var lines = [
            "judge benchmark: \(config.requests) judgments of a \(config.imageSize)x\(config.imageSize) JPEG (\(report.imageBytes) bytes), "
                + "\(config.inFlight) in flight, \(latencyMs) ms latency: limit \(f(report.limitPerSecond)) req/s "
                + "(targets: >= 90% of the limit, <= 2 ms CPU/request)",
            line(report.rounds, report.roundsFractionOfLimit),
        ]
        if let peer = report.peer, let fraction = report.peerFractionOfLimit {
            lines.append(line(peer, fraction) + (report.openaiVersion.map { " (openai \($0))" } ?? ""))
            if let t = report.throughputRatio, let c = report.cpuRatio {
                lines.append("  rounds/python: throughput \(f(t, 2))x, CPU per request \(f(c, 1))x less")
            }
        }
        print(lines.joined(separator: "\n"))
        if report.rounds.succeeded < report.rounds.requests { throw ExitCode(1) }
    }

    /// Child-process mode: serve until stdin closes, after printing the port on stdout.
    private func serve() async throws {
        try await JudgeStandIn.serveUntilStdinCloses(latencySeconds: Double(latencyMs) / 1000, checked: checkedServer)
    }
}
