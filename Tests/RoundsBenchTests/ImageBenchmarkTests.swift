import Foundation
@testable import RoundsBench
import RoundsImaging
import Testing

@Suite struct ImageBenchmarkTests {
    /// The repository's peer script, found from this source file.
    static let peerScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Benchmarks/peers/images_pillow.py").path

    static var pillowAvailable: Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import PIL"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    @Test func roundsSideMeasuresEveryOperation() throws {
        let config = ImageBenchmark.Config(size: 32, secondsPerOperation: 0.001, peerScript: nil)
        let report = try ImageBenchmark.run(config)
        #expect(report.rounds.map(\.operation) == ImageBenchmark.operations)
        #expect(report.rounds.allSatisfy { $0.opsPerSecond > 0 && $0.iterations >= 5 })
        #expect(report.pillow.isEmpty && report.ratios.isEmpty)
        #expect(report.peerNote?.contains("skipped") == true)
    }

    @Test func brokenPeerIsANoteNotAFailure() throws {
        let config = ImageBenchmark.Config(size: 16, secondsPerOperation: 0.001, peerScript: "/nonexistent/peer.py")
        let report = try ImageBenchmark.run(config)
        #expect(report.rounds.count == 5)
        let note = try #require(report.peerNote)
        #expect(note.contains("/nonexistent/peer.py"))
    }

    @Test(.enabled(if: pillowAvailable, "python3 with Pillow is not installed"), .timeLimit(.minutes(1)))
    func pillowPeerReportsTheSameOperations() throws {
        let config = ImageBenchmark.Config(size: 32, secondsPerOperation: 0.001, peerScript: Self.peerScript)
        let report = try ImageBenchmark.run(config)
        #expect(report.peerNote == nil, "\(report.peerNote ?? "")")
        #expect(report.pillow.map(\.operation) == ImageBenchmark.operations)
        #expect(Set(report.ratios.keys) == Set(ImageBenchmark.operations))
        #expect(report.pillowVersion?.isEmpty == false)
    }

    @Test func syntheticPhotoIsDeterministicAndTextured() {
        let a = SyntheticPhoto.make(width: 64, height: 64, seed: 1)
        #expect(a == SyntheticPhoto.make(width: 64, height: 64, seed: 1))
        #expect(a != SyntheticPhoto.make(width: 64, height: 64, seed: 2))
        #expect(Set(a.pixels).count > 100)
    }
}
