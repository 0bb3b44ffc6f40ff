import Foundation
import RoundsCore

/// A diffusers pipeline folder's `model_index.json`: which class each component folder holds. Rounds
/// loads `unet`, `vae`, `text_encoder`, `tokenizer` and `scheduler`; other components (safety checker,
/// feature extractor, image encoder) are listed as ignored.
public struct PipelineIndex: Sendable {
    public let pipelineClass: String
    public let diffusersVersion: String?
    /// Components Rounds does not use, with their `[library, class]` (null ones are not listed).
    public let ignored: [String]
    /// The scheduler class the folder names (`PNDMScheduler` for SD 1.5).
    public let schedulerClass: String

    static let pipelines: Set<String> = [
        "StableDiffusionPipeline", "StableDiffusionImg2ImgPipeline", "StableDiffusionInpaintPipeline",
        "StableDiffusionPipelineSafe", "AltDiffusionPipeline",
    ]
    static let expected: [(String, [String])] = [
        ("unet", ["UNet2DConditionModel"]), ("vae", ["AutoencoderKL"]),
        ("text_encoder", ["CLIPTextModel", "CLIPTextModelWithProjection"]),
        ("tokenizer", ["CLIPTokenizer", "CLIPTokenizerFast"]), ("scheduler", []),
    ]

    /// Whether `directory` is a pipeline folder (it has `model_index.json`).
    public static func isPipeline(_ directory: String) -> Bool {
        FileManager.default.fileExists(atPath: directory + "/model_index.json")
    }

    public init(directory: String) throws(DiffusionError) {
        let path = directory + "/model_index.json"
        let c = try ComponentConfig(path: path)
        let object = c.reader.object
        let cls = object["_class_name"]?.stringValue ?? ""
        guard Self.pipelines.contains(cls) else {
            throw DiffusionError(.unsupported, "\(path): _class_name: Rounds loads Stable Diffusion 1.x/2.x pipelines (StableDiffusionPipeline), got '\(cls)'")
        }
        if cls == "StableDiffusionInpaintPipeline" {
            throw DiffusionError(.unsupported, "\(path): an inpainting pipeline (9-channel UNet) is not supported; use a text-to-image folder")
        }
        pipelineClass = cls
        diffusersVersion = object["_diffusers_version"]?.stringValue
        var scheduler = "DDIMScheduler"
        for (name, classes) in Self.expected {
            guard let entry = object[name]?.arrayValue, entry.count == 2, let k = entry[1].stringValue else {
                throw DiffusionError(.invalidConfig, "\(path): \(name): missing (expected [library, class]); a Stable Diffusion pipeline needs unet, vae, text_encoder, tokenizer and scheduler")
            }
            if !classes.isEmpty && !classes.contains(k) {
                throw DiffusionError(.unsupported, "\(path): \(name): Rounds reads \(classes.joined(separator: " or ")), got '\(k)'")
            }
            if name == "scheduler" { scheduler = k }
            guard FileManager.default.fileExists(atPath: directory + "/" + name) else {
                throw DiffusionError(.io, "\(directory)/\(name): missing component folder (model_index.json lists \(k))")
            }
        }
        schedulerClass = scheduler
        let used = Set(Self.expected.map(\.0))
        ignored = object.keys.sorted().compactMap { key -> String? in
            guard !key.hasPrefix("_"), !used.contains(key), let e = object[key]?.arrayValue, e.count == 2,
                  let lib = e[0].stringValue, let k = e[1].stringValue else { return nil }
            return "\(key) (\(lib) \(k))"
        }
    }
}
