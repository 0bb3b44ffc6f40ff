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

    /// Loads the pipeline, one stderr line per component, and the scheduler notice when it applies.
    static func load(_ path: String, scheduler: StableDiffusionOptions.Scheduler, command: String) throws -> StableDiffusionPipeline {
        Console.error("\(command): loading the Stable Diffusion pipeline \(path)")
        let p = try StableDiffusionPipeline(directory: path) { Console.error("  \($0)") }
        if let notice = p.schedulerNotice, scheduler != .dpmsolver { Console.error("\(command): notice: \(notice)") }
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
