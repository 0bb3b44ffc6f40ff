import Foundation
import RoundsCore
import RoundsDiffusion
import RoundsTensor

/// LoRA finetuning of a Stable Diffusion pipeline with RFT or Diffusion-DPO on latents (MAGIC's recipe):
/// images VAE-encoded once, prompts encoded once, the base frozen, adapters trained, and the adapter
/// folder written as it goes so a stopped run resumes bit for bit.
///
/// The folder (`out`): `pytorch_lora_weights.safetensors` (diffusers' format), `adapter.json` (base
/// pipeline and its hash, rank, alpha, targets, objective, signal, prompts, hyper-parameters),
/// `training_state.safetensors` (adapters, AdamW moments, step, generator, curve) and `loss.csv`.
public struct LoRAFinetuneJob {
    public static let stateFile = "training_state.safetensors", manifestFile = "adapter.json"

    public var settings: FinetuneSettings
    public var lora: LoRAConfig
    /// Training resolution in pixels.
    public var resolution: Int
    /// Condition -> prompt (the checklist's generation prompt).
    public var prompts: [String: String]
    public var pipelinePath: String, pipelineHash: String
    public var signal: String
    /// Write the adapter and training state every this many steps (and at the end).
    public var saveEvery: Int

    public init(settings: FinetuneSettings, lora: LoRAConfig, resolution: Int, prompts: [String: String],
                pipelinePath: String, pipelineHash: String, signal: String, saveEvery: Int = 50) {
        self.settings = settings
        self.lora = lora
        self.resolution = resolution
        self.prompts = prompts
        self.pipelinePath = pipelinePath
        self.pipelineHash = pipelineHash
        self.signal = signal
        self.saveEvery = saveEvery
    }

    /// The hyper-parameters recorded in `adapter.json` and the store.
    public var hyperparameters: [String: JSONValue] {
        var h = settings.hyperparameters
        h["ema_decay"] = nil
        h["label_dropout"] = nil
        h["lora_rank"] = .number(Double(lora.rank))
        h["lora_alpha"] = .number(Double(lora.alpha))
        h["lora_targets"] = .array(lora.targets.map { .string($0) })
        h["resolution"] = .number(Double(resolution))
        return h
    }

