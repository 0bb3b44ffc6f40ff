import Foundation
import RoundsCore
import RoundsDiffusion
import RoundsImaging
import RoundsStore
import RoundsTensor

/// Stable Diffusion outputs as stored images: the recipe recorded with each, and the pixels as RGB.
public enum StableDiffusionImages {
    /// The sampler parameters stored with every image: everything needed to make it again.
    public static func parameters(_ o: StableDiffusionOptions, prompt: String, negative: String?, hash: String,
                                  strength: Double? = nil) -> [String: JSONValue] {
        var p: [String: JSONValue] = [
            "scheduler": .string(o.scheduler.rawValue), "steps": .number(Double(o.steps)), "eta": .number(o.eta),
            "guidance": .number(o.guidance), "prompt": .string(prompt), "negative_prompt": negative.map(JSONValue.string) ?? .null,
            "width": .number(Double(o.width)), "height": .number(Double(o.height)), "pipeline_sha256": .string(hash),
        ]
        if let strength { p["strength"] = .number(strength) }
        return p
    }

    /// `[n, 3, H, W]` images in 0...1 as RGB images.
    public static func rgb(_ t: Tensor) throws -> [RGBImage] {
        let n = t.shape[0], h = t.shape[2], w = t.shape[3]
        let per = 3 * h * w
        var out: [RGBImage] = []
        for i in 0..<n {
            let chw: [Float] = t.scalars[(i * per)..<((i + 1) * per)].map { v in v * 2 - 1 }
            out.append(try RGBImage(chw: chw, width: w, height: h))
        }
        return out
    }

    /// The pipeline's checkpoint row, found by its content hash or recorded now (as imported).
    public static func pipelineCheckpoint(_ p: StableDiffusionPipeline, hash: String, store: Store) throws -> Int64 {
        let record = CheckpointRecord(
            path: URL(fileURLWithPath: p.directory).standardizedFileURL.path, sha256: hash, objective: .imported,
            hyperParameters: JSONValue.object(["pipeline": .string(p.index.pipelineClass)]).canonicalString)
        guard let id = try store.findOrAddCheckpoint(record).id else {
            throw DiffusionError(.io, "\(store.path): the checkpoint row got no id")
        }
        return id
    }

    /// An adapter's checkpoint row (by the SHA-256 of its weights file), a child of the pipeline's.
    public static func adapterCheckpoint(_ folder: String, manifest: LoRAAdapterManifest?, parentID: Int64, store: Store) throws -> Int64 {
        let file = adapterFile(folder)
        guard let bytes = FileManager.default.contents(atPath: file) else { throw DiffusionError(.io, "\(file): cannot read the adapter") }
        let objective = manifest.flatMap { CheckpointRecord.Objective(rawValue: $0.objective) } ?? .imported
        var hyper = manifest?.hyperparameters ?? [:]
        hyper["lora"] = true
        let record = CheckpointRecord(
            path: URL(fileURLWithPath: folder).standardizedFileURL.path, sha256: SHA256.hex([UInt8](bytes)), parentID: parentID,
            objective: objective, signalPath: manifest?.signal, hyperParameters: JSONValue.object(hyper).canonicalString,
            metrics: JSONValue.object(manifest?.metrics ?? [:]).canonicalString)
        guard let id = try store.findOrAddCheckpoint(record).id else {
            throw DiffusionError(.io, "\(store.path): the checkpoint row for \(folder) got no id")
        }
        return id
    }

    /// The weights file of an adapter given as a folder or a file.
    public static func adapterFile(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        return isDirectory.boolValue ? path + "/" + LoRASet.fileName : path
    }
}
