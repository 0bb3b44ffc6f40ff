import Foundation
import RoundsAlignment

/// Text and JSON renderings of a `MetricsBenchmark.Outcome`.
package enum MetricsBenchmarkReport {
    package static func text(_ o: MetricsBenchmark.Outcome, bench: MetricsBenchmark) -> String {
        var lines = ["metrics: \(bench.realCount) real vs \(bench.fakeCount) fake, \(bench.dimensions)-d, k=\(bench.k)"]
        for m in o.measurements {
            var line = "\(m.name.padding(toLength: 18, withPad: " ", startingAt: 0)) rounds \(format(m.seconds)) s"
            if let p = m.peerSeconds, let s = m.speedup { line += "   prdc-peer \(format(p)) s   ratio \(format(s))x" }
            lines.append(line)
        }
        let r = o.prdc
        var mean = "mean nearest-neighbour distance: rounds \(String(format: "%.6f", o.meanNearestDistance))"
        if let p = o.peerMeanNearestDistance { mean += ", peer \(String(format: "%.6f", p))" }
        lines.append(mean)
        lines.append("rounds P \(format4(r.precision)) R \(format4(r.recall)) D \(format4(r.density)) C \(format4(r.coverage))")
        if let p = o.peerPRDC {
            lines.append("peer   P \(format4(p.precision)) R \(format4(p.recall)) D \(format4(p.density)) C \(format4(p.coverage))")
            lines.append("max |difference| \(o.maxDifference.map { String(format: "%.2e", $0) } ?? "-")")
        }
        if let note = o.peerNote { lines.append("note: \(note)") }
        return lines.joined(separator: "\n")
    }

    package static func json(_ o: MetricsBenchmark.Outcome, bench: MetricsBenchmark) -> String {
        var doc: [String: Any] = [
            "benchmark": "metrics", "n_real": bench.realCount, "n_fake": bench.fakeCount,
            "dimensions": bench.dimensions, "k": bench.k,
            "prdc": prdcObject(o.prdc), "mean_nearest_distance": o.meanNearestDistance,
            "measurements": o.measurements.map { m -> [String: Any] in
                var d: [String: Any] = ["name": m.name, "seconds": m.seconds]
                if let p = m.peerSeconds { d["peer_seconds"] = p }
                if let s = m.speedup { d["speedup"] = s }
                return d
            },
        ]
        if let p = o.peerPRDC { doc["peer_prdc"] = prdcObject(p) }
        if let m = o.peerMeanNearestDistance { doc["peer_mean_nearest_distance"] = m }
        if let d = o.maxDifference { doc["max_difference"] = d }
        if let note = o.peerNote { doc["peer_note"] = note }
        let data = (try? JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private static func prdcObject(_ r: PRDCResult) -> [String: Any] {
        ["precision": r.precision, "recall": r.recall, "density": r.density, "coverage": r.coverage]
    }

    private static func format(_ x: Double) -> String { String(format: "%.3f", x) }
    private static func format4(_ x: Double) -> String { String(format: "%.4f", x) }
}
