import ArgumentParser
import Foundation
import RoundsChecklists
import RoundsCore
import RoundsDiffusion
import RoundsImaging
import RoundsPipeline
import RoundsStore
import RoundsTensor

/// What `rounds sample` and `rounds transfer` do with a diffusers Stable Diffusion pipeline folder
/// (`model_index.json`): the prompt of a condition, loading with progress, the checkpoint row, images out.
enum StableDiffusionCLI {
    /// The prompt and the stored condition: `--prompt` as given (no condition), or the condition's
    /// checklist prompt (`a photo of <name>` without one).
    static func prompt(condition: String?, prompt: String?, checklists: String?, command: String) throws -> (text: String, condition: String?) {
        switch (condition, prompt) {
        case (nil, let p?): return (p, nil)
        case (let c?, nil):
            let catalog = try ChecklistCatalog.load(from: try ResourceSearchPath.checklists(option: checklists))
            let checklist = try catalog.resolve(c)
            return (checklist.generationPrompt, checklist.condition.description)
        case (nil, nil): throw ValidationError("\(command): give the condition or --prompt TEXT")
        case (_?, _?): throw ValidationError("\(command): give the condition or --prompt, not both")
        }
    }

    /// Loads the pipeline, one stderr line per component, and the scheduler notice when it applies
    /// (`scheduler` nil: training, which uses the noise schedule only).
    static func load(_ path: String, scheduler: StableDiffusionOptions.Scheduler?, command: String) throws -> StableDiffusionPipeline {
        Console.error("\(command): loading the Stable Diffusion pipeline \(path)")
        let p = try StableDiffusionPipeline(directory: path) { Console.error("  \($0)") }
        if let notice = p.schedulerNotice, let scheduler, scheduler != .dpmsolver { Console.error("\(command): notice: \(notice)") }
        if !p.index.ignored.isEmpty { Console.error("\(command): not used: \(p.index.ignored.joined(separator: ", "))") }
        return p
    }

    /// The pipeline's checkpoint row, found by its content hash or recorded now (as imported).
    static func checkpointID(_ p: StableDiffusionPipeline, hash: String, store: Store) throws -> Int64 {
        let record = CheckpointRecord(
            path: URL(fileURLWithPath: p.directory).standardizedFileURL.path, sha256: hash, objective: .imported,
            hyperParameters: JSONValue.object(["pipeline": .string(p.index.pipelineClass)]).canonicalString)
        guard let id = try store.findOrAddCheckpoint(record).id else {
            throw DiffusionError(.io, "\(store.path): the checkpoint row got no id")
        }
        return id
    }

    /// The sampler parameters stored with every image: everything needed to make it again.
    static func parameters(_ o: StableDiffusionOptions, prompt: String, negative: String?, hash: String,
                           strength: Double? = nil) -> [String: JSONValue] {
        var p: [String: JSONValue] = [
            "scheduler": .string(o.scheduler.rawValue), "steps": .number(Double(o.steps)), "eta": .number(o.eta),
            "guidance": .number(o.guidance), "prompt": .string(prompt), "negative_prompt": negative.map(JSONValue.string) ?? .null,
            "width": .number(Double(o.width)), "height": .number(Double(o.height)), "pipeline_sha256": .string(hash),
        ]
        if let strength { p["strength"] = .number(strength) }
        return p
    }

    /// Prints what a run wrote: with `--json` one object (the model, condition, checkpoint, seed, sampler
    /// and `images`), else one path per line on stdout and `summary` on stderr.
    static func report(json: Bool, model: String, condition: String?, checkpointID: Int64, seed: UInt64,
                       sampler: [String: JSONValue], records: [ImageRecord], images: [JSONValue], summary: String) {
        guard json else {
            for r in records { print(r.path) }
            Console.error(summary)
            return
        }
        print(JSONValue.object([
            "model": .string(URL(fileURLWithPath: model).standardizedFileURL.path),
            "condition": condition.map(JSONValue.string) ?? .null, "checkpoint_id": .number(Double(checkpointID)),
            "seed": .number(Double(seed)), "sampler": .object(sampler), "images": .array(images),
        ]).canonicalString)
    }

    /// `[n, 3, H, W]` images in 0...1 as RGB images.
    static func images(_ t: Tensor) throws -> [RGBImage] {
        let n = t.shape[0], h = t.shape[2], w = t.shape[3]
        let per = 3 * h * w
        var out: [RGBImage] = []
        for i in 0..<n {
            let chw: [Float] = t.scalars[(i * per)..<((i + 1) * per)].map { v in v * 2 - 1 }
            out.append(try RGBImage(chw: chw, width: w, height: h))
        }
        return out
    }
}

extension StableDiffusionCLI {
    /// The adapter folder's checkpoint row (by the SHA-256 of its weights file), a child of the pipeline's.
    static func adapterCheckpointID(_ folder: String, manifest: LoRAAdapterManifest?, parentID: Int64, store: Store) throws -> Int64 {
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
    static func adapterFile(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        return isDirectory.boolValue ? path + "/" + LoRASet.fileName : path
    }

    /// Attaches `--lora` to the pipeline: the adapter's checkpoint row (child of the pipeline's) and the
    /// sampler parameters naming it. A different base than the adapter's manifest records is a notice:
    /// adapters are commonly used on fine-tunes of their base.
    static func attachLoRA(_ path: String, to p: StableDiffusionPipeline, pipelineHash: String, pipelineID: Int64,
                           store: Store, command: String) throws -> (checkpointID: Int64, parameters: [String: JSONValue]) {
        let manifest = try LoRAAdapterManifest.read(adapter: path)
        if let manifest, manifest.basePipelineSHA256 != pipelineHash {
            Console.error("\(command): notice: \(path) was trained on \(manifest.basePipeline) (sha256 \(manifest.basePipelineSHA256.prefix(12))…), not on this pipeline")
        }
        let set = try LoRASet.load(path, into: p)
        Console.error("\(command): LoRA \(path): \(set.entries.count) adapted layers")
        let id = try adapterCheckpointID(path, manifest: manifest, parentID: pipelineID, store: store)
        let sha = SHA256.hex([UInt8](FileManager.default.contents(atPath: adapterFile(path)) ?? Data()))
        return (id, ["lora": .string(URL(fileURLWithPath: path).standardizedFileURL.path), "lora_sha256": .string(sha)])
    }
}
