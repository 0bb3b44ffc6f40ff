import ArgumentParser
import Foundation
import RoundsCore
import RoundsDiffusion
import RoundsImaging
import RoundsPipeline
import RoundsStore

/// `rounds transfer --model MODEL_DIR --from IMAGE|DIR --to CONDITION ... --out DIR`: MAGIC's
/// image-to-image (noise each source to strength·T, denoise toward the target condition with guidance).
/// Each output is recorded as a synthetic image whose parent is its source.
struct Transfer: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Image-to-image: move images toward a condition and record each output with its source.",
        discussion: """
            Defaults are MAGIC's I2I settings. Writes DIR/<condition>-<seed>-<i>.png, i following the \
            sources in name order, never over an existing file. A source not yet in the store is added with --origin.
            """
    )

    @Option(help: "Model directory (unet/, scheduler/, rounds.json), a bare diffusers UNet folder, or a diffusers Stable Diffusion pipeline folder (model_index.json).")
    var model: String

    @Option(help: "A source image (PNG or JPEG), or a folder of them (not recursive).")
    var from: String

    @Option(help: "Target condition (domain/condition, a bare condition name, or a class index of a bare folder).")
    var to: String?

    @Option(help: "Stable Diffusion: the text prompt instead of --to (outputs stored with no condition).")
    var prompt: String?

    @Option(help: "Stable Diffusion: the negative prompt (default: none, i.e. the empty prompt).")
    var negativePrompt: String?

    @Option(help: "Stable Diffusion: the size sources are resized to (default: the pipeline's own).")
    var resolution: Int?

    @Option(name: .customLong("checklists"), help: "Stable Diffusion: checklists folder whose prompt text --to uses (default: $ROUNDS_CHECKLISTS, else ./Checklists, else built in).")
    var checklistsPath: String?

    @Option(help: "How far to noise the source, in [0, 1] (1: from pure noise).")
    var strength = 0.3

    @Option(help: "Denoising steps of the full schedule (strength·steps are run).")
    var steps = 100

    @Option(help: "DDIM's eta.")
    var eta = 1.0

    @Option(help: "Classifier-free guidance scale (1: no guidance).")
    var guidance = 5.0

    @Option(help: "Random seed (default: a random one, printed and recorded).")
    var seed: UInt64?

    @Option(help: "Origin of sources not yet in the store: real or synthetic (required for them).")
    var origin: ImageOrigin?

    @Option(help: "Stable Diffusion: a LoRA adapter to apply (a folder with pytorch_lora_weights.safetensors, or a .safetensors file; diffusers or kohya-ss format).")
    var lora: String?

    @Option(help: "Output folder (created if needed).")
    var out: String

    @Flag(help: "Print one JSON document on stdout.")
    var json = false

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard strength >= 0, strength <= 1 else { throw ValidationError("--strength: expected 0...1, got \(strength)") }
        guard steps >= 1 else { throw ValidationError("--steps: expected at least 1, got \(steps)") }
        guard eta >= 0 else { throw ValidationError("--eta: expected a value ≥ 0, got \(eta)") }
        guard guidance >= 0 else { throw ValidationError("--guidance: expected a value ≥ 0, got \(guidance)") }
        if let resolution, resolution < 8 { throw ValidationError("--resolution: expected at least 8 pixels, got \(resolution)") }
        guard to != nil || prompt != nil else { throw ValidationError("give --to (or --prompt for a Stable Diffusion pipeline)") }
        guard to == nil || prompt == nil else { throw ValidationError("--to and --prompt: give one of them") }
        try DiffusionOutputs.validateSeed(seed)
    }

    func run() throws {
        do {
            if PipelineIndex.isPipeline(model) { try transferStableDiffusion() } else { try transfer() }
        } catch let e as ValidationError { throw e } catch { throw failWithError(error) }
    }

    private func transfer() throws {
        guard let to, prompt == nil, negativePrompt == nil, resolution == nil else {
            throw ValidationError("--prompt, --negative-prompt and --resolution need a Stable Diffusion pipeline folder (model_index.json); \(model) is a pixel model")
        }
        guard lora == nil else {
            throw ValidationError("--lora needs a Stable Diffusion pipeline folder (model_index.json); \(model) is a pixel model")
        }
        let dir = URL(fileURLWithPath: model)
        let m = try DiffusionModel(directory: dir)
        let classIndex = try m.manifest.classIndex(of: to)
        let conditionName = m.manifest.conditions[classIndex]
        let s = m.manifest.imageSize
        let c = m.unet.config.inChannels
        let sources = try TransferSources.load(from, size: s, channels: c)
        let store = try database.open()
        let parents = try TransferSources.storedIDs(sources, origin: origin, store: store)
        let checkpointID = try DiffusionOutputs.checkpointID(for: m, directory: dir, store: store)
        try DiffusionOutputs.makeDirectory(out)
        let seed = DiffusionOutputs.seed(self.seed)
        let paths = try DiffusionOutputs.outputPaths(out: out, condition: conditionName, seed: seed, count: sources.count)
        let options = GenerationOptions(scheduler: .ddim, steps: steps, eta: eta, guidanceScale: guidance)
        let progress = ProgressLine("transfer to \(conditionName)", total: max(1, Int(Double(steps) * strength)))
        var done = 0
        var noise = GaussianNoise(seed: seed)
        let values = try m.transfer(
            source: sources.flatMap { ModelImages.input($0.image, channels: c, size: s) }, n: sources.count,
            classIndex: classIndex, strength: strength, options: options, noise: &noise
        ) { _, _ in
            done += 1
            progress.update(done)
        }
        let params: [String: JSONValue] = [
            "scheduler": .string("ddim"), "steps": .number(Double(steps)), "eta": .number(eta),
            "guidance": .number(guidance), "strength": .number(strength),
        ]
        let generator = dir.standardizedFileURL.lastPathComponent
        let images = try ModelImages.images(values, n: sources.count, channels: c, size: s)
        var records: [ImageRecord] = []
        for (i, (image, path)) in zip(images, paths).enumerated() {
            records.append(
                try SampleWriter.record(
                    image, path: path, condition: conditionName, generator: generator, checkpointID: checkpointID,
                    seed: seed, sampler: .object(params), parent: parents[i]))
        }
        try store.addImages(records)
        if json {
            let summary: JSONValue = .object([
                "model": .string(dir.standardizedFileURL.path), "condition": .string(conditionName),
                "checkpoint_id": .number(Double(checkpointID)), "seed": .number(Double(seed)),
                "sampler": .object(params),
                "images": .array(
                    zip(records, sources).map { r, src in
                        .object([
                            "path": .string(r.path), "image_id": .string(r.id),
                            "parent_image_id": .string(r.parentImageID ?? ""), "source": .string(src.path),
                        ])
                    }),
            ])
            print(summary.canonicalString)
        } else {
            for r in records { print(r.path) }
            Console.error(
                "rounds transfer: \(records.count) image(s) toward \(conditionName), seed \(seed), "
                    + "checkpoint \(checkpointID)")
        }
    }
}

