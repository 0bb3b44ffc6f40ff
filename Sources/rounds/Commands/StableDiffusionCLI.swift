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

    /// The pipeline's checkpoint row (`StableDiffusionImages.pipelineCheckpoint`).
    static func checkpointID(_ p: StableDiffusionPipeline, hash: String, store: Store) throws -> Int64 {
        try StableDiffusionImages.pipelineCheckpoint(p, hash: hash, store: store)
    }

    /// The sampler parameters stored with every image (`StableDiffusionImages.parameters`).
    static func parameters(_ o: StableDiffusionOptions, prompt: String, negative: String?, hash: String,
                           strength: Double? = nil) -> [String: JSONValue] {
        StableDiffusionImages.parameters(o, prompt: prompt, negative: negative, hash: hash, strength: strength)
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
    static func images(_ t: Tensor) throws -> [RGBImage] { try StableDiffusionImages.rgb(t) }
}

extension StableDiffusionCLI {
    /// The adapter folder's checkpoint row (`StableDiffusionImages.adapterCheckpoint`).
    static func adapterCheckpointID(_ folder: String, manifest: LoRAAdapterManifest?, parentID: Int64, store: Store) throws -> Int64 {
        try StableDiffusionImages.adapterCheckpoint(folder, manifest: manifest, parentID: parentID, store: store)
    }

    static func adapterFile(_ path: String) -> String { StableDiffusionImages.adapterFile(path) }

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
