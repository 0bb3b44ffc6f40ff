import Foundation
import GRDB

/// Checkpoints (table `checkpoint`): model weights identified by their file's SHA-256, with lineage.
extension Store {
    /// The stored checkpoint with weights `sha256`: the newest one recorded at `path`, else the newest
    /// recorded anywhere (the same weights copied elsewhere are the same checkpoint); nil when none is.
    public func checkpoint(sha256: String, preferringPath path: String) throws -> CheckpointRecord? {
        try read("looking up the checkpoint with weights \(sha256.prefix(12))…") { db in
            try CheckpointRecord.filter(CheckpointRecord.Columns.sha256 == sha256)
                .order((CheckpointRecord.Columns.path == path).desc, CheckpointRecord.Columns.id.desc).fetchOne(db)
        }
    }

    /// The checkpoint `record` describes (same weights, preferring the same path), or `record` stored
    /// now when there is none; looked up and inserted in one transaction, so two processes that
    /// record the same weights at once get one row.
    public func findOrAddCheckpoint(_ record: CheckpointRecord) throws -> CheckpointRecord {
        try write("recording the checkpoint \(record.path)") { db in
            if let found = try CheckpointRecord.filter(CheckpointRecord.Columns.sha256 == record.sha256)
                .order((CheckpointRecord.Columns.path == record.path).desc, CheckpointRecord.Columns.id.desc).fetchOne(db)
            {
                return found
            }
            var c = record
            try c.insert(db)
            return c
        }
    }

    /// The chain of checkpoints from `id` back through its parents (`id` first), stopping at a root.
    public func checkpointLineage(of id: Int64) throws -> [CheckpointRecord] {
        try read("reading the lineage of checkpoint \(id)") { db in
            var chain: [CheckpointRecord] = []
            var next: Int64? = id
            while let current = next, chain.count < 10_000, let row = try CheckpointRecord.fetchOne(db, key: current) {
                chain.append(row)
                next = row.parentID
            }
            return chain
        }
    }
}

extension CheckpointRecord {
    /// Columns of table `checkpoint`.
    public enum Columns {
        public static let id = Column("id")
        public static let path = Column("path")
        public static let sha256 = Column("sha256")
        public static let parentID = Column("parentID")
    }
}
