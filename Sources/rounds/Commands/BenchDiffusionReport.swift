import Foundation
import RoundsDiffusion

/// What `rounds bench diffusion` prints: Rounds beside the peer, with ratios (> 1: Rounds is faster,
/// or for memory: Rounds uses less).
struct DiffusionBenchReport: Encodable {
    struct TrainingRow: Encodable {
        var imageSize: Int, batch: Int
        var roundsImagesPerSecond: Double, roundsSecondsPerStep: Double
        var peerImagesPerSecond: Double?, ratio: Double?
    }

    struct SamplingRow: Encodable {
        var imageSize: Int, batch: Int, guidance: Double
        var roundsImagesPerSecond: Double, roundsSecondsPerStep: Double
        var peerImagesPerSecond: Double?, ratio: Double?
    }

    struct MemoryRow: Encodable {
        var kind: String, imageSize: Int, batch: Int
        var roundsBytes: Int
        var peerBytes: Int?
        var peerNote: String?
    }

    var threads: Int
    /// OpenBLAS's active kernel family (`--blas-kernel`, `OPENBLAS_CORETYPE` or its own choice).
    var blasCore: String
    /// One-minute load average before and after: the machine may be shared, so ratios (both sides
    /// measured in the same conditions) are what compare.
    var loadAverage: Double?
    var loadAverageAfter: Double?
    var timedSteps: Int, scheduleSteps: Int
    var peer: String?
    var peerNote: String?
    var training: [TrainingRow] = []
    var sampling: [SamplingRow] = []
    var memory: [MemoryRow] = []
    /// Issue 8's budget for training and sampling at 64x64, batch 16.
    var memoryTargetBytes = 2_000_000_000

    init(threads: Int, blasCore: String, loadAverage: Double?, timedSteps: Int, scheduleSteps: Int) {
        self.threads = threads; self.blasCore = blasCore; self.loadAverage = loadAverage
        self.timedSteps = timedSteps; self.scheduleSteps = scheduleSteps
    }

    mutating func fill(training t: [DiffusionBenchmark.Training], sampling s: [DiffusionBenchmark.Sampling],
                       peer doc: DiffusionPeer.Document?) {
        if let doc { peer = "torch \(doc.torch), diffusers \(doc.diffusers)" }
        training = t.map { r in
            let p = doc?.training.first { $0.imageSize == r.imageSize && $0.batch == r.batch }
            return TrainingRow(imageSize: r.imageSize, batch: r.batch, roundsImagesPerSecond: r.imagesPerSecond,
                               roundsSecondsPerStep: r.secondsPerStep, peerImagesPerSecond: p?.imagesPerSecond,
                               ratio: p.map { r.imagesPerSecond / $0.imagesPerSecond })
        }
        sampling = s.map { r in
            let p = doc?.sampling.first { $0.imageSize == r.imageSize && $0.batch == r.batch && $0.guidance == r.guidance }
            return SamplingRow(imageSize: r.imageSize, batch: r.batch, guidance: r.guidance,
                               roundsImagesPerSecond: r.imagesPerSecond, roundsSecondsPerStep: r.secondsPerStep,
                               peerImagesPerSecond: p?.imagesPerSecond, ratio: p.map { r.imagesPerSecond / $0.imagesPerSecond })
        }
    }

