import Foundation
import Testing

@testable import RoundsBench
import RoundsStore

@Suite struct StoreBenchmarkTests {
    private func small() -> StoreBenchmark {
        var b = StoreBenchmark()
        b.verdicts = 1_000
        b.images = 500
        b.repeats = 1
        return b
    }

    @Test func runsWithoutThePeerAndSaysWhy() throws {
        let r = try small().run()
        #expect(r.verdictRows == 1_000 && r.images == 500)
        #expect(r.pendingCount == 300, "200 of 500 images have a judgment")
        #expect(r.rowsPerSecond > 0 && r.pendingMilliseconds >= 0)
        #expect(r.python == nil && r.pythonNote?.contains("skipped") == true)
    }

    @Test(
        .enabled(
            if: StoreBenchmark.findPython() != nil && StoreBenchmark.findPeerScript() != nil,
            "needs python3 and the peer script"))
    func thePythonPeerDoesTheSameWork() throws {
        var b = small()
        b.python = StoreBenchmark.findPython()
        b.peerScript = StoreBenchmark.findPeerScript()
        let r = try b.run()
        #expect(r.pythonNote == nil, "\(r.pythonNote ?? "")")
        let peer = try #require(r.python)
        #expect(peer.pendingCount == r.pendingCount)
        #expect(r.insertSpeedup != nil && r.pendingSpeedup != nil)
    }

    @Test func refusesImpossibleSizes() {
        var b = small()
        b.images = 10
        #expect(throws: StoreError.self) { try b.run() }
    }
}
