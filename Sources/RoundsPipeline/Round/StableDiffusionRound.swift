import Foundation
import RoundsBroker
import RoundsChecklists
import RoundsCore
import RoundsDiffusion
import RoundsJudge
import RoundsStore
import RoundsTensor

/// One feedback round on a Stable Diffusion pipeline folder (MAGIC's loop): sample every condition with its
/// checklist's prompt, judge, build RFT weights and DPO pairs with the broker, LoRA-finetune once per
/// objective (and a control arm on the real images alone), then sample the base, the control and each
/// adapter from evaluation seeds that never built the signal, and judge them. The same store rows,
/// broker files and checkpoint rows as the individual commands.
public struct StableDiffusionRound {
    /// MAGIC's image-to-image route: every source transferred to every condition `copies` times (each
    /// from its own noise), `strength` of the way; DPO then pairs outputs of one source.
    public struct Transfer: Sendable {
        public var sourceIDs: [String]
        /// `[3, S, S]` in -1...1 at the round's resolution, one per source.
        public var sources: [[Float]]
        public var copies: Int
        public var strength: Double

        public init(sourceIDs: [String], sources: [[Float]], copies: Int, strength: Double) {
            self.sourceIDs = sourceIDs
            self.sources = sources
            self.copies = copies
            self.strength = strength
        }
    }

    public struct Settings {
        /// Conditions (`domain/name`) and their prompts.
        public var prompts: [String: String]
        public var perCondition: Int, evalPerCondition: Int
        public var options: StableDiffusionOptions
        public var seed: UInt64
        public var objectives: [FinetuneObjective]
        public var rft: FinetuneSettings, dpo: FinetuneSettings
        public var lora: LoRAConfig
        public var weighting: RFTWeighting, pairRule: PairRule
        public var control: Bool
        /// Transfer sources instead of sampling from noise (nil: sample).
        public var transfer: Transfer?

        public init(prompts: [String: String], perCondition: Int, evalPerCondition: Int, options: StableDiffusionOptions,
                    seed: UInt64, objectives: [FinetuneObjective], rft: FinetuneSettings, dpo: FinetuneSettings, lora: LoRAConfig,
                    weighting: RFTWeighting, pairRule: PairRule, control: Bool, transfer: Transfer? = nil) {
            self.transfer = transfer
            self.prompts = prompts
            self.perCondition = perCondition
            self.evalPerCondition = evalPerCondition
            self.options = options
            self.seed = seed
            self.objectives = objectives
            self.rft = rft
            self.dpo = dpo
            self.lora = lora
            self.weighting = weighting
            self.pairRule = pairRule
            self.control = control
        }

        var conditions: [String] { prompts.keys.sorted() }
    }

    /// What the round measured: every model's evaluation, adapters, checkpoints, judge runs, signal files.
    public struct Result {
        public var before: ModelEvaluation
        public var after: [String: ModelEvaluation] = [:]
        public var adapters: [String: String] = [:]
        public var checkpoints: [String: Int64] = [:]
        public var judgeRuns: [String: Int64] = [:]
        public var signalFiles: [String: String] = [:]
        public var curves: [String: FinetuneCurve] = [:]
    }

    public var settings: Settings
    public var store: Store
    public var catalog: ChecklistCatalog
    public var outDir: String

    public init(settings: Settings, store: Store, catalog: ChecklistCatalog, outDir: String) {
        self.settings = settings
        self.store = store
        self.catalog = catalog
        self.outDir = outDir
    }