    var text: String {
        func f(_ v: Double?, _ digits: Int = 2) -> String { v.map { String(format: "%.\(digits)f", $0) } ?? "-" }
        func gb(_ b: Int?) -> String { b.map { String(format: "%.2f GB", Double($0) / 1e9) } ?? "-" }
        func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: max(n, s.count), withPad: " ", startingAt: 0) }
        func lpad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
        var lines = ["UNet2DModel (64, 128, 128), attention head dim 8, 11 classes; \(threads) threads, OpenBLAS \(blasCore); peer: \(peer ?? "none")"
            + "; load average \(f(loadAverage)) before, \(f(loadAverageAfter)) after"]
        lines.append(pad("training step (fwd+bwd+clip+AdamW+EMA)", 42) + lpad("rounds img/s", 13) + lpad("peer img/s", 12)
            + lpad("rounds/peer", 13))
        for r in training {
            lines.append(pad("  \(r.imageSize)x\(r.imageSize), batch \(r.batch)", 42) + lpad(f(r.roundsImagesPerSecond), 13)
                + lpad(f(r.peerImagesPerSecond), 12) + lpad(f(r.ratio), 13))
        }
        lines.append(pad("DDIM-\(scheduleSteps) sampling (timed \(timedSteps) steps)", 42) + lpad("rounds img/s", 13)
            + lpad("peer img/s", 12) + lpad("rounds/peer", 13))
        for r in sampling {
            lines.append(pad("  \(r.imageSize)x\(r.imageSize), batch \(r.batch), guidance \(f(r.guidance, 1))", 42)
                + lpad(f(r.roundsImagesPerSecond, 3), 13) + lpad(f(r.peerImagesPerSecond, 3), 12) + lpad(f(r.ratio), 13))
        }
        if !memory.isEmpty {
            lines.append(pad("peak RSS (fresh process, ru_maxrss)", 42) + lpad("rounds", 13) + lpad("peer", 12)
                + lpad("target", 13))
            for m in memory {
                let what = m.kind == "train" ? "one training step" : "guided sampling"
                lines.append(pad("  \(what) \(m.imageSize)x\(m.imageSize), batch \(m.batch)", 42) + lpad(gb(m.roundsBytes), 13)
                    + lpad(gb(m.peerBytes), 12) + lpad("≤ " + gb(memoryTargetBytes), 13))
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// The diffusers peer script: throughput in one run, memory in one fresh run per probe.
enum DiffusionPeer {
    struct Document: Decodable {
        var torch: String, diffusers: String
        var training: [DiffusionBenchmark.Training]
        var sampling: [DiffusionBenchmark.Sampling]
    }

    struct Note: Error { var message: String }

    static func throughput(python: String, script: String, bench: DiffusionBenchmark, threads: Int) -> Result<Document, Note> {
        let args = [python, script, "--cases", bench.cases.map(\.argument).joined(separator: ","), "--threads", "\(threads)",
                    "--timed-steps", "\(bench.timedSteps)", "--train-steps", "\(bench.trainSteps)", "--guidance", "\(bench.guidance)"]
        return runJSON(args, script: script).flatMap { data in
            do { return .success(try JSONDecoder().decode(Document.self, from: data)) } catch {
                return .failure(Note(message: "peer skipped: \(script) printed unreadable JSON: \(error)"))
            }
        }
    }

    static func memory(python: String, script: String, spec: String, threads: Int, guidance: Double) -> Result<Int, Note> {
        runJSON([python, script, "--memory-probe", spec, "--threads", "\(threads)", "--guidance", "\(guidance)"], script: script)
            .flatMap { data in
                peakBytes(data).map { .success($0) }
                    ?? .failure(Note(message: "peer memory probe \(spec): no peak_rss_bytes in its output"))
            }
    }

    /// The peak of a probe's JSON: `peak_rss_bytes` from a `rounds` probe (snake_case like every Rounds
    /// JSON document), `peakRSSBytes` from the Python peer script's.
    static func peakBytes(_ data: Data) -> Int? {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return nil }
        return ((object["peak_rss_bytes"] ?? object["peakRSSBytes"]) as? NSNumber)?.intValue
    }

    /// Runs the script through `/usr/bin/env`; a failure to start, a non-zero exit or a
    /// `{"skipped": ...}` answer (torch or diffusers missing) becomes a note.
    static func runJSON(_ args: [String], script: String) -> Result<Data, Note> {
        let out: BenchChildProcess.Output
        do { out = try BenchChildProcess.run("/usr/bin/env", args) } catch {
            return .failure(Note(message: "peer skipped: cannot start \(args[0]): \(error.localizedDescription)"))
        }
        guard out.status == 0 else {
            let reason = out.stderr.split(separator: "\n").last.map(String.init) ?? "exit \(out.status)"
            return .failure(Note(message: "peer skipped: \(script) failed: \(reason)"))
        }
        struct Skipped: Decodable { var skipped: String }
        if let s = try? JSONDecoder().decode(Skipped.self, from: out.stdout) {
            return .failure(Note(message: "peer skipped: \(s.skipped)"))
        }
        return .success(out.stdout)
    }
}
