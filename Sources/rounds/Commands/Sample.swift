import ArgumentParser
import Foundation
import RoundsCore
import RoundsDiffusion
import RoundsPipeline
import RoundsStore

/// `rounds sample --model MODEL_DIR --condition C -n N ... --out DIR`: class-conditional generation with
/// DDIM or DDPM and classifier-free guidance; each PNG is recorded as a synthetic image with its
/// checkpoint, seed and sampler parameters.
struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate images of a condition from a diffusion model and record them in the store.",
        discussion: """
            Writes DIR/<condition>-<seed>-<i>.png, and never over an existing file (the store may hold it as \
            another image): a second run with the same seed needs another --out. With --initial-noise the starting noise x_T comes from a \
            safetensors tensor [n, C, S, S] (named initial_noise, or the file's only tensor), so a run can \
            be reproduced exactly or compared with diffusers.
            """
    )

    @Option(help: "Model directory (unet/, scheduler/, rounds.json), a bare diffusers UNet folder, or a diffusers Stable Diffusion pipeline folder (model_index.json).")
    var model: String

    @Option(help: "Condition to generate (domain/condition, a bare condition name, or a class index of a bare folder).")
    var condition: String?

    @Option(help: "Stable Diffusion: the text prompt instead of --condition (images stored with no condition).")
    var prompt: String?

    @Option(help: "Stable Diffusion: the negative prompt (default: none, i.e. the empty prompt).")
    var negativePrompt: String?

    @Option(help: "Stable Diffusion: image size in pixels (default: the pipeline's own, UNet sample_size times the VAE's factor).")
    var resolution: Int?

    @Option(name: .customLong("checklists"), help: "Stable Diffusion: checklists folder whose prompt text --condition uses (default: $ROUNDS_CHECKLISTS, else ./Checklists, else built in).")
    var checklistsPath: String?

    @Option(name: .customShort("n"), help: "Number of images.")
    var count: Int

    @Option(help: "Denoising steps.")
    var steps = 50

    @Option(help: "Sampler: ddim, ddpm or dpmsolver (DPM-Solver++, Stable Diffusion pipelines).")
    var scheduler: SamplerName = .ddim

    @Option(help: "DDIM's eta (0: deterministic); ignored by DDPM.")
    var eta = 0.0

    @Option(help: "Classifier-free guidance scale (1: no guidance; default 3, or 7.5 for Stable Diffusion).")
    var guidance: Double?

    @Option(help: "Random seed (default: a random one, printed and recorded).")
    var seed: UInt64?

    @Option(help: "Safetensors file with the starting noise [n, C, S, S].")
    var initialNoise: String?

    @Option(help: "Stable Diffusion: a LoRA adapter to apply (a folder with pytorch_lora_weights.safetensors, or a .safetensors file; diffusers or kohya-ss format).")
    var lora: String?

    @Option(help: "Output folder (created if needed).")
    var out: String

    @Flag(help: "Print one JSON document on stdout.")
    var json = false

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard count >= 1 else { throw ValidationError("-n: expected at least 1 image, got \(count)") }
        guard steps >= 1 else { throw ValidationError("--steps: expected at least 1, got \(steps)") }
        guard eta >= 0 else { throw ValidationError("--eta: expected a value ≥ 0, got \(eta)") }
        if let guidance, guidance < 0 { throw ValidationError("--guidance: expected a value ≥ 0, got \(guidance)") }
        if let resolution, resolution < 8 { throw ValidationError("--resolution: expected at least 8 pixels, got \(resolution)") }
        guard condition != nil || prompt != nil else { throw ValidationError("give --condition (or --prompt for a Stable Diffusion pipeline)") }
        guard condition == nil || prompt == nil else { throw ValidationError("--condition and --prompt: give one of them") }
        try DiffusionOutputs.validateSeed(seed)
    }

    func run() throws {
        do {
            if PipelineIndex.isPipeline(model) { try sampleStableDiffusion() } else { try sample() }
        } catch let e as ValidationError { throw e } catch { throw failWithError(error) }
    }

    private func sample() throws {
        guard let condition, prompt == nil, negativePrompt == nil, resolution == nil, scheduler != .dpmsolver else {
            throw ValidationError("--prompt, --negative-prompt, --resolution and --scheduler dpmsolver need a Stable Diffusion pipeline folder (model_index.json); \(model) is a pixel model")
        }
        guard lora == nil else {
            throw ValidationError("--lora needs a Stable Diffusion pipeline folder (model_index.json); \(model) is a pixel model")
        }
        let guidance = self.guidance ?? 3.0
        let dir = URL(fileURLWithPath: model)
        let m = try DiffusionModel(directory: dir)
        let classIndex = try m.manifest.classIndex(of: condition)
        let conditionName = m.manifest.conditions[classIndex]
        let s = m.manifest.imageSize
        let c = m.unet.config.inChannels
        // noise, latents, the guided pair of predictions and the output: about 8 copies of the images
        try DiffusionOutputs.checkMemory(8 * 4 * Double(count) * Double(c * s * s), for: "-n \(count) at \(s)x\(s)")
        let noise = try initialNoise.map { try InitialNoise.read(path: $0, shape: [count, c, s, s]) }
        let store = try database.open()
        let checkpointID = try DiffusionOutputs.checkpointID(for: m, directory: dir, store: store)
        try DiffusionOutputs.makeDirectory(out)
        let seed = DiffusionOutputs.seed(self.seed)
        let paths = try DiffusionOutputs.outputPaths(out: out, condition: conditionName, seed: seed, count: count)
        let options = GenerationOptions(
            scheduler: scheduler.kind, steps: steps, eta: eta, guidanceScale: guidance)
        let progress = ProgressLine("sample \(conditionName)", total: steps)
        var done = 0
        let values = try m.generate(
            classIndex: classIndex, n: count, options: options, seed: seed, initialNoise: noise
        ) { _, _ in
            done += 1
            progress.update(done)
        }
        var params: [String: JSONValue] = [
            "scheduler": .string(scheduler.rawValue), "steps": .number(Double(steps)), "eta": .number(eta),
            "guidance": .number(guidance),
        ]
        if let initialNoise { params["initial_noise"] = .string(ImageIdentity.absolutePath(initialNoise)) }
        let generator = dir.standardizedFileURL.lastPathComponent
        let images = try ModelImages.images(values, n: count, channels: c, size: s)
        var records: [ImageRecord] = []
        for (image, path) in zip(images, paths) {
            records.append(
                try SampleWriter.record(
                    image, path: path, condition: conditionName, generator: generator, checkpointID: checkpointID,
                    seed: seed, sampler: .object(params)))
        }
        try store.addImages(records)
        if json {
            let summary: JSONValue = .object([
                "model": .string(dir.standardizedFileURL.path), "condition": .string(conditionName),
                "checkpoint_id": .number(Double(checkpointID)), "seed": .number(Double(seed)),
                "sampler": .object(params),
                "images": .array(records.map { .object(["path": .string($0.path), "image_id": .string($0.id)]) }),
            ])
            print(summary.canonicalString)
        } else {
            for r in records { print(r.path) }
            Console.error(
                "rounds sample: \(records.count) image(s) of \(conditionName), seed \(seed), checkpoint \(checkpointID)"
            )
        }
    }
}

/// The samplers `rounds sample` offers.
enum SamplerName: String, ExpressibleByArgument, CaseIterable {
    case ddim, ddpm, dpmsolver
    var kind: SchedulerKind { self == .ddpm ? .ddpm : .ddim }
    var stableDiffusion: StableDiffusionOptions.Scheduler {
        switch self {
        case .ddim: .ddim
        case .ddpm: .ddpm
        case .dpmsolver: .dpmsolver
        }
    }
}
