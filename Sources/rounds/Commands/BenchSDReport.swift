import ArgumentParser
import Foundation
import RoundsBench

extension StableDiffusionBenchmark.Workload: ExpressibleByArgument {}

/// What `rounds bench sd` prints: per workload, Rounds' and the peer's best seconds, their ratio and
/// each side's peak memory.
struct SDBenchReport: Encodable {
    struct Row: Encodable {
        var workload: StableDiffusionBenchmark.Workload
        var roundsSeconds: Double
        var roundsPeakMB: Double?
        var peerSeconds: Double?
        var peerMode: String?
        var peerPeakMB: Double?
        /// The peer's seconds over Rounds': above 1, Rounds is faster.
        var speedRatio: Double?

        init(workload: StableDiffusionBenchmark.Workload, roundsSeconds: Double) {
            self.workload = workload
            self.roundsSeconds = roundsSeconds
        }
    }

    /// The peer script's document (`sd_pipeline.py`).
    struct Peer: Decodable {
        struct Workload: Decodable {
            var seconds: Double
            var mode: String
        }
        var torch: String?
        var diffusers: String?
        var skipped: String?
        var workloads: [String: Workload] = [:]
        var peakMB: Double?

        static func decode(_ data: Data) throws -> Peer {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            return try decoder.decode(Peer.self, from: data)
        }

        enum CodingKeys: String, CodingKey { case torch, diffusers, skipped, workloads, peakMb }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            torch = try c.decodeIfPresent(String.self, forKey: .torch)
            diffusers = try c.decodeIfPresent(String.self, forKey: .diffusers)
            skipped = try c.decodeIfPresent(String.self, forKey: .skipped)
            workloads = try c.decodeIfPresent([String: Workload].self, forKey: .workloads) ?? [:]
            peakMB = try c.decodeIfPresent(Double.self, forKey: .peakMb)
        }
    }

    var pipeline: String
    var resolution: Int
    /// Latents per training step (the train workload).
    var batch = 1
    var threads: Int
    var loadAverage: Double?
    var rows: [Row] = []
    var peerVersions: String?
    var peerNote: String?

    /// Takes the peer's seconds (untrusted: only positive finite numbers count) and the ratios.
    mutating func apply(_ peer: Peer?) {
        guard let peer else { peerNote = peerNote ?? "the peer gave no result"; return }
        if let skipped = peer.skipped { peerNote = "peer skipped: \(skipped)"; return }
        peerVersions = "torch \(peer.torch ?? "?"), diffusers \(peer.diffusers ?? "?")"
        for i in rows.indices {
            guard let w = peer.workloads[rows[i].workload.rawValue], w.seconds > 0, w.seconds.isFinite else { continue }
            rows[i].peerSeconds = w.seconds
            rows[i].peerMode = w.mode
            rows[i].speedRatio = w.seconds / rows[i].roundsSeconds
        }
    }

    enum CodingKeys: String, CodingKey {
        case pipeline, resolution, batch, threads, loadAverage, rows = "workloads", peerVersions = "peer", peerNote
    }

    var text: String {
        func f(_ v: Double?, _ format: String) -> String { v.map { String(format: format, $0) } ?? "-" }
        var lines = [
            "Stable Diffusion, \(resolution)x\(resolution)\(rows.contains { $0.workload == .train } ? ", training batch \(batch)" : ""), \(threads) thread(s), pipeline \(pipeline)"
                + (loadAverage.map { String(format: " (load average %.2f)", $0) } ?? ""),
            "workload  rounds s  peer s (mode)     speed ratio  rounds MB  peer MB",
        ]
        for r in rows {
            lines.append(
                r.workload.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
                    + f(r.roundsSeconds, "%8.3f") + "  "
                    + (f(r.peerSeconds, "%7.3f") + " (\(r.peerMode ?? "-"))").padding(toLength: 17, withPad: " ", startingAt: 0)
                    + f(r.speedRatio, "%10.2fx") + "  " + f(r.roundsPeakMB, "%9.0f") + "  " + f(r.peerPeakMB, "%7.0f"))
        }
        lines.append("peer: " + (peerVersions.map { "diffusers on PyTorch CPU (\($0)), its faster of fp32 and bf16 autocast per workload" } ?? peerNote ?? "none"))
        return lines.joined(separator: "\n")
    }
}
