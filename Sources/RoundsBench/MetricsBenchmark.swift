import Foundation
import RoundsAlignment

/// `rounds bench metrics`: PRDC and nearest-neighbour search on synthetic features, timed against the
/// `prdc` Python package (`Benchmarks/peers/metrics_prdc.py`) on the same inputs in the same run.
package struct MetricsBenchmark: Sendable {
    package var realCount = 10_000
    package var fakeCount = 10_000
    package var dimensions = 512
    package var k = 5
    package var seed: UInt64 = 42
    /// The peer script; nil or missing means the peer is skipped with a note.
    package var peerScript: String?
    package var python = "python3"

    package init() {}

    /// One measured row of the benchmark.
    package struct Measurement: Sendable, Codable, Equatable {
        package var name: String
        package var seconds: Double
        package var peerSeconds: Double?
        /// peer time / our time; > 1 means we are faster.
        package var speedup: Double? { peerSeconds.map { $0 / seconds } }
        enum CodingKeys: String, CodingKey { case name, seconds, peerSeconds = "peer_seconds" }
    }

    package struct Outcome: Sendable {
        package var measurements: [Measurement]
        package var prdc: PRDCResult
        package var peerPRDC: PRDCResult?
        /// Why the peer did not run, when it did not.
        package var peerNote: String?
        /// Mean distance from each fake row to its nearest real row (keeps the search's result in use).
        package var meanNearestDistance: Double
        package var peerMeanNearestDistance: Double?
        /// Largest |ours − peer| over the four metrics.
        package var maxDifference: Double? {
            guard let p = peerPRDC else { return nil }
            return [abs(p.precision - prdc.precision), abs(p.recall - prdc.recall),
                    abs(p.density - prdc.density), abs(p.coverage - prdc.coverage)].max()
        }
    }

    /// Generates real ~ N(0, 1) and fake ~ N(0.1, 1) features, runs both implementations, reports times.
    package func run(progress: (String) -> Void = { _ in }) throws -> Outcome {
        var rng = SplitMix64(seed: seed)
        let real = try FeatureMatrix(rows: realCount, columns: dimensions, values: rng.normals(realCount * dimensions), name: "real")
        let fake = try FeatureMatrix(
            rows: fakeCount, columns: dimensions, values: rng.normals(fakeCount * dimensions, mean: 0.1), name: "fake")
        progress("PRDC \(realCount) vs \(fakeCount), \(dimensions)-d, k=\(k)")
        var clock = ContinuousClock.now
        let prdc = try PRDC.compute(real: real, fake: fake, k: k)
        let prdcSeconds = seconds(since: clock)
        progress("nearest neighbours \(fakeCount) → \(realCount)")
        clock = .now
        let nn = try NearestNeighbours.search(fake, in: real)
        let nnSeconds = seconds(since: clock)

        var measurements = [Measurement(name: "prdc", seconds: prdcSeconds), Measurement(name: "nearest_neighbour", seconds: nnSeconds)]
        var peerPRDC: PRDCResult?
        var note: String?
        var peerMean: Double?
        do {
            if let peer = try runPeer(real: real, fake: fake, progress: progress) {
                peerPRDC = peer.result
                measurements[0].peerSeconds = peer.prdcSeconds
                measurements[1].peerSeconds = peer.nnSeconds
                peerMean = peer.meanNearest
            }
        } catch let error as PeerUnavailable {
            note = error.reason
        }
        let meanNearest = nn.distances.reduce(0, +) / Double(max(1, nn.distances.count))
        return Outcome(measurements: measurements, prdc: prdc, peerPRDC: peerPRDC, peerNote: note, meanNearestDistance: meanNearest,
            peerMeanNearestDistance: peerMean)
    }

    struct PeerUnavailable: Error { var reason: String }

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// Writes the features as float64 .npy files and runs the peer, which prints one JSON line.
    private func runPeer(real: FeatureMatrix, fake: FeatureMatrix, progress: (String) -> Void) throws
        -> (result: PRDCResult, prdcSeconds: Double, nnSeconds: Double, meanNearest: Double?)?
    {
        guard let script = peerScript, FileManager.default.fileExists(atPath: script) else {
            throw PeerUnavailable(reason: "peer script not found (\(peerScript ?? "none given")); peer skipped")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rounds-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let realPath = dir.appendingPathComponent("real.npy")
        let fakePath = dir.appendingPathComponent("fake.npy")
        try NPYWriter.data(real).write(to: realPath)
        try NPYWriter.data(fake).write(to: fakePath)
        progress("peer: \(python) \(script)")
        let output = try PeerProcess.run(python, [script, realPath.path, fakePath.path, "--k", String(k)])
        guard output.status == 0 else {
            let tail = output.stderr.split(separator: "\n").suffix(3).joined(separator: " | ")
            throw PeerUnavailable(reason: "peer exited with status \(output.status) (\(tail)); peer skipped")
        }
        guard let line = output.stdout.split(separator: "\n").last, let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let p = json["precision"] as? Double, let r = json["recall"] as? Double, let d = json["density"] as? Double,
            let c = json["coverage"] as? Double, let ps = json["prdc_seconds"] as? Double, let ns = json["nn_seconds"] as? Double
        else {
            throw PeerUnavailable(reason: "peer printed no result line: \(output.stdout.suffix(200))")
        }
        let result = PRDCResult(precision: p, recall: r, density: d, coverage: c, k: k, realCount: real.rows, fakeCount: fake.rows)
        return (result, ps, ns, json["mean_nearest_distance"] as? Double)
    }
}

/// Runs a helper process and captures its output (the benchmark's Python peer).
enum PeerProcess {
    struct Output { var stdout: String; var stderr: String; var status: Int32 }

    static func run(_ program: String, _ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do {
            try process.run()
        } catch {
            throw MetricsBenchmark.PeerUnavailable(reason: "cannot start \(program): \(error); peer skipped")
        }
        let errData = LockedData()
        let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData.wait(), as: UTF8.self), status: process.terminationStatus)
    }
}

/// Data handed from a reader thread, with a semaphore to wait for it.
final class LockedData: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)
    func set(_ d: Data) { data = d; done.signal() }
    func wait() -> Data { done.wait(); return data }
}