    /// Runs the round on `pipeline` (folder `pipelinePath`, content hash `hash`); `real` trains RFT's real
    /// term and the control arm.
    public func run(pipeline: StableDiffusionPipeline, pipelinePath: String, hash: String, real: [LoRATrainingImage],
                    judge: FeedbackRound.Judge, log: (String) -> Void,
                    progress: (String, Int, Int) -> Void) async throws -> Result {
        let parentID = try StableDiffusionImages.pipelineCheckpoint(pipeline, hash: hash, store: store)
        let signal = try await sampleAndJudge(pipeline, hash: hash, seed: settings.seed, perCondition: settings.perCondition,
                                              checkpointID: parentID, name: "signal", judge: judge, log: log, progress: progress)
        let evalSeed = settings.seed &+ RoundImages.evaluationSeedOffset
        let before = try await sampleAndJudge(pipeline, hash: hash, seed: evalSeed, perCondition: settings.evalPerCondition,
                                              checkpointID: parentID, name: "before", judge: judge, log: log, progress: progress)
        var result = Result(before: before.evaluation)
        result.checkpoints["before"] = parentID
        result.judgeRuns["signal"] = signal.runID
        result.judgeRuns["before"] = before.runID
        try FileManager.default.createDirectory(atPath: "\(outDir)/signal", withIntermediateDirectories: true)
        var arms: [(name: String, settings: FinetuneSettings, data: LoRAFinetuneData, signal: String)] = []
        if settings.control {
            if real.isEmpty { log("control arm: not run (no stored real images of the conditions)") } else {
                let plain = real.map { LoRATrainingImage(id: $0.id, pixels: $0.pixels, condition: $0.condition, weight: 1) }
                var s = settings.rft
                s.rft.syntheticShare = 1
                arms.append(("control", s, .rft(synthetic: plain, real: []), "stored real images"))
            }
        }
        let size = settings.options.width
        for objective in settings.objectives {
            switch objective {
            case .rft:
                let path = "\(outDir)/signal/rft-weights.csv"
                let made = try RFTJob(run: signal.runID, policy: ScorePolicy(), weighting: settings.weighting, out: path)
                    .run(store: store, catalog: catalog)
                log("broker: RFT weights for \(made.weights.entries.count) images → \(path)")
                let synthetic = try LoRAFinetuneData.rft(try TrainingSignal.readWeights(path: path), size: size)
                arms.append(("rft", settings.rft, .rft(synthetic: synthetic, real: real), path))
            case .dpo:
                let path = "\(outDir)/signal/dpo-pairs.parquet"
                let sameSource = settings.transfer != nil
                for condition in Set(signal.images.compactMap(\.condition)).sorted() {
                    _ = try PairsMakeJob(condition: condition, sameSource: sameSource, max: 512, seed: settings.seed,
                                         only: Set(signal.images.map(\.id))).run(store: store)
                }
                let made: DPOJob.Result
                do {
                    made = try DPOJob(run: signal.runID, rule: settings.pairRule, policy: ScorePolicy(), sameSource: sameSource, out: path)
                        .run(store: store, catalog: catalog)
                } catch let e as BrokerError where e.code == .emptyInput {
                    log("finetune dpo: skipped, the broker found no one-winner pairs (\(e.message))")
                    continue
                }
                log("broker: \(made.set.pairs.count) one-winner DPO pairs → \(path)")
                let pairs = try LoRAFinetuneData.dpo(try TrainingSignal.readPairs(path: path), size: size)
                arms.append(("dpo", settings.dpo, .dpo(pairs), path))
            }
        }
        for arm in arms {
            let folder = "\(outDir)/adapters/\(arm.name)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let job = LoRAFinetuneJob(settings: arm.settings, lora: settings.lora, resolution: size, prompts: settings.prompts,
                                      pipelinePath: pipelinePath, pipelineHash: hash, signal: arm.signal)
            let (set, curve) = try job.run(pipeline: pipeline, data: arm.data, out: folder, resume: false, log: log,
                                           progress: { c in progress("finetune \(arm.name)", c.points.count, arm.settings.steps) })
            defer { set.detach() }
            let manifest = LoRAAdapterManifest(
                basePipeline: pipelinePath, basePipelineSHA256: hash, objective: arm.name == "control" ? "rft" : arm.name,
                signal: arm.signal, steps: arm.settings.steps, prompts: settings.prompts, hyperparameters: job.hyperparameters,
                metrics: ["final_loss": .number(Double(curve.recent { $0.loss }))])
            try manifest.write(to: folder)
            try curve.write(to: URL(fileURLWithPath: folder))
            let id = try StableDiffusionImages.adapterCheckpoint(folder, manifest: manifest, parentID: parentID, store: store)
            log("finetune \(arm.name): LoRA r\(settings.lora.rank), \(arm.settings.steps) steps, final loss "
                + String(format: "%.4f", Double(curve.recent { $0.loss })) + " → \(folder)")
            let after = try await sampleAndJudge(pipeline, hash: hash, seed: evalSeed, perCondition: settings.evalPerCondition,
                                                 checkpointID: id, name: arm.name, judge: judge, log: log, progress: progress)
            result.after[arm.name] = after.evaluation
            result.adapters[arm.name] = folder
            result.checkpoints[arm.name] = id
            result.judgeRuns[arm.name] = after.runID
            result.signalFiles[arm.name] = arm.signal
            result.curves[arm.name] = curve
        }
        return result
    }

    /// Samples `perCondition` images of every condition (image k of condition c from its own seed), or
    /// transfers every source `copies` times, with the pipeline as it stands (adapters attached or not),
    /// stores them under `checkpointID`, judges them.
    private func sampleAndJudge(_ p: StableDiffusionPipeline, hash: String, seed: UInt64, perCondition: Int, checkpointID: Int64,
                                name: String, judge: FeedbackRound.Judge, log: (String) -> Void,
                                progress: (String, Int, Int) -> Void) async throws -> (images: [ImageRecord], evaluation: ModelEvaluation, runID: Int64?) {
        let dir = "\(outDir)/samples/\(name)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var records: [ImageRecord] = []
        let t = settings.transfer
        let perCondition = t.map { $0.sources.count * $0.copies } ?? perCondition
        let total = settings.conditions.count * perCondition, verb = t == nil ? "sample" : "transfer"
        let size = settings.options.width
        for (c, condition) in settings.conditions.enumerated() {
            let prompt = settings.prompts[condition]!
            for k in 0..<perCondition {
                let s = SampleWriter.seed(seed, condition: c, batch: UInt64(k))
                var noise = GaussianNoise(seed: s)
                let image: RoundsTensor.Tensor, parent: String?
                if let t {
                    let source = k / t.copies
                    image = try p.transfer(images: RoundsTensor.Tensor(shape: [1, 3, size, size], scalars: t.sources[source]), prompt: prompt,
                                           strength: t.strength, options: settings.options, noise: &noise)
                    parent = t.sourceIDs[source]
                } else {
                    image = try p.generate(prompt: prompt, n: 1, options: settings.options, noise: &noise)
                    parent = nil
                }
                let rgb = try StableDiffusionImages.rgb(image)[0]
                let path = "\(dir)/\(condition.replacingOccurrences(of: "/", with: "_"))-\(k).png"
                let params = StableDiffusionImages.parameters(settings.options, prompt: prompt, negative: nil, hash: hash, strength: t?.strength)
                records.append(try SampleWriter.record(
                    rgb, path: path, condition: condition, generator: "rounds round (\(name))", checkpointID: checkpointID, seed: s,
                    sampler: .object(params), parent: parent))
                progress("\(verb) \(name)", records.count, total)
            }
        }
        try store.addImages(records)
        let summary = try await judge(records.map(\.id))
        log("judge \(name): \(summary.judged) judged, \(summary.failed) failed (run \(summary.runID.map(String.init) ?? "?"))")
        let evaluation = try ModelEvaluation.evaluate(images: records, store: store, catalog: catalog)
        log("\(name): \(evaluation.allCriteria.successes)/\(evaluation.allCriteria.total) samples meet every criterion")
        return (records, evaluation, summary.runID)
    }
}
