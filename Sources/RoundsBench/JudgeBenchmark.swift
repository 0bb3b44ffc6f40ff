import Foundation
import RoundsCore
import RoundsImaging
import RoundsJudge

/// `rounds bench judge`: judging throughput and client CPU against a server that answers after a fixed
/// latency, beside the official `openai` Python package's `AsyncOpenAI` (`Benchmarks/peers/judge_openai.py`)
/// against the same server in the same run.
///
/// With `inFlight` requests in flight and a fixed `latency`, no client can exceed `inFlight / latency`
/// requests per second; the benchmark reports the share of that limit each client reaches (target ≥ 90%)
/// and its process CPU time per request from `getrusage` (target ≤ 2 ms). The server runs in another
/// process, so the CPU figure is the client's alone. Each request carries a distinct 512x512 JPEG (the
/// same picture with two varying trailing bytes), so every request is base64-encoded and sent afresh;
/// both clients first warm up with one request per slot (connections opened) that is not counted.
package struct JudgeBenchmark: Sendable {
    package struct Config: Sendable, Codable {
        package var requests = 1000
        package var inFlight = 64
        package var latencySeconds = 0.2
        package var imageSize = 512
        package var jpegQuality = 90
        package init() {}
        /// `inFlight / latency`: requests per second no client can exceed.
        package var limit: Double { Double(inFlight) / latencySeconds }
    }

    /// One client's numbers.
    package struct Side: Sendable, Codable {
        package var client: String
        package var requests: Int
        package var succeeded: Int
        package var seconds: Double
        package var cpuSeconds: Double
        package var requestsPerSecond: Double { seconds > 0 ? Double(requests) / seconds : 0 }
        package var cpuMillisecondsPerRequest: Double { requests > 0 ? cpuSeconds * 1000 / Double(requests) : 0 }

        package init(client: String, requests: Int, succeeded: Int, seconds: Double, cpuSeconds: Double) {
            self.client = client
            self.requests = requests
            self.succeeded = succeeded
            self.seconds = seconds
            self.cpuSeconds = cpuSeconds
        }

        enum CodingKeys: String, CodingKey {
            case client, requests, succeeded, seconds, cpuSeconds, requestsPerSecond, cpuMillisecondsPerRequest
        }

        package func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(client, forKey: .client)
            try c.encode(requests, forKey: .requests)
            try c.encode(succeeded, forKey: .succeeded)
            try c.encode(seconds, forKey: .seconds)
            try c.encode(cpuSeconds, forKey: .cpuSeconds)
            try c.encode(requestsPerSecond, forKey: .requestsPerSecond)
            try c.encode(cpuMillisecondsPerRequest, forKey: .cpuMillisecondsPerRequest)
        }

        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(client: try c.decode(String.self, forKey: .client), requests: try c.decode(Int.self, forKey: .requests),
                      succeeded: try c.decode(Int.self, forKey: .succeeded), seconds: try c.decode(Double.self, forKey: .seconds),
                      cpuSeconds: try c.decode(Double.self, forKey: .cpuSeconds))
        }
    }

    package struct Report: Sendable, Codable {
        package var config: Config
        package var limitPerSecond: Double
        package var imageBytes: Int
        package var rounds: Side
        package var roundsFractionOfLimit: Double
        package var peer: Side?
        package var peerFractionOfLimit: Double?
        package var openaiVersion: String?
        /// Why the peer did not run, when it did not.
        package var peerNote: String?
        /// Rounds requests/s ÷ peer requests/s (> 1: Rounds ahead).
        package var throughputRatio: Double?
        /// Peer CPU per request ÷ Rounds CPU per request (> 1: Rounds uses less).
        package var cpuRatio: Double?
    }

    /// The bench checklist: five criteria `c1`…`c5`.
    static let checklist = JudgeChecklist(
        condition: "bench/condition", version: "bench",
        criteria: (1...5).map { JudgeCriterion(id: "c\($0)", text: "Criterion \($0) is visible in the image") })

    /// A complete answer for the bench checklist (what the lean stand-in sends back).
    package static var answer: String {
        JSONValue.object(["criteria": .array(checklist.criteria.map {
            ["id": .string($0.id), "verdict": "met", "evidence": "seen in the image"]
        })]).canonicalString
    }

    package var config: Config
    /// Python and the peer script; nil skips the peer with a note.
    package var python: String?
    package var peerScript: String?

    package init(config: Config = Config(), python: String? = nil, peerScript: String? = nil) {
        self.config = config
        self.python = python
        self.peerScript = peerScript
    }

    /// Runs Rounds' client, then the peer, against the server at `baseURL` (which must answer every
    /// chat completion after `config.latencySeconds`).
    package func run(baseURL: String, progress: @Sendable (String) -> Void = { _ in }) async throws -> Report {
        let image = try JPEGCodec.encode(SyntheticPhoto.make(width: config.imageSize, height: config.imageSize, seed: 7),
                                         quality: config.jpegQuality)
        let checklist = Self.checklist
        var endpoint = EndpointConfig(name: "bench", provider: .openai, baseURL: baseURL, model: "bench-model")
        endpoint.maxInFlight = config.inFlight
        endpoint.requestTimeout = 60
        endpoint.maxTokens = 256
        let client = JudgeClient(endpoint: endpoint, apiKey: nil, transport: CurlTransport(environment: [:]),
                                 options: JudgeOptions(repair: false), retryPolicy: RetryPolicy(maxAttempts: 1))
        progress("rounds: \(config.requests) requests, \(config.inFlight) in flight, "
            + "\(Int(config.latencySeconds * 1000)) ms server latency")
        let prompt = VerdictSchema.standardPrompt(for: checklist)
        @Sendable func judgeImage(_ i: Int) -> JudgeImage {
            JudgeImage(bytes: image + [UInt8(truncatingIfNeeded: i), UInt8(truncatingIfNeeded: i >> 8)],
                       mediaType: "image/jpeg", imageID: SHA256.hex("bench-\(i)"), origin: .synthetic)
        }
        _ = await runClient(count: config.inFlight) { i in
            await client.judge(image: judgeImage(1_000_000 + i), checklist: checklist, prompt: prompt).status == .judged
        }
        let cpu0 = Self.processCPUSeconds(), t0 = Date()
        let succeeded = await runClient(count: config.requests) { i in
            await client.judge(image: judgeImage(i), checklist: checklist, prompt: prompt).status == .judged
        }
        let rounds = Side(client: "rounds (libcurl)", requests: config.requests, succeeded: succeeded,
                          seconds: Date().timeIntervalSince(t0), cpuSeconds: Self.processCPUSeconds() - cpu0)
        var report = Report(config: config, limitPerSecond: config.limit, imageBytes: image.count, rounds: rounds,
                            roundsFractionOfLimit: rounds.requestsPerSecond / config.limit)
        guard let python, let peerScript else {
            report.peerNote = "peer skipped: " + (python == nil ? "python3 not found" : "Benchmarks/peers/judge_openai.py not found")
            return report
        }
        progress("peer: openai AsyncOpenAI, same requests")
        do {
            let (side, version) = try await runPeer(python: python, script: peerScript, baseURL: baseURL, image: image,
                                              prompt: prompt, checklist: checklist, endpoint: endpoint)
            report.peer = side
            report.openaiVersion = version
            report.peerFractionOfLimit = side.requestsPerSecond / config.limit
            report.throughputRatio = rounds.requestsPerSecond / max(side.requestsPerSecond, 1e-9)
            report.cpuRatio = side.cpuMillisecondsPerRequest / max(rounds.cpuMillisecondsPerRequest, 1e-9)
        } catch let error as JudgeError {
            report.peerNote = "peer skipped: \(error.message)"
        }
        return report
    }

    /// Runs `count` calls with at most `config.inFlight` at once; returns how many succeeded.
    private func runClient(count: Int, _ one: @escaping @Sendable (Int) async -> Bool) async -> Int {
        var ok = 0
        await runBounded(Array(0..<count), inFlight: config.inFlight, work: one) { _, success in
            if success { ok += 1 }
            return true
        }
        return ok
    }

    /// The peer gets the same prompt, schema and image; it prints one JSON object (see the script).
    private func runPeer(python: String, script: String, baseURL: String, image: [UInt8], prompt: JudgePrompt,
                         checklist: JudgeChecklist, endpoint: EndpointConfig) async throws -> (Side, String?) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rounds-bench-judge-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let imagePath = folder.appendingPathComponent("image.jpg").path
        let specPath = folder.appendingPathComponent("request.json").path
        let spec: JSONValue = [
            "model": .string(endpoint.model), "system": .string(prompt.system), "user": .string(prompt.user),
            "detail": .string(endpoint.detail.rawValue), "max_tokens": .number(Double(endpoint.maxTokens)),
            "schema_name": "checklist_verdicts", "schema": VerdictSchema.schema(for: checklist),
            "criteria": .array(checklist.criteria.map { .string($0.id) }),
        ]
        guard FileManager.default.createFile(atPath: imagePath, contents: Data(image)),
              FileManager.default.createFile(atPath: specPath, contents: Data(spec.canonicalString.utf8))
        else { throw JudgeError(.transport, "cannot write the peer's inputs under \(folder.path)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--base-url", baseURL, "--request", specPath, "--image", imagePath,
                             "--count", String(config.requests), "--in-flight", String(config.inFlight)]
        var environment = ProcessInfo.processInfo.environment
        environment["NO_PROXY"] = "127.0.0.1,localhost"
        environment["no_proxy"] = "127.0.0.1,localhost"
        process.environment = environment
        let outPath = folder.appendingPathComponent("stdout").path, errPath = folder.appendingPathComponent("stderr").path
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: outPath)
        process.standardError = FileHandle(forWritingAtPath: errPath)
        // The peer runs for seconds: wait for its exit without blocking a thread of the cooperative pool.
        let started: Bool = await withCheckedContinuation { done in
            process.terminationHandler = { _ in done.resume(returning: true) }
            do { try process.run() } catch { done.resume(returning: false) }
        }
        guard started else { throw JudgeError(.transport, "cannot start \(python) \(script)") }
        let output = FileManager.default.contents(atPath: outPath) ?? Data()
        let errText = String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0 else {
            let last = errText.split(separator: "\n").last.map(String.init) ?? "exit status \(process.terminationStatus)"
            throw JudgeError(.transport, "\(script) failed: \(last)")
        }
        guard let json = try? JSONValue(parsing: output), let requests = json["requests"]?.doubleValue,
              let succeeded = json["succeeded"]?.doubleValue, let seconds = json["seconds"]?.doubleValue,
              let cpu = json["cpu_seconds"]?.doubleValue
        else {
            throw JudgeError(.invalidResponse, "\(script): expected one JSON object with requests, succeeded, seconds and "
                + "cpu_seconds; got: \(String(decoding: output.prefix(200), as: UTF8.self))")
        }
        let side = Side(client: "python openai AsyncOpenAI", requests: Int(requests), succeeded: Int(succeeded),
                        seconds: seconds, cpuSeconds: cpu)
        return (side, json["openai_version"]?.stringValue)
    }

    /// User + system CPU time of this process so far (`getrusage(RUSAGE_SELF)`).
    package static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }

    /// `python3` on PATH.
    package static func findPython() -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return dirs.map { "\($0)/python3" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `Benchmarks/peers/judge_openai.py` in the current folder or above, or above the executable.
    package static func findPeerScript() -> String? {
        let relative = "Benchmarks/peers/judge_openai.py"
        let starts = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
                      URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()]
        for start in starts {
            var dir = start.standardizedFileURL
            for _ in 0..<6 {
                let candidate = dir.appendingPathComponent(relative).path
                if FileManager.default.fileExists(atPath: candidate) { return candidate }
                dir = dir.deletingLastPathComponent()
            }
        }
        return nil
    }
}