    /// Trains adapters on `pipeline` (attached to it, and left attached) into the folder `out`. With
    /// `resume`, continues from `out`'s training state, which must come from the same settings.
    ///
    /// - Parameters:
    ///   - log: one line per phase (encoding, resuming).
    ///   - progress: after every step, the curve so far.
    public func run(pipeline: StableDiffusionPipeline, data: LoRAFinetuneData, out: String, resume: Bool,
                    log: (String) -> Void = { _ in }, progress: (FinetuneCurve) -> Void = { _ in }) throws -> (LoRASet, FinetuneCurve) {
        try settings.validate()
        guard saveEvery >= 1 else { throw DiffusionError(.invalidArgument, "save interval: expected at least 1, got \(saveEvery)") }
        let conditions = data.conditions
        let promptTexts = try conditions.map { c throws(DiffusionError) -> String in
            guard let p = prompts[c] else { throw DiffusionError(.invalidArgument, "condition '\(c)' of the signal has no prompt (no checklist for it)") }
            return p
        }
        let promptIndex = Dictionary(uniqueKeysWithValues: conditions.enumerated().map { ($1, $0) })
        let cache = LatentCache(vae: pipeline.vae, vaeKey: pipelineHash)
        func latent(_ image: LoRATrainingImage) throws -> LatentExample {
            LatentExample(latents: try cache.latents(id: image.id, pixels: image.pixels, size: resolution),
                          prompt: promptIndex[image.condition]!, weight: image.weight)
        }
        let set = try LoRASet.attach(lora, to: pipeline.unet, seed: settings.seed)
        do {
            var options = LatentTrainingOptions()
            options.learningRate = Float(settings.learningRate)
            options.seed = settings.seed
            options.maxTimestep = settings.objective == .dpo ? settings.dpo.maxTimestep : nil
            let trainer = try LatentTrainer(pipeline: pipeline, lora: set, prompts: promptTexts, options: options)
            var curve = FinetuneCurve(objective: settings.objective)
            let statePath = out + "/" + Self.stateFile
            if resume {
                let extra = try trainer.restoreState(from: statePath)
                guard extra["settings"] == settingsKey else {
                    throw DiffusionError(.invalidArgument, "\(statePath): written by a run with other settings or signal; resume with the same options, or start a new folder")
                }
                curve = try FinetuneCurve(csv: extra["curve"] ?? "", objective: settings.objective, source: statePath)
                log("resuming at step \(trainer.step) of \(settings.steps)")
            }
            let step: (Int) throws -> FinetuneCurve.Point
            switch data {
            case .rft(let s, let r):
                log("encoding \(s.count + r.count) images to latents at \(resolution) px")
                let synthetic = try s.map(latent), real = try r.map(latent)
                step = try rftSteps(trainer, synthetic: synthetic, real: real)
            case .dpo(let pairs):
                guard !pairs.isEmpty else { throw DiffusionError(.invalidArgument, "DPO: the signal has no pairs") }
                log("encoding \(2 * pairs.count) images to latents at \(resolution) px")
                let latentPairs = try pairs.map { (try latent($0.winner), try latent($0.loser)) }
                var order = BatchOrder(count: pairs.count, batchSize: min(settings.pairsPerStep, pairs.count), seed: settings.seed)
                step = { k in
                    let batch = order.indices(step: k - 1).map { latentPairs[$0] }
                    let r = try trainer.dpoStep(winners: batch.map(\.0), losers: batch.map(\.1), options: settings.dpo)
                    return .init(step: k, loss: r.loss, implicitAccuracy: r.implicitAccuracy, margin: r.margin)
                }
            }
            log("latents: \(cache.encoded) encoded, \(cache.hits) reused")
            while trainer.step < settings.steps {
                let k = trainer.step + 1
                trainer.optimizer.learningRate = settings.learningRate(at: k)
                let point = try step(k)
                guard point.loss.isFinite else {
                    throw DiffusionError(.invalidArgument, "step \(k): the loss is \(point.loss); finetuning diverged (lower the learning rate)")
                }
                curve.points.append(point)
                progress(curve)
                if k % saveEvery == 0 || k == settings.steps {
                    try set.save(to: out + "/" + LoRASet.fileName)
                    try trainer.saveState(to: statePath, extra: ["settings": settingsKey, "curve": curve.csv])
                }
            }
            if curve.points.isEmpty { try set.save(to: out + "/" + LoRASet.fileName) }
            return (set, curve)
        } catch {
            set.detach()
            throw error
        }
    }

    /// RFT batches as `RFTTrainer` builds them: ρ·B weighted synthetic latents, the rest real at β_r.
    private func rftSteps(_ trainer: LatentTrainer, synthetic: [LatentExample], real: [LatentExample]) throws -> (Int) throws -> FinetuneCurve.Point {
        guard !synthetic.isEmpty else { throw DiffusionError(.invalidArgument, "RFT: the signal has no synthetic images") }
        let o = settings.rft
        let composition = o.composition(hasReal: !real.isEmpty && o.syntheticShare < 1)
        var sOrder = BatchOrder(count: synthetic.count, batchSize: composition.synthetic, seed: settings.seed)
        var rOrder = composition.real > 0 ? BatchOrder(count: real.count, batchSize: composition.real, seed: settings.seed &+ 1) : nil
        let b = Float(o.batch)
        return { k in
            var batch = sOrder.indices(step: k - 1).map { synthetic[$0] }
            let ws = b / Float(batch.count)
            for i in batch.indices { batch[i].weight *= ws }
            if let order = rOrder {
                var ro = order
                var r = ro.indices(step: k - 1).map { real[$0] }
                rOrder = ro
                for i in r.indices { r[i].weight = o.realWeight * b / Float(r.count) }
                batch += r
            }
            let result = try trainer.rftStep(batch)
            return .init(step: k, loss: result.loss)
        }
    }

    /// What a resumed run must match: the settings, adapter shape, resolution, prompts, signal and base.
    /// The step count and warm-up may change, so a finished run can be continued further.
    var settingsKey: String {
        var h = hyperparameters
        h["steps"] = nil
        h["warmup_steps"] = nil
        let p = JSONValue.object(prompts.mapValues { .string($0) })
        return SHA256.hex(Array((JSONValue.object(h).canonicalString + p.canonicalString + signal + pipelineHash).utf8))
    }
}
