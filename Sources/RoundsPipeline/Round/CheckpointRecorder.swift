import Foundation
import RoundsCore
import RoundsDiffusion
import RoundsStore

/// Model directories as rows of the store's `checkpoint` table, found again by their weights' SHA-256.
public enum CheckpointRecorder {
    /// SHA-256 of a Rounds model directory's weights file.
    public static func weightsSHA256(_ directory: String) throws -> String {
        let file = "\(directory)/unet/\(DiffusionModel.weightsFile)"
        guard let data = FileManager.default.contents(atPath: file) else {
            throw DiffusionError(.io, "\(file): cannot read the weights")
        }
        return SHA256.hex([UInt8](data))
    }

    /// Saves `model` into `directory` and records it with its parent, objective, signal, hyper-parameters
    /// and `metrics`; returns the row's id.
    public static func save(
        _ model: DiffusionModel, to directory: String, parentID: Int64?, metrics: JSONValue = [:], store: Store
    ) throws -> Int64 {
        try model.save(to: URL(fileURLWithPath: directory))
        return try record(model, directory: directory, parentID: parentID, metrics: metrics, store: store)
    }

    /// The row of the model saved at `directory`: a stored row with the same weights (preferring this
    /// path), else a new one.
    public static func record(
        _ model: DiffusionModel, directory: String, parentID: Int64? = nil, metrics: JSONValue = [:], store: Store
    ) throws -> Int64 {
        let sha = try weightsSHA256(directory)
        let path = URL(fileURLWithPath: directory).standardizedFileURL.path
        let lineage = model.manifest.lineage
        let objective = lineage.objective.flatMap(CheckpointRecord.Objective.init(rawValue:)) ?? .imported
        let row = CheckpointRecord(
            path: path, sha256: sha, parentID: parentID, objective: objective, signalPath: lineage.signal,
            hyperParameters: JSONValue.object(lineage.hyperparameters).canonicalString, metrics: metrics.canonicalString)
        guard let id = try store.findOrAddCheckpoint(row).id else {
            throw DiffusionError(.io, "\(store.path): the checkpoint row for \(path) got no id")
        }
        return id
    }
}
