import ArgumentParser
import Foundation
import RoundsCore
import RoundsDiffusion
import RoundsPipeline
import RoundsStore

extension Sample {
    /// `rounds sample` on a Stable Diffusion pipeline folder: text-to-image with guidance against the
    /// negative prompt, each PNG recorded with the pipeline's content hash and every sampling parameter.
    func sampleStableDiffusion() throws {
        let command = "rounds sample"
        let (text, conditionName) = try StableDiffusionCLI.prompt(condition: condition, prompt: prompt, checklists: checklistsPath,
                                                                  command: command)
        let p = try StableDiffusionCLI.load(model, scheduler: scheduler.stableDiffusion, command: command)
        let size = resolution ?? p.defaultResolution
        let options = StableDiffusionOptions(scheduler: scheduler.stableDiffusion, steps: steps, eta: eta,
                                             guidance: guidance ?? 7.5, height: size, width: size)
        let shape = try p.latentShape(n: count, options)
        let noise0 = try initialNoise.map { try InitialNoise.read(path: $0, shape: [count, shape.c, shape.h, shape.w]) }
        let store = try database.open()
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
        let paths = try DiffusionOutputs.outputPaths(out: out, condition: conditionName ?? "prompt", seed: seed, count: count)
        let progress = ProgressLine("sample \(conditionName ?? "prompt")", total: steps)
        var done = 0
        var noise = PrefixedNoise(prefix: noise0.map { [$0] } ?? [], seed: seed)
        let images = try p.generate(prompt: text, negativePrompt: negativePrompt, n: count, options: options, noise: &noise) { _, _ in
            done += 1
            progress.update(done)
        }
        var params = StableDiffusionCLI.parameters(options, prompt: text, negative: negativePrompt, hash: hash)
        params.merge(loraParameters) { $1 }
        if let initialNoise { params["initial_noise"] = .string(ImageIdentity.absolutePath(initialNoise)) }
        let generator = URL(fileURLWithPath: model).standardizedFileURL.lastPathComponent
        var records: [ImageRecord] = []
        for (image, path) in zip(try StableDiffusionCLI.images(images), paths) {
            records.append(try SampleWriter.record(image, path: path, condition: conditionName, generator: generator,
                                                   checkpointID: checkpointID, seed: seed, sampler: .object(params)))
        }
        try store.addImages(records)
        StableDiffusionCLI.report(
            json: json, model: model, condition: conditionName, checkpointID: checkpointID, seed: seed, sampler: params,
            records: records, images: records.map { .object(["path": .string($0.path), "image_id": .string($0.id)]) },
            summary: "\(command): \(records.count) image(s) of \(conditionName ?? "\"\(text)\""), seed \(seed), checkpoint \(checkpointID)")
    }
}
