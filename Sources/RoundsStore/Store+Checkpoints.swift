import GRDB

extension Store {
    /// Checkpoints whose weights have this SHA-256, newest first.
    public func checkpoints(sha256: String) throws -> [CheckpointRecord] {
        try read("looking up checkpoints with weights \(sha256.prefix(12))…") { db in
            try CheckpointRecord.filter(Column("sha256") == sha256).order(Column("id").desc).fetchAll(db)
        }
    }

    /// The checkpoint with this id, or nil.
    public func checkpoint(id: Int64) throws -> CheckpointRecord? {
        try read("reading checkpoint \(id)") { db in try CheckpointRecord.fetchOne(db, key: id) }
    }
}
