import Foundation
import GRDB

/// Checkpoints (table `checkpoint`): model weights identified by their file's SHA-256, with lineage.
/// The one checkpoint API: every lookup, insert and lineage query of the table is here.
extension Store {
    /// The stored checkpoint with weights `sha256`: the newest one recorded at `path`, else the newest
    /// recorded anywhere (the same weights copied elsewhere are the same checkpoint); nil when none is.
    public func checkpoint(sha256: String, preferringPath path: String) throws -> CheckpointRecord? {
        try read("looking up the checkpoint with weights \(sha256.prefix(12))…") { db in
            try Self.sameWeights(sha256, preferringPath: path).fetchOne(db)
        }
    }

    /// The checkpoint `record` describes (same weights, preferring the same path), or `record` stored
    /// now when there is none; looked up and inserted in one transaction, so two processes that
    /// record the same weights at once get one row.
    public func findOrAddCheckpoint(_ record: CheckpointRecord) throws -> CheckpointRecord {
        try write("recording the checkpoint \(record.path)") { db in
            if let found = try Self.sameWeights(record.sha256, preferringPath: record.path).fetchOne(db) {
                return found
            }
            var c = record
            try c.insert(db)
            return c
        }
    }

    /// Stores a checkpoint; its `parentID` must already be stored.
    public func addCheckpoint(_ checkpoint: CheckpointRecord) throws -> CheckpointRecord {
        try write("storing checkpoint \(checkpoint.path)") { db in
            var c = checkpoint
            try c.insert(db)
            return c
        }
    }

    /// The newest checkpoint with these weights and objective, preferring one recorded at `path`.
    public func checkpoint(sha256: String, objective: CheckpointRecord.Objective, path: String? = nil) throws
        -> CheckpointRecord?
    {
        try read("looking up the \(objective.rawValue) checkpoint \(sha256.prefix(12))…") { db in
            var request = CheckpointRecord.filter(Column("sha256") == sha256 && Column("objective") == objective.rawValue)
            if let path { request = request.order((Column("path") == path).desc, Column("id").desc) } else {
                request = request.order(Column("id").desc)
            }
            return try request.fetchOne(db)
        }
    }

    /// Records a trained model that is not a diffusion checkpoint (a condition classifier or a reward
    /// model): the stored row with the same weights, objective and path if there is one, else a new row.
    ///
    /// - Parameters:
    ///   - hyperParameters, metrics: JSON objects (their canonical text is stored).
    /// - Returns: the row and whether it was added now.
    public func recordModel(
        path: String, sha256: String, objective: CheckpointRecord.Objective, parentID: Int64? = nil,
        signalPath: String? = nil, hyperParameters: String, metrics: String
    ) throws -> (record: CheckpointRecord, added: Bool) {
        try write("recording the \(objective.rawValue) checkpoint \(path)") { db in
            if let found = try CheckpointRecord.filter(
                Column("sha256") == sha256 && Column("objective") == objective.rawValue && Column("path") == path
            ).order(Column("id").desc).fetchOne(db) {
                return (found, false)
            }
            var record = CheckpointRecord(
                path: path, sha256: sha256, parentID: parentID, objective: objective, signalPath: signalPath,
                hyperParameters: hyperParameters, metrics: metrics)
            try record.insert(db)
            return (record, true)
        }
    }

    /// The checkpoint and its ancestors, newest first (the checkpoint itself, its parent, …, the root).
    /// - Throws: `StoreError.notFound` for an unknown id.
    public func lineage(of checkpointID: Int64) throws -> [CheckpointRecord] {
        try read("reading the lineage of checkpoint \(checkpointID)") { db in
            let chain = try CheckpointRecord.fetchAll(
                db,
                sql: """
                    WITH RECURSIVE chain(id, depth) AS (
                      SELECT id, 0 FROM checkpoint WHERE id = ?
                      UNION ALL
                      SELECT checkpoint.parentID, chain.depth + 1 FROM checkpoint JOIN chain ON checkpoint.id = chain.id
                      WHERE checkpoint.parentID IS NOT NULL AND chain.depth < 10000
                    )
                    SELECT checkpoint.* FROM chain JOIN checkpoint ON checkpoint.id = chain.id ORDER BY chain.depth
                    """, arguments: [checkpointID])
            guard !chain.isEmpty else { throw StoreError(.notFound, "\(path): no checkpoint with id \(checkpointID)") }
            return chain
        }
    }

    /// The chain of checkpoints from `id` back through its parents (`id` first), stopping at a root;
    /// empty for an id that is not stored (`lineage(of:)` throws instead).
    public func checkpointLineage(of id: Int64) throws -> [CheckpointRecord] {
        do { return try lineage(of: id) } catch let e as StoreError where e.code == .notFound { return [] }
    }

    /// Rows with weights `sha256`, those at `path` first, then newest first.
    private static func sameWeights(_ sha256: String, preferringPath path: String) -> QueryInterfaceRequest<CheckpointRecord> {
        CheckpointRecord.filter(CheckpointRecord.Columns.sha256 == sha256)
            .order((CheckpointRecord.Columns.path == path).desc, CheckpointRecord.Columns.id.desc)
    }

    /// Every checkpoint whose objective is one of `objectives`, oldest first.
    package func checkpoints(objectives: Set<CheckpointRecord.Objective>) throws -> [CheckpointRecord] {
        try read("reading \(objectives.map(\.rawValue).sorted().joined(separator: "/")) checkpoints") { db in
            try CheckpointRecord.filter(objectives.map(\.rawValue).contains(Column("objective"))).order(Column("id"))
                .fetchAll(db)
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
