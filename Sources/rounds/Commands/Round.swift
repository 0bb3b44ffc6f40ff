import ArgumentParser
import Foundation
import RoundsBroker
import RoundsChecklists
import RoundsCore
import RoundsDiffusion
import RoundsImaging
import RoundsJudge
import RoundsPipeline
import RoundsStore

/// `rounds round --model MODEL_DIR --endpoint NAME --objective rft|dpo [...] [--json]` (CLI.md): one
/// feedback round as one command.
struct Round: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "One feedback round: sample (or transfer), judge, build the signal, finetune, sample and judge again.",
        discussion: """
            1. Samples --per-condition images of every condition of --model (or, with --from DIR, transfers \
            every image of DIR to every condition --transfers-per-source times, MAGIC's image-to-image route) into OUT/samples/before and \
            stores them. 2. Judges them with the endpoint (as `rounds judge` does: cached request keys are not \
            sent again). 3. Builds the signal with the broker: RFT weights from this run's verdicts \
            (OUT/signal/rft-weights.csv) and/or DPO pairs by --rule (OUT/signal/dpo-pairs.parquet; transfers \
            pair outputs of the same source and DPO's timesteps stay below strength·T). 4. Finetunes once per \
            --objective into OUT/models/<objective> (RFT's real term uses the stored real images of the \
            model's conditions outside the test split), and the control arm into OUT/models/control: the same \
            steps, learning rate, batch and EMA as RFT on those real images alone (with --judge-real, only the \
            ones the judge finds compliant, exactly as RFT's real term). 5. Samples the parent, the control and \
            each finetuned model from evaluation seeds that never built the signal (--eval-per-condition per \
            condition; the same sources with other noise when transferring) and judges them. Prints the table \
            (share meeting every criterion with Wilson 95% intervals, per condition, skin-tone band and \
            criterion; each objective's gain over the control with Newcombe's interval), writes \
            OUT/round.json, and stores each finetuned checkpoint with its \
            parent, objective, signal and hyper-parameters, and the before/after table (table feedbackRound). \
            Defaults are the ones the offline demo measured (docs/finetuning.md).
            """
    )

    @Option(help: "The model to start from: a Rounds model directory, or a diffusers Stable Diffusion pipeline folder (model_index.json; LoRA adapters are trained, --condition names what to sample).")
    var model: String

    @Option(help: ArgumentHelp("Stable Diffusion: a condition to sample with its checklist's prompt; repeat for several.", valueName: "condition"))
    var condition: [String] = []

    @Option(help: "Stable Diffusion: image size in pixels (default: the pipeline's own).")
    var resolution: Int?

    @Option(help: "Stable Diffusion: LoRA rank r (MAGIC: 32).")
    var loraRank = 32

    @Option(help: "Stable Diffusion: LoRA alpha (default: the rank).")
    var loraAlpha: Float?

    @Option(help: "The judge: an endpoint named in the endpoints file.")
    var endpoint: String

    @Option(help: "The endpoints file.")
    var endpoints = "endpoints.yaml"

    @Option(help: ArgumentHelp("Finetuning objective; repeat for both (each starts from --model).", valueName: "rft|dpo"))
    var objective: [FinetuneObjective]

    @Option(help: "Output folder (samples, signal, models, round.json); must not hold an earlier round.")
    var out = "rounds-round"

    @Option(help: "The parent's images per condition that build the signal, when sampling.")
    var perCondition = 64

    @Option(help: "Images per condition that every model (parent, control, each objective) is evaluated on, from seeds disjoint from the signal's (default: --per-condition).")
    var evalPerCondition: Int?

    @Flag(inversion: .prefixedNo, help: "Finetune the control arm (RFT's steps, learning rate, batch and EMA on the real images alone); skipped when there are no stored real images.")
    var control = true

    @Option(help: "Image-to-image: transfer the PNG/JPEG images of this folder (stored, or added as --from-origin) instead of sampling.")
    var from: String?

    @Option(help: "Origin of --from images not yet in the store: real or synthetic.")
    var fromOrigin: ImageOrigin?

    @Option(help: "Image-to-image: outputs per source and condition, each from its own noise (DPO pairs outputs of one source).")
    var transfersPerSource = 2

    @Option(help: "Image-to-image: how far to noise each source, in (0, 1] (MAGIC: 0.3).")
    var strength = 0.3

    @Option(help: "Sampler: ddpm (ancestral) or ddim (default ddpm; Stable Diffusion ddim).")
    var scheduler: SamplerName?

    @Option(help: "Denoising steps (of the full schedule when transferring).")
    var samplingSteps = 25

    @Option(help: "DDIM's eta (with --scheduler ddim; default 1, Stable Diffusion 0).")
    var eta: Double?

    @Option(help: "Classifier-free guidance scale (default 1: none; Stable Diffusion 7.5).")
    var guidance: Double?

    @Option(help: "Seed of the sampling noise (the same for the before and after models).")
    var seed: UInt64 = 2026

    @Option(help: ArgumentHelp("RFT: how checklist scores become weights.", valueName: "linear|threshold|softmax"))
    var weighting = "threshold"

    @Option(help: "RFT: τ of --weighting threshold (share of criteria met, averaged over --samples; with 3 samples of 5 criteria 0.85 allows 2 of 15 verdicts unmet).")
    var threshold = 1.0

    @Option(help: "Ask the judge about each image N times with temperature above zero and keep the majority per criterion (as rounds judge --samples).")
    var samples = 1

    @Option(help: "RFT: T of --weighting softmax.")
    var temperature = 0.5

    @Option(help: ArgumentHelp("DPO: the pair rule.", valueName: "magic|margin"))
    var rule = "magic"

    @Option(help: "DPO: score margin of --rule margin.")
    var margin = 0.2

    @Option(help: "RFT optimiser steps.")
    var rftSteps = 200

    @Option(help: "RFT learning rate (AdamW, after a linear warm-up over a tenth of the steps; default 5e-5; Stable Diffusion LoRA 1e-4).")
    var rftLR: Double?

    @Option(help: "EMA decay of the saved finetuned weights, starting at the parent's (0: save the raw weights).")
    var emaDecay = 0.999

    @Option(help: "RFT: share ρ of each batch drawn from the weighted samples.")
    var syntheticShare = 0.2

    @Option(help: "RFT: weight β_r of the plain loss on real images.")
    var realWeight: Float = 0.3

    @Option(help: "RFT: images per batch (default 32; Stable Diffusion 4).")
    var batch: Int?

    @Option(help: "RFT: at most this many stored real images per condition.")
    var realPerCondition: Int?

    @Flag(help: "Judge the stored real images too (an endpoint off loopback must allow real images, or the round stops before sampling): RFT's real term keeps only those meeting every criterion, DPO adds pairs of a compliant against a broken one.")
    var judgeReal = false

    @Option(help: "DPO optimiser steps.")
    var dpoSteps = 128

    @Option(help: "DPO learning rate (AdamW, after a linear warm-up over a tenth of the steps; default 1e-5; Stable Diffusion LoRA 1e-4).")
    var dpoLR: Double?

    @Option(help: "DPO β (docs/finetuning.md has the sweep).")
    var beta: Float = 500

    @Option(help: "DPO: weight λ of the winners' plain denoising loss added to the DPO loss (RPO; 0: plain Diffusion-DPO).")
    var sftWeight: Float = 0

    @Option(help: "DPO: pairs per optimiser step (MAGIC: 8; default 8; Stable Diffusion 2).")
    var pairsPerStep: Int?

    @Option(help: "Stop launching judge requests once the round (all its judge runs: signal, before, control, each objective) has cost this many US dollars.")
    var maxCost: Double?

    @Flag(help: "Print round.json on stdout.")
    var json = false

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var checklists: ChecklistOptions

    func validate() throws {
        guard !objective.isEmpty else { throw ValidationError("give --objective rft, --objective dpo, or both") }
        guard Set(objective).count == objective.count else { throw ValidationError("--objective: each objective once") }
        let counts = [("--per-condition", perCondition), ("--sampling-steps", samplingSteps), ("--rft-steps", rftSteps),
                      ("--dpo-steps", dpoSteps), ("--batch", batch ?? 1), ("--transfers-per-source", transfersPerSource),
                      ("--pairs-per-step", pairsPerStep ?? 1), ("--lora-rank", loraRank)]
        for (name, v) in counts where v < 1 {
            throw ValidationError("\(name): expected at least 1, got \(v)")
        }
        if let n = evalPerCondition, n < 1 { throw ValidationError("--eval-per-condition: expected at least 1, got \(n)") }
        if let n = realPerCondition, n < 0 { throw ValidationError("--real-per-condition: expected 0 or more, got \(n)") }
        guard strength > 0, strength <= 1 else { throw ValidationError("--strength: expected (0, 1], got \(strength)") }
        if let guidance, !(guidance >= 1) { throw ValidationError("--guidance: expected at least 1, got \(guidance)") }
        if let eta, !(eta >= 0) { throw ValidationError("--eta: expected at least 0, got \(eta)") }
        guard beta > 0 else { throw ValidationError("--beta: expected a positive number, got \(beta)") }
        try JudgeOptions.checkSamples(samples, flag: "--samples")
        guard sftWeight >= 0 else { throw ValidationError("--sft-weight: expected 0 or more, got \(sftWeight)") }
        guard (0...1).contains(syntheticShare) else {
            throw ValidationError("--synthetic-share: expected [0, 1], got \(syntheticShare)")
        }
        if fromOrigin != nil, from == nil { throw ValidationError("--from-origin goes with --from") }
        if let maxCost, !(maxCost > 0 && maxCost.isFinite) { throw ValidationError("--max-cost: expected a positive amount, got \(maxCost)") }
        // The same checks as `broker rft` and `broker dpo`, here before any sampling or judging.
        do {
            try RFTWeighting(function: try recipe()).validate()
            try pairRule().validate()
        } catch let error as BrokerError {
            throw ValidationError(error.message)
        }
    }

    func run() async throws {
        do {
            if PipelineIndex.isPipeline(model) { return try await roundStableDiffusion() }
            try refuseStableDiffusionOptions()
            try await round()
        } catch let exit as ExitCode {
            throw exit
        } catch let e as ValidationError {
            throw e
        } catch {
            throw Console.fail(error)
        }
    }

    /// The judge the round calls: plans a run over the given images and runs it against the endpoint,
    /// within what is left of `--max-cost`, stopping on SIGINT.
    func makeJudge(config: EndpointConfig, key: APIKey?, store: Store, catalog: ChecklistCatalog, prompts: PromptLibrary) -> FeedbackRound.Judge {
        let stop = StopSignal.install()
        let spent = Spent()
        return { ids in
            let plan = try JudgeRunPlan.make(
                store: store, catalog: catalog, prompts: prompts, model: config.model, imageIDs: ids)
            for problem in plan.problems { Console.error("rounds round: \(problem)") }
            let bar = ProgressLine("judge", total: plan.items.count)
            let summary = try await JudgeRunner(
                store: store, client: JudgeClient(endpoint: config, apiKey: key, options: JudgeOptions(samples: samples)),
                shouldStop: { stop.requested }
            ).run(plan, maxCost: maxCost.map { $0 - spent.dollars }) { p in bar.update(p.done, detail: "\(p.failed) failed") }
            spent.dollars += summary.cost
            for failure in summary.failures.prefix(20) { Console.error("rounds round: \(failure)") }
            if summary.judged == 0, summary.failed > 0 {
                throw RoundProblem("the judge answered none of \(summary.failed) request(s) (run "
                    + "\(summary.runID.map(String.init) ?? "?"); the failures are above); the images are stored")
            }
            if let why = summary.stoppedBecause {
                throw RoundProblem("judging stopped early (\(why)); the images and verdicts so far are stored")
            }
            return summary
        }
    }

    private func round() async throws {
        let started = Date()
        let config = try EndpointsFile.find(endpoint, in: EndpointsFile.load(path: endpoints), path: endpoints)
        // Known before anything is sampled: an endpoint that may not see real images cannot judge them.
        if judgeReal, case .refused(let reason) = PrivacyGuard.decide(origin: .real, endpoint: config) {
            throw RoundProblem("--judge-real: \(reason)")
        }
        let key = try config.apiKey()
        let catalog = try checklists.catalog()
        let prompts = try PromptLibrary.load(from: checklists.promptsOrigin())
        for name in objective.map(\.rawValue) + (control ? ["control"] : [])
        where FileManager.default.fileExists(atPath: "\(out)/models/\(name)") {
            throw RoundProblem("\(out)/models/\(name) already exists (an earlier round?); choose another --out")
        }
        let parent = try DiffusionModel(directory: URL(fileURLWithPath: model))
        let store = try database.open()
        let lock = try JudgeRunLock(store: store)
        defer { _ = lock }
        let unchecked = parent.manifest.conditions.filter { (try? catalog.resolve($0)) == nil }
        guard unchecked.isEmpty else {
            throw RoundProblem("\(model): no checklist for \(unchecked.joined(separator: ", ")) in \(catalog.origin); "
                + "the judge needs one per condition")
        }
        let real = try StoredRealImages.load(store: store, model: parent, limitPerCondition: realPerCondition)
        if control, real.isEmpty {
            Console.error("rounds round: no stored real images of the model's conditions; no control arm (nothing to finetune it on)")
        }
        if objective.contains(.rft) {
            Console.error(real.isEmpty
                ? "rounds round: no stored real images of the model's conditions; RFT trains on the weighted samples only"
                : "rounds round: RFT's real term uses \(real.count) stored real image(s)")
        }
        let settings = try roundSettings(parent: parent, store: store)
        let judge = makeJudge(config: config, key: key, store: store, catalog: catalog, prompts: prompts)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let bars = ProgressBars()
        let result = try await FeedbackRound(settings: settings, store: store, catalog: catalog, outDir: out).run(
            parent: parent, parentDirectory: model, real: real, judge: judge, judgeModel: config.model,
            log: { Console.error($0) }
        ) { bars.update($0, $1, $2) }
        var doc = RoundSummary.fields(result, settings: settings)
        doc["model"] = .string(model)
        doc["endpoint"] = ["name": .string(config.name), "model": .string(config.model)]
        doc["checkpoints"] = .object(result.checkpoints.mapValues { .number(Double($0)) })
        doc["judge_runs"] = .object(result.judgeRuns.mapValues { .number(Double($0)) })
        var models = Dictionary(uniqueKeysWithValues: result.modelDirectories.map { ($0.key.rawValue, JSONValue.string($0.value)) })
        if let dir = result.controlDirectory { models["control"] = .string(dir) }
        doc["models"] = .object(models)
        doc["signal"] = .object(Dictionary(uniqueKeysWithValues: result.signalFiles.map { ($0.key.rawValue, .string($0.value)) }))
        doc["real_images"] = .number(Double(real.count))
        doc["store"] = .string(store.path)
        doc["seconds"] = .number((Date().timeIntervalSince(started) * 10).rounded() / 10)
        let text = JSONValue.object(doc).prettyString + "\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: out).appendingPathComponent("round.json"))
        if json {
            print(text, terminator: "")
        } else {
            let models = [("before", result.before)] + (result.control.map { [("control", $0)] } ?? [])
                + objective.compactMap { o in result.after[o].map { (o.rawValue, $0) } }
            RoundTable.print("Round judged by \(config.name) (\(config.model)): share of images meeting every criterion",
                             models: models)
            DemoTable.printGainOverControl(Dictionary(uniqueKeysWithValues: models))
            print("round.json: \(out)/round.json; store: \(store.path)")
        }
    }

    private func roundSettings(parent: DiffusionModel, store: Store) throws -> FeedbackRound.Settings {
        let options = GenerationOptions(scheduler: (scheduler ?? .ddpm).kind, steps: samplingSteps, eta: eta ?? 1,
                                        guidanceScale: guidance ?? 1)
        var dpoOptions = DPOOptions(beta: beta, sftWeight: sftWeight)
        let images: RoundImages
        if let from {
            let sources = try TransferSources.load(
                from, size: parent.manifest.imageSize, channels: parent.unet.config.inChannels)
            let ids = try TransferSources.storedIDs(sources, origin: fromOrigin, store: store)
            images = .transfer(TransferWriter(
                sources: zip(sources, ids).map { s, id in
                    TransferWriter.Source(
                        imageID: id,
                        input: ModelImages.input(s.image, channels: parent.unet.config.inChannels,
                                                 size: parent.manifest.imageSize))
                },
                copies: transfersPerSource, strength: strength, options: options, seed: seed))
            dpoOptions.maxTimestep = max(1, Int((strength * Double(parent.scheduler.numTrainTimesteps)).rounded()))
        } else {
            images = .sample(SampleWriter(perCondition: perCondition, options: options, seed: seed))
        }
        let rft = FinetuneSettings(
            objective: .rft, steps: rftSteps, learningRate: rftLR ?? 5e-5, seed: seed &+ 1,
            rft: RFTOptions(realWeight: realWeight, syntheticShare: syntheticShare, batch: batch ?? 32),
            emaDecay: emaDecay > 0 ? emaDecay : nil)
        let dpo = FinetuneSettings(
            objective: .dpo, steps: dpoSteps, learningRate: dpoLR ?? 1e-5, seed: seed &+ 2, dpo: dpoOptions,
            pairsPerStep: pairsPerStep ?? 8, emaDecay: emaDecay > 0 ? emaDecay : nil)
        try rft.validate()
        try dpo.validate()
        return FeedbackRound.Settings(
            images: images, objectives: objective, rft: rft, dpo: dpo,
            weighting: RFTWeighting(function: try recipe()), pairRule: try pairRule(), generator: "rounds round",
            judgeReal: judgeReal, evaluation: images.evaluation(perCondition: evalPerCondition), control: control)
    }

    private func recipe() throws -> WeightFunction {
        try WeightFunction.named(weighting, threshold: threshold, temperature: temperature)
    }

    private func pairRule() throws -> PairRule { try PairRule.named(rule, margin: margin) }
}

/// A round that cannot go on; printed as `error: …` with exit status 2.
struct RoundProblem: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Dollars the round's judge runs have cost so far (the budget of `--max-cost` spans both runs).
final class Spent: @unchecked Sendable {
    var dollars = 0.0
}
