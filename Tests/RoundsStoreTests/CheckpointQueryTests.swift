import Foundation
import GRDB
import Testing

@testable import RoundsStore

/// `Store.checkpoint(sha256:preferringPath:)`, `findOrAddCheckpoint` and `checkpointLineage`.
@Suite struct CheckpointQueryTests {
    /// A 64-character hex digest made of `pair` (the column holds SHA-256 hex).
    private func sha(_ pair: String) -> String { String(repeating: pair, count: 32) }

    @Test func findsByWeightsPreferringThePath() throws {
        let t = try TempStore()
        defer { t.remove() }
        let a = try t.store.addCheckpoint(CheckpointRecord(path: "/m/a", sha256: sha("aa"), objective: .pretrain))
        let copy = try t.store.addCheckpoint(CheckpointRecord(path: "/m/copy", sha256: sha("aa"), objective: .imported))
        _ = try t.store.addCheckpoint(CheckpointRecord(path: "/m/b", sha256: sha("bb"), objective: .pretrain))
        #expect(try t.store.checkpoint(sha256: sha("aa"), preferringPath: "/m/a")?.id == a.id)
        #expect(try t.store.checkpoint(sha256: sha("aa"), preferringPath: "/elsewhere")?.id == copy.id, "newest otherwise")
        #expect(try t.store.checkpoint(sha256: sha("cc"), preferringPath: "/m/a") == nil)
    }

    @Test func findOrAddRecordsOnce() throws {
        let t = try TempStore()
        defer { t.remove() }
        let first = try t.store.findOrAddCheckpoint(CheckpointRecord(path: "/m/x", sha256: sha("ff"), objective: .imported))
        let again = try t.store.findOrAddCheckpoint(CheckpointRecord(path: "/m/x", sha256: sha("ff"), objective: .imported))
        #expect(first.id != nil && again.id == first.id)
        let count = try t.store.read("count") { db in try CheckpointRecord.fetchCount(db) }
        #expect(count == 1)
    }

    @Test func lineageFollowsParents() throws {
        let t = try TempStore()
        defer { t.remove() }
        let root = try t.store.addCheckpoint(CheckpointRecord(path: "/m/1", sha256: sha("01"), objective: .pretrain))
        let mid = try t.store.addCheckpoint(
            CheckpointRecord(path: "/m/2", sha256: sha("02"), parentID: root.id, objective: .pretrain))
        let leaf = try t.store.addCheckpoint(CheckpointRecord(path: "/m/3", sha256: sha("03"), parentID: mid.id, objective: .rft))
        #expect(try t.store.checkpointLineage(of: leaf.id!).map(\.id) == [leaf.id, mid.id, root.id])
        #expect(try t.store.checkpointLineage(of: 999).isEmpty)
    }
}
