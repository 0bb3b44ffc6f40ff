import Foundation
@testable import RoundsBench
import Testing

/// Paths and checks the benchmark tests share.
enum BenchFixtures {
    /// Python with the `prdc` package, or nil (the parity test then skips with a message).
    static let pythonWithPRDC: Bool = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import prdc, sklearn, numpy"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }()

    static let peerScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Benchmarks/peers/metrics_prdc.py").path
}

@Suite struct MetricsBenchmarkTests {
    func small() -> MetricsBenchmark {
        var b = MetricsBenchmark()
        b.realCount = 300
        b.fakeCount = 200
        b.dimensions = 16
        return b
    }

    @Test func missingPeerIsSkippedWithANote() throws {
        var b = small()
        b.peerScript = "/nonexistent/metrics_prdc.py"
        let outcome = try b.run()
        #expect(outcome.peerPRDC == nil)
        #expect(outcome.peerNote == "peer script not found (/nonexistent/metrics_prdc.py); peer skipped")
        #expect(outcome.measurements.map(\.name) == ["prdc", "nearest_neighbour"])
        #expect(outcome.measurements.allSatisfy { $0.seconds > 0 && $0.peerSeconds == nil })
        let text = MetricsBenchmarkReport.text(outcome, bench: b)
        #expect(text.contains("note: peer script not found"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(MetricsBenchmarkReport.json(outcome, bench: b).utf8)) as? [String: Any])
        #expect(json["n_real"] as? Int == 300 && json["peer_note"] != nil)
    }

    @Test(.enabled(if: BenchFixtures.pythonWithPRDC, "python3 with prdc, scikit-learn and numpy not found; pip install prdc"))
    func peerRunsOnTheSameFeaturesAndAgrees() throws {
        var b = small()
        b.peerScript = BenchFixtures.peerScript
        let outcome = try b.run()
        #expect(outcome.peerNote == nil)
        #expect(try #require(outcome.maxDifference) < 1e-4)
        #expect(abs(try #require(outcome.peerMeanNearestDistance) - outcome.meanNearestDistance) < 1e-9)
        #expect(outcome.measurements.allSatisfy { $0.peerSeconds != nil && $0.speedup != nil })
    }
}
