import ArgumentParser
import Foundation
import RoundsCore
import RoundsDiffusion
import RoundsImaging
import RoundsStore

/// What `rounds sample` and `rounds transfer` share: the model's checkpoint row, tensors to and from
/// images, and writing the outputs as owned synthetic images.
enum DiffusionOutputs {
    /// SHA-256 of the model's weights file (Rounds layout or bare diffusers folder).
    static func weightsSHA256(modelDirectory: URL, layout: DiffusionModel.Layout) throws -> String {
        let file =
            layout == .rounds
            ? modelDirectory.appendingPathComponent("unet").appendingPathComponent(DiffusionModel.weightsFile)
            : modelDirectory.appendingPathComponent(DiffusionModel.weightsFile)
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw DiffusionError(.io, "\(file.path): cannot read the weights")
        }
        return SHA256.hex([UInt8](data))
    }

    /// The stored checkpoint with these weights, if any: the newest one recorded at `path`, else the newest.
    static func checkpoint(sha256: String, path: URL, in store: Store) throws -> CheckpointRecord? {
        try store.checkpoint(sha256: sha256, preferringPath: path.standardizedFileURL.path)
    }

    /// The checkpoint row of `model`: found by its weights' SHA-256, else recorded now (path, hash, the
    /// manifest's objective or `imported`, its hyper-parameters).
    static func checkpointID(
        for model: DiffusionModel, directory: URL, store: Store
    ) throws -> Int64 {
        let sha = try weightsSHA256(modelDirectory: directory, layout: model.layout)
        let lineage = model.manifest.lineage
        let objective = lineage.objective.flatMap(CheckpointRecord.Objective.init(rawValue:)) ?? .imported
        let record = CheckpointRecord(
            path: directory.standardizedFileURL.path, sha256: sha, objective: objective, signalPath: lineage.signal,
            hyperParameters: JSONValue.object(lineage.hyperparameters).canonicalString)
        guard let id = try store.findOrAddCheckpoint(record).id else {
            throw DiffusionError(.io, "\(store.path): the checkpoint row got no id")
        }
        return id
    }

    /// The part of a condition used in file names (`vitiligo` for `dermatology/vitiligo`).
    static func fileStem(_ condition: String) -> String {
        String(condition.split(separator: "/").last ?? Substring(condition))
    }

    /// `OUT/<condition>-<seed>-<i>.png` for `i` in `0..<count`; an error, before anything is generated,
    /// when one of them exists already: the store may hold it as another image (an earlier run with
    /// the same seed), whose file must not change under its id.
    static func outputPaths(out: String, condition: String, seed: UInt64, count: Int) throws -> [String] {
        let paths = (0..<count).map {
            URL(fileURLWithPath: out).appendingPathComponent("\(fileStem(condition))-\(seed)-\($0).png").path
        }
        if let taken = paths.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            throw DiffusionError(.io, "\(taken): already exists (an earlier run with seed \(seed)?); nothing was generated, "
                                 + "so choose another --out or --seed, or remove the file and purge its image")
        }
        return paths
    }

    /// An error, before any work, when `bytes` (an estimate of what a command holds in memory at
    /// once) exceed the machine's physical memory: allocating it would end the process with a crash.
    static func checkMemory(_ bytes: Double, for what: String) throws {
        let physical = Double(ProcessInfo.processInfo.physicalMemory)
        guard bytes > physical else { return }
        throw DiffusionError(.invalidArgument, String(format: "%@ needs about %.1f GB of memory at once; this machine has %.1f GB",
                                                      what, bytes / 1e9, physical / 1e9))
    }

    /// Creates the output folder.
    static func makeDirectory(_ path: String) throws {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw DiffusionError(.io, "\(path): cannot create the output folder", cause: error)
        }
    }

    /// The largest seed: 2^53 − 1, so JSON numbers and the store's integers keep it exactly.
    static let maxSeed: UInt64 = (1 << 53) - 1

    /// A seed from the system generator when none is given.
    static func seed(_ given: UInt64?) -> UInt64 {
        given ?? UInt64.random(in: 0...maxSeed)
    }

    /// `--seed` checked against `maxSeed`.
    static func validateSeed(_ seed: UInt64?) throws {
        if let seed, seed > maxSeed {
            throw ValidationError("--seed: expected 0...\(maxSeed), got \(seed)")
        }
    }
}
