import Foundation
import RoundsCore
import RoundsStore

/// `rounds bench store`: verdict inserts and the pending-images query, against Python's `sqlite3` peer
/// (`Benchmarks/peers/store_sqlite3.py`) doing the same work on a copy of the same file in the same run.
///
/// Setup (not timed): a store with `images` images of one condition, one run, and `verdicts / criteria`
/// judgments (one per image, for the first images). Timed: inserting `verdicts` criterion-verdict rows in
/// one transaction; the pending query (median of `repeats`), which then finds `images - judgments` images.
/// Both sides use the same SQL text and the same rows (`verdictRow(_:)`), with foreign keys on.
package struct StoreBenchmark: Sendable {
    package var verdicts = 100_000
    package var images = 100_000
    package var criteria = 5
    package var repeats = 5
    /// The Python interpreter and peer script; `nil` skips the peer with a note.
    package var python: String?
    package var peerScript: String?

    package init() {}

    package struct Peer: Sendable, Codable {
        package var insertSeconds: Double
        package var insertCPUSeconds: Double
        package var pendingCPUMilliseconds: Double
        package var rowsPerSecond: Double
        package var pendingMilliseconds: Double
        package var pendingCount: Int
    }

    /// Wall-clock times are what a user waits; CPU times (process CPU while the step ran) are shown beside
    /// them because on a shared, overloaded machine wall time mostly measures the other processes.
    package struct Result: Sendable, Codable {
        package var verdictRows: Int
        package var insertSeconds: Double
        package var insertCPUSeconds: Double
        package var pendingCPUMilliseconds: Double
        package var rowsPerSecond: Double
        package var images: Int
        package var pendingCount: Int
        package var pendingMilliseconds: Double
        package var python: Peer?
        /// Why the peer did not run, when it did not.
        package var pythonNote: String?
        /// Swift rows/s ÷ Python rows/s (> 1: Swift ahead).
        package var insertSpeedup: Double?
        /// Python ms ÷ Swift ms (> 1: Swift ahead).
        package var pendingSpeedup: Double?
    }

    /// The values of verdict row `i`, as the Python peer makes them.
    static func verdictRow(_ i: Int, firstJudgment: Int64, criteria: Int) -> CriterionVerdictRecord {
        let verdicts: [Verdict] = [.met, .notMet, .uncertain, .met, .indeterminate]
        return CriterionVerdictRecord(
            judgmentID: firstJudgment + Int64(i / criteria), criterionID: "c\(i % criteria)", verdict: verdicts[i % 5],
            evidence: "evidence \(i)", confidence: Double(i % 101) / 100, agreement: nil
        )
    }

    /// Runs the benchmark in a fresh temporary folder (removed afterwards).
    package func run(progress: (String) -> Void = { _ in }) throws -> Result {
        guard verdicts > 0, images > 0, criteria > 0, verdicts / criteria <= images else {
            throw StoreError(
                .invalidInput,
                "benchmark sizes: need verdicts/criteria (\(verdicts / max(criteria, 1))) <= images (\(images))")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "rounds-bench-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("bench.sqlite").path
        let store = try Store(path: path)
        progress("seeding \(images) images and \(verdicts / criteria) judgments")
        let seed = try seedStore(store)
        try store.checkpointWAL()
        let peerPath = folder.appendingPathComponent("peer.sqlite").path
        try FileManager.default.copyItem(atPath: path, toPath: peerPath)

        progress("inserting \(verdicts) verdict rows (Swift, GRDB)")
        let rows = (0..<verdicts).map { Self.verdictRow($0, firstJudgment: seed.firstJudgment, criteria: criteria) }
        let start = DispatchTime.now().uptimeNanoseconds, cpuStart = Self.cpuSeconds()
        try store.addVerdicts(rows)
        let insertSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let insertCPU = Self.cpuSeconds() - cpuStart

        progress("pending query over \(images) images (Swift, GRDB)")
        var times: [Double] = [], cpuTimes: [Double] = []
        var pendingCount = 0
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds, c0 = Self.cpuSeconds()
            pendingCount = try store.pendingImageIDs(
                checklistVersion: seed.checklist, promptVersion: seed.prompt, model: Self.model
            ).count
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            cpuTimes.append((Self.cpuSeconds() - c0) * 1e3)
        }
        var result = Result(
            verdictRows: verdicts, insertSeconds: insertSeconds, insertCPUSeconds: insertCPU,
            pendingCPUMilliseconds: Self.median(cpuTimes),
            rowsPerSecond: Double(verdicts) / insertSeconds, images: images, pendingCount: pendingCount,
            pendingMilliseconds: Self.median(times)
        )
        if let python, let peerScript {
            progress("the same through Python's sqlite3")
            do {
                let peer = try runPeer(python: python, script: peerScript, db: peerPath, seed: seed)
                guard peer.pendingCount == pendingCount else {
                    throw StoreError(
                        .database, "the Python peer found \(peer.pendingCount) pending images, Swift \(pendingCount)")
                }
                result.python = peer
                result.insertSpeedup = result.rowsPerSecond / peer.rowsPerSecond
                result.pendingSpeedup = peer.pendingMilliseconds / result.pendingMilliseconds
            } catch {
                result.pythonNote = "Python peer failed: \(error)"
            }
        } else {
            result.pythonNote =
                python == nil
                ? "python3 not found; Python peer skipped"
                : "Benchmarks/peers/store_sqlite3.py not found; Python peer skipped"
        }
        return result
    }

    static let model = "bench-model"

    private struct Seed { var checklist: String; var prompt: String; var firstJudgment: Int64 }

    private func seedStore(_ store: Store) throws -> Seed {
        let checklist = SHA256.hex("bench checklist"), prompt = SHA256.hex("bench prompt")
        let first = try store.seedBenchmark(
            images: images, judgments: verdicts / criteria, checklist: checklist, prompt: prompt, model: Self.model)
        return Seed(checklist: checklist, prompt: prompt, firstJudgment: first)
    }

    private func runPeer(python: String, script: String, db: String, seed: Seed) throws -> Peer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        let pendingArgs = JSONValue.array([
            .string(seed.checklist), .string(seed.prompt), .string(Self.model), "bench/condition", .null,
        ]).canonicalString
        process.arguments = [
            script, "--db", db, "--rows", "\(verdicts)", "--first-judgment", "\(seed.firstJudgment)", "--criteria",
            "\(criteria)",
            "--insert-sql", Store.insertVerdictSQL, "--pending-sql", Store.pendingSQL, "--pending-args", pendingArgs,
            "--repeats", "\(repeats)",
        ]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw StoreError(
                .io,
                "\(script) exited with \(process.terminationStatus): \(String(decoding: errData, as: UTF8.self).suffix(500))"
            )
        }
        let json = try JSONValue(parsing: outData)
        guard let seconds = json["insert_seconds"]?.doubleValue, let ms = json["pending_ms"]?.doubleValue,
            let count = json["pending_count"]?.doubleValue,
            let cpu = json["insert_cpu_seconds"]?.doubleValue, let pendingCPU = json["pending_cpu_ms"]?.doubleValue
        else {
            throw StoreError(
                .io, "\(script) printed unexpected output: \(String(decoding: outData, as: UTF8.self).prefix(300))")
        }
        return Peer(
            insertSeconds: seconds, insertCPUSeconds: cpu, pendingCPUMilliseconds: pendingCPU,
            rowsPerSecond: Double(verdicts) / seconds, pendingMilliseconds: ms, pendingCount: Int(count))
    }

    /// CPU time used by this process so far.
    static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    private static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        return s.isEmpty ? 0 : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// `python3` on `PATH`, or `nil`.
    package static func findPython() -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return dirs.map { "\($0)/python3" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `Benchmarks/peers/store_sqlite3.py` in the current folder or above, or above the executable.
    package static func findPeerScript() -> String? {
        let relative = "Benchmarks/peers/store_sqlite3.py"
        var starts = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        starts.append(
            URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent())
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
