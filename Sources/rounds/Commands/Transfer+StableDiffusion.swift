import ArgumentParser
import Foundation
import RoundsCore
import RoundsDiffusion
import RoundsImaging
import RoundsPipeline
import RoundsStore
import RoundsTensor

extension Transfer {
    /// `rounds transfer` on a Stable Diffusion pipeline folder: diffusers' img2img (MAGIC's I2I) with the
    /// target condition's prompt; sources are resized to the pipeline's size (or `--resolution`).
    func transferStableDiffusion() throws {
        let command = "rounds transfer"
        let (text, conditionName) = try StableDiffusionCLI.prompt(condition: to, prompt: prompt, checklists: checklistsPath,
                                                                  command: command)
        let p = try StableDiffusionCLI.load(model, scheduler: .ddim, command: command)
        let size = resolution ?? p.defaultResolution
        let options = StableDiffusionOptions(scheduler: .ddim, steps: steps, eta: eta, guidance: guidance, height: size, width: size)
        _ = try p.latentShape(n: 1, options)
        let sources = try Self.loadSources(from)
        let store = try database.open()
        let parents = try TransferSources.storedIDs(sources, origin: origin, store: store)
        Console.error("\(command): hashing the pipeline's files")
        let hash = try p.contentHash()
        var checkpointID = try StableDiffusionCLI.checkpointID(p, hash: hash, store: store)
        var loraParameters: [String: JSONValue] = [:]
        if let lora {
            (checkpointID, loraParameters) = try StableDiffusionCLI.attachLoRA(lora, to: p, pipelineHash: hash, pipelineID: checkpointID,
                                                                               store: store, command: command)
        }
        try DiffusionOutputs.makeDirectory(out)
        let seed = DiffusionOutputs.seed(self.seed)
        let paths = try DiffusionOutputs.outputPaths(out: out, condition: conditionName ?? "prompt", seed: seed, count: sources.count)
        let input = Tensor(shape: [sources.count, 3, size, size],
                           scalars: sources.flatMap { ModelImages.input($0.image, channels: 3, size: size) })
        let progress = ProgressLine("transfer to \(conditionName ?? "prompt")", total: max(1, Int(Double(steps) * strength)))
        var done = 0
        var noise = GaussianNoise(seed: seed)
        let images = try p.transfer(images: input, prompt: text, negativePrompt: negativePrompt, strength: strength,
                                    options: options, noise: &noise) { _, _ in
            done += 1
            progress.update(done)
        }
        var params = StableDiffusionCLI.parameters(options, prompt: text, negative: negativePrompt, hash: hash, strength: strength)
        params.merge(loraParameters) { $1 }
        let generator = URL(fileURLWithPath: model).standardizedFileURL.lastPathComponent
        var records: [ImageRecord] = []
        for (i, (image, path)) in zip(try StableDiffusionCLI.images(images), paths).enumerated() {
            records.append(try SampleWriter.record(image, path: path, condition: conditionName, generator: generator,
                                                   checkpointID: checkpointID, seed: seed, sampler: .object(params), parent: parents[i]))
        }
        try store.addImages(records)
        let listed: [JSONValue] = zip(records, sources).map { r, src in
            .object(["path": .string(r.path), "image_id": .string(r.id), "parent_image_id": .string(r.parentImageID ?? ""),
                     "source": .string(src.path)])
        }
        StableDiffusionCLI.report(
            json: json, model: model, condition: conditionName, checkpointID: checkpointID, seed: seed, sampler: params,
            records: records, images: listed,
            summary: "\(command): \(records.count) image(s) toward \(conditionName ?? "\"\(text)\""), seed \(seed), checkpoint \(checkpointID)")
    }

    /// A source image, or a folder's PNG and JPEG files in name order, at any size.
    static func loadSources(_ path: String) throws -> [LoadedImage] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw DiffusionError(.io, "\(path): no such file or folder")
        }
        guard isDir.boolValue else { return [try ImageFile.load(path: path)] }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw DiffusionError(.io, "\(path): cannot list the folder", cause: error)
        }
        let files = names.filter { !$0.hasPrefix(".") && TransferSources.extensions.contains(($0 as NSString).pathExtension.lowercased()) }
            .sorted().map { URL(fileURLWithPath: path).appendingPathComponent($0).path }
        guard !files.isEmpty else { throw DiffusionError(.io, "\(path): no PNG or JPEG files in the folder") }
        return try files.map { try ImageFile.load(path: $0) }
    }
}
