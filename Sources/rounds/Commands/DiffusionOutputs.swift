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

    /// The store's condition for a model condition name (`domain/condition`); nil for bare class indices.
    static func conditionID(_ name: String) -> ConditionID? {
        try? ConditionID(parsing: name)
    }

    /// The part of a condition used in file names (`vitiligo` for `dermatology/vitiligo`).
    static func fileStem(_ condition: String) -> String {
        String(condition.split(separator: "/").last ?? Substring(condition))
    }

    /// Images of `[n, channels, size, size]` values in [-1, 1]; one channel is repeated to grey RGB.
    static func images(from values: [Float], n: Int, channels: Int, size: Int) throws -> [RGBImage] {
        let plane = size * size
        let per = channels * plane
        return try (0..<n).map { i in
            let one = Array(values[(i * per)..<((i + 1) * per)])
            let chw = channels == 3 ? one : one + one + one
            return try RGBImage(chw: chw, width: size, height: size)
        }
    }

    /// The model's input for `image` (`[channels, S, S]` in [-1, 1]); one channel takes the mean of R, G, B.
    static func modelInput(_ image: RGBImage, channels: Int) -> [Float] {
        let chw = image.chwFloats()
        guard channels == 1 else { return chw }
        let plane = image.width * image.height
        return (0..<plane).map { (chw[$0] + chw[plane + $0] + chw[2 * plane + $0]) / 3 }
    }

    /// Writes `image` as PNG to `path` and returns its store row (synthetic, owned by Rounds).
    static func writeOutput(
        _ image: RGBImage, path: String, condition: String?, generator: String, checkpointID: Int64,
        seed: UInt64, sampler: JSONValue, parent: String? = nil
    ) throws -> ImageRecord {
        let bytes = try ImageFile.encode(image, format: .png)
        do { try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw DiffusionError(.io, "\(path): cannot write", cause: error)
        }
        return ImageRecord(
            id: image.imageID, fileSHA256: SHA256.hex(bytes), path: ImageIdentity.absolutePath(path),
            format: .png, width: image.width, height: image.height, byteCount: bytes.count,
            condition: condition.flatMap(conditionID), origin: .synthetic, generator: generator,
            checkpointID: checkpointID, seed: Int64(truncatingIfNeeded: seed),
            samplerParameters: sampler.canonicalString,
            parentImageID: parent, ownsFile: true)
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