/// The sources of a transfer: loaded, checked against the model's geometry, and found or added in the store.
enum TransferSources {
    static let extensions: Set<String> = ["png", "jpg", "jpeg"]

    /// Loads `path` (a file, or a folder's PNG/JPEG files in name order).
    ///
    /// - Throws: naming the file, when it is not `size`×`size`, or in colour for a one-channel model.
    static func load(_ path: String, size: Int, channels: Int) throws -> [LoadedImage] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw DiffusionError(.io, "\(path): no such file or folder")
        }
        var files = [path]
        if isDir.boolValue {
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
                throw DiffusionError(.io, "\(path): cannot list the folder", cause: error)
            }
            files = names.filter {
                !$0.hasPrefix(".") && extensions.contains(($0 as NSString).pathExtension.lowercased())
            }
            .sorted().map { URL(fileURLWithPath: path).appendingPathComponent($0).path }
            guard !files.isEmpty else { throw DiffusionError(.io, "\(path): no PNG or JPEG files in the folder") }
        }
        return try files.map { file in
            let loaded = try ImageFile.load(path: file)
            let img = loaded.image
            guard img.width == size, img.height == size else {
                throw DiffusionError(
                    .shapeMismatch, "\(file): \(img.width)x\(img.height) image, the model takes \(size)x\(size)")
            }
            if channels == 1, !isGrey(img) {
                throw DiffusionError(
                    .shapeMismatch, "\(file): a colour image (3 channels), the model takes 1-channel (greyscale) images"
                )
            }
            return loaded
        }
    }

    static func isGrey(_ image: RGBImage) -> Bool {
        image.pixels.withUnsafeBufferPointer { p in
            stride(from: 0, to: p.count, by: 3).allSatisfy { p[$0] == p[$0 + 1] && p[$0] == p[$0 + 2] }
        }
    }

    /// The image id of each source, adding those not stored yet with `origin` (required for them).
    static func storedIDs(_ sources: [LoadedImage], origin: ImageOrigin?, store: Store) throws -> [String] {
        var new: [ImageRecord] = []
        for src in sources where try store.image(id: src.image.imageID) == nil {
            guard let origin else {
                throw ValidationError(
                    "\(src.path) is not in the store \(store.path); pass --origin real|synthetic to add it")
            }
            new.append(
                ImageRecord(
                    id: src.image.imageID, fileSHA256: src.fileSHA256, path: ImageIdentity.absolutePath(src.path),
                    format: src.format, width: src.image.width, height: src.image.height, byteCount: src.byteCount,
                    origin: origin))
        }
        if !new.isEmpty { try store.addImages(new) }
        return sources.map(\.image.imageID)
    }
}
