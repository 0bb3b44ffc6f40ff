import Foundation
import RoundsCore
import RoundsTensor

/// A diffusers Stable Diffusion 1.x/2.x pipeline folder loaded for inference: tokenizer, CLIP text
/// encoder, UNet, VAE and the scheduler's configuration.
///
/// A model object: owned by one task, not `Sendable`.
public final class StableDiffusionPipeline {
    public let directory: String
    public let index: PipelineIndex
    public var tokenizer: CLIPTokenizer
    public let textEncoder: CLIPTextModel
    public let unet: UNet2DConditionModel
    public let vae: AutoencoderKL
    /// The scheduler config read as DDIM (or DDPM) keys; `schedulerNotice` says when the folder's class
    /// was another one.
    public let scheduler: SchedulerConfig
    /// Whether `scheduler_config.json` states `timestep_spacing` (DPM-Solver's default differs from DDIM's).
    public let schedulerStatesSpacing: Bool
    public let schedulerNotice: String?
    /// The weight files read per component, for `model info`.
    public let weightFiles: [(component: String, files: [String], dtype: String)]

    /// Loads `directory`; `variant` picks weight files such as `fp16` (default: plain files, else the one
    /// variant present). `log` receives one line per component loaded.
    public init(directory: String, variant: String? = nil, log: (String) -> Void = { _ in }) throws(DiffusionError) {
        self.directory = directory
        index = try PipelineIndex(directory: directory)
        tokenizer = try CLIPTokenizer(directory: directory + "/tokenizer")
        let textConfig = try CLIPTextConfig(path: directory + "/text_encoder/config.json")
        let unetConfig = try UNet2DConditionConfig(path: directory + "/unet/config.json")
        let vaeConfig = try AutoencoderKLConfig(path: directory + "/vae/config.json")
        guard unetConfig.crossAttentionDim == textConfig.hiddenSize else {
            throw DiffusionError(.invalidConfig, "\(directory)/unet/config.json: cross_attention_dim \(unetConfig.crossAttentionDim) differs from the text encoder's hidden_size \(textConfig.hiddenSize) (text_encoder/config.json)")
        }
        guard unetConfig.inChannels == vaeConfig.latentChannels, unetConfig.outChannels == vaeConfig.latentChannels else {
            throw DiffusionError(.invalidConfig, "\(directory)/unet/config.json: in_channels \(unetConfig.inChannels) / out_channels \(unetConfig.outChannels) differ from the VAE's latent_channels \(vaeConfig.latentChannels); Rounds runs text-to-image UNets only")
        }
        let maxID = tokenizer.vocabulary.values.max() ?? 0
        guard maxID < textConfig.vocabSize, tokenizer.maxLength <= textConfig.maxPositions else {
            throw DiffusionError(.invalidConfig, "\(directory)/tokenizer: ids up to \(maxID) and length \(tokenizer.maxLength) do not fit the text encoder's vocab_size \(textConfig.vocabSize) and max_position_embeddings \(textConfig.maxPositions)")
        }
        (scheduler, schedulerStatesSpacing, schedulerNotice) = try Self.readScheduler(directory + "/scheduler/scheduler_config.json", className: index.schedulerClass)

        // Random initial values are replaced tensor by tensor; a fixed seed keeps construction cheap to reason about.
        var rng = PCG32(seed: 0)
        var files: [(String, [String], String)] = []
        func load(_ module: any Module, _ component: String, _ base: String, rename: (String) -> String? = { $0 }) throws(DiffusionError) {
            let w = try ComponentWeights(directory: directory + "/" + component, base: base, variant: variant)
            try w.load(into: module, rename: rename)
            files.append((component, w.files, w.storedDType))
            log("\(component): \(w.files.count == 1 ? w.files[0] : "\(w.files.count - 1) shards") (\(w.storedDType))")
        }
        textEncoder = CLIPTextModel(config: textConfig, rng: &rng)
        try load(textEncoder, "text_encoder", "model", rename: CLIPTextModel.parameterName)
        vae = AutoencoderKL(config: vaeConfig, rng: &rng)
        try load(vae, "vae", "diffusion_pytorch_model")
        unet = UNet2DConditionModel(config: unetConfig, rng: &rng)
        try load(unet, "unet", "diffusion_pytorch_model")
        weightFiles = files.map { (component: $0.0, files: $0.1, dtype: $0.2) }
    }

    /// The scheduler file as DDIM/DDPM keys. Another class (PNDM, Euler, LMS, DPM-Solver, …) keeps its
    /// betas, prediction type and spacing and samples with DDIM, with a notice saying so.
    static func readScheduler(_ path: String, className: String) throws(DiffusionError) -> (SchedulerConfig, Bool, String?) {
        let c = try ComponentConfig(path: path)
        var object = c.reader.object
        let cls = object["_class_name"]?.stringValue ?? className
        let spacing = object["timestep_spacing"] != nil && object["timestep_spacing"] != .null
        if cls == "DDIMScheduler" || cls == "DDPMScheduler" {
            return (try SchedulerConfig(json: JSONValue.object(object).canonicalString, source: path), spacing, nil)
        }
        let keys = Set(SchedulerConfig.keys(for: .ddim))
        object = object.filter { keys.contains($0.key) }
        object["_class_name"] = "DDIMScheduler"
        let config = try SchedulerConfig(json: JSONValue.object(object).canonicalString, source: path)
        return (config, spacing, "\(path) names \(cls), which Rounds does not implement: sampling with DDIM on the same noise schedule (or --scheduler dpmsolver)")
    }

    /// Latent size for images of `pixels`: pixels over the VAE's factor.
    public var vaeFactor: Int { vae.config.downsamplingFactor }

    /// The pipeline's native image size: UNet `sample_size` times the VAE's factor (512 for SD 1.5 and 2.1-base).
    public var defaultResolution: Int { unet.config.sampleSize * vaeFactor }

    /// Text embeddings `[B, 77, D]` of `prompts` (padded and truncated to the tokenizer's length).
    public func encode(_ prompts: [String]) -> Tensor {
        withoutGradients { textEncoder(prompts.map { tokenizer.encodePadded($0) }) }
    }
}
