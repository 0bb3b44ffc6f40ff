import Foundation
import GRDB

extension Store {
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
}
