import ArgumentParser
import Foundation
import RoundsJudge
import RoundsTestSupport

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
        let server: StandInChild
        do { server = try await StandInChild.start(latencyMs: latencyMs, checked: checkedServer) } catch {
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
        // Lean: the server neither parses nor checks requests, so on a small machine its CPU stays small
        // beside the clients' (what is measured); the answer is the verdicts for the bench checklist.
        let server = try await StandInServer.start(lean: !checkedServer)
        let latency = Double(latencyMs) / 1000
        let answer = JudgeBenchmark.answer
        server.respond { _, _ in checkedServer ? .slow(seconds: latency, then: .verdicts()) : .slow(seconds: latency, then: .answer(answer)) }
        FileHandle.standardOutput.write(Data("\(server.port)\n".utf8))
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread { _ = FileHandle.standardInput.readDataToEndOfFile(); done.resume() }.start()
        }
        await server.stop()
    }
}

/// The stand-in running in a child process (`rounds bench judge --serve-stand-in`), so the benchmark's
/// CPU time is the client's alone. Closing its stdin ends it.
private struct StandInChild {
    let process: Process
    let stdin: Pipe
    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    static func start(latencyMs: Int, checked: Bool) async throws -> StandInChild {
        let process = Process()
        let selfPath = FileManager.default.fileExists(atPath: "/proc/self/exe")
            ? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path : CommandLine.arguments[0]
        process.executableURL = URL(fileURLWithPath: selfPath)
        process.arguments = ["bench", "judge", "--serve-stand-in", "--latency-ms", String(latencyMs)]
            + (checked ? ["--checked-server"] : [])
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        let first: String = await withCheckedContinuation { done in
            Thread {
                var bytes: [UInt8] = []
                while true {
                    let chunk = stdout.fileHandleForReading.readData(ofLength: 1)
                    if chunk.isEmpty || chunk.first == UInt8(ascii: "\n") { break }
                    bytes.append(contentsOf: chunk)
                }
                done.resume(returning: String(decoding: bytes, as: UTF8.self))
            }.start()
        }
        guard let port = Int(first.trimmingCharacters(in: .whitespaces)), port > 0 else {
            process.terminate()
            throw ValidationError("the stand-in child printed '\(first)' instead of its port")
        }
        return StandInChild(process: process, stdin: stdin, port: port)
    }

    func stop() {
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
