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

extension Round {
    /// Stable Diffusion options given with a pixel model are errors naming them.
    func refuseStableDiffusionOptions() throws {
        var given: [String] = []
        if !condition.isEmpty { given.append("--condition") }
        if resolution != nil { given.append("--resolution") }
        if loraRank != 32 { given.append("--lora-rank") }
        if loraAlpha != nil { given.append("--lora-alpha") }
        guard given.isEmpty else {
            throw ValidationError("\(given.joined(separator: ", ")) need a Stable Diffusion pipeline folder (model_index.json); \(model) is a Rounds model")
        }
    }

    /// `rounds round --model SD_DIR --condition C …`: the round with LoRA adapters (`StableDiffusionRound`).
    func roundStableDiffusion() async throws {
        let started = Date()
        guard !condition.isEmpty else { throw ValidationError("--condition: a Stable Diffusion pipeline has no conditions of its own; name at least one") }
        if judgeReal { throw ValidationError("--judge-real: not supported with a Stable Diffusion pipeline yet (issue 27)") }
        if scheduler == .ddpm { throw ValidationError("--scheduler ddpm: Stable Diffusion rounds sample with ddim or dpmsolver") }
        let config = try EndpointsFile.find(endpoint, in: EndpointsFile.load(path: endpoints), path: endpoints)
        let key = try config.apiKey()
        let catalog = try checklists.catalog()
        let prompts = try PromptLibrary.load(from: checklists.promptsOrigin())
        var conditionPrompts: [String: String] = [:]
        for c in condition {
            let checklist = try catalog.resolve(c)
            conditionPrompts[checklist.condition.description] = checklist.generationPrompt
        }
        for name in objective.map(\.rawValue) + ["control"] where FileManager.default.fileExists(atPath: "\(out)/adapters/\(name)") {
            throw RoundProblem("\(out)/adapters/\(name) already exists (an earlier round?); choose another --out")
        }
        let lora = LoRAConfig(rank: loraRank, alpha: loraAlpha ?? Float(loraRank))
        do { try lora.validate() } catch { throw ValidationError("--lora-rank/--lora-alpha: \(error.message)") }
        let p = try StableDiffusionCLI.load(model, scheduler: (scheduler ?? .ddim).stableDiffusion, command: "rounds round")
        let size = resolution ?? p.defaultResolution
        let options = StableDiffusionOptions(scheduler: (scheduler ?? .ddim).stableDiffusion, steps: samplingSteps, eta: eta ?? 0,
                                             guidance: guidance ?? 7.5, height: size, width: size)
        _ = try p.latentShape(n: 1, options)
        let store = try database.open()
        let lock = try JudgeRunLock(store: store)
        defer { _ = lock }
        var transfer: StableDiffusionRound.Transfer?
        if let from {
            let sources = try Transfer.loadSources(from)
            let ids = try TransferSources.storedIDs(sources, origin: fromOrigin, store: store)
            transfer = StableDiffusionRound.Transfer(
                sourceIDs: ids, sources: sources.map { ModelImages.input($0.image, channels: 3, size: size) },
                copies: transfersPerSource, strength: strength)
            Console.error("rounds round: transferring \(sources.count) source(s) x \(transfersPerSource) to each condition at strength \(strength)")
        }
        let real = try StoredRealImages.loadPixels(store: store, conditions: conditionPrompts.keys.sorted(), size: size,
                                                   limitPerCondition: realPerCondition)
        Console.error("rounds round: \(real.count) stored real image(s) of the conditions (RFT's real term and the control arm)")
        Console.error("rounds round: hashing the pipeline's files")
        let hash = try p.contentHash()
        let rft = FinetuneSettings(
            objective: .rft, steps: rftSteps, learningRate: rftLR ?? 1e-4, seed: seed &+ 1,
            rft: RFTOptions(realWeight: realWeight, syntheticShare: syntheticShare, batch: batch ?? 4), emaDecay: nil)
        let dpo = FinetuneSettings(
            objective: .dpo, steps: dpoSteps, learningRate: dpoLR ?? 1e-4, seed: seed &+ 2,
            dpo: DPOOptions(beta: beta, maxTimestep: from == nil ? nil : max(1, Int((strength * Double(p.scheduler.numTrainTimesteps)).rounded())),
                            sftWeight: sftWeight),
            pairsPerStep: pairsPerStep ?? 2, emaDecay: nil)
        try rft.validate()
        try dpo.validate()
        let settings = StableDiffusionRound.Settings(
            prompts: conditionPrompts, perCondition: perCondition, evalPerCondition: evalPerCondition ?? perCondition,
            options: options, seed: seed, objectives: objective, rft: rft, dpo: dpo, lora: lora,
            weighting: RFTWeighting(function: try WeightFunction.named(weighting, threshold: threshold, temperature: temperature)),
            pairRule: try PairRule.named(rule, margin: margin), control: control, transfer: transfer)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let judge = makeJudge(config: config, key: key, store: store, catalog: catalog, prompts: prompts)
        let bars = ProgressBars()
        let result = try await StableDiffusionRound(settings: settings, store: store, catalog: catalog, outDir: out).run(
            pipeline: p, pipelinePath: URL(fileURLWithPath: model).standardizedFileURL.path, hash: hash, real: real, judge: judge,
            log: { Console.error($0) }
        ) { bars.update($0, $1, $2) }
        var after: [String: JSONValue] = [:], gain: [String: JSONValue] = [:], overControl: [String: JSONValue] = [:]
        for (name, e) in result.after {
            after[name] = RoundSummary.block(e)
            gain[name] = RoundSummary.gain(before: result.before, after: e)
            if name != "control", let control = result.after["control"] {
                overControl[name] = RoundSummary.gainOverControl(control: control, arm: e)
            }
        }
        let doc: [String: JSONValue] = [
            "model": .string(model), "pipeline_sha256": .string(hash), "conditions": .object(conditionPrompts.mapValues { .string($0) }),
            "endpoint": ["name": .string(config.name), "model": .string(config.model)],
            "samples_per_model": .number(Double(result.before.allCriteria.total + result.before.unjudged)),
            "before": RoundSummary.block(result.before), "after": .object(after), "gain": .object(gain),
            "gain_over_control": .object(overControl),
            "adapters": .object(result.adapters.mapValues { .string($0) }),
            "checkpoints": .object(result.checkpoints.mapValues { .number(Double($0)) }),
            "judge_runs": .object(result.judgeRuns.mapValues { .number(Double($0)) }),
            "signal": .object(result.signalFiles.mapValues { .string($0) }),
            "lora": ["rank": .number(Double(lora.rank)), "alpha": .number(Double(lora.alpha))],
            "resolution": .number(Double(size)), "real_images": .number(Double(real.count)), "store": .string(store.path),
            "seconds": .number((Date().timeIntervalSince(started) * 10).rounded() / 10),
        ]
        let text = JSONValue.object(doc).prettyString + "\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: out).appendingPathComponent("round.json"))
        if json {
            print(text, terminator: "")
        } else {
            let models = [("before", result.before)] + (result.after["control"].map { [("control", $0)] } ?? [])
                + objective.compactMap { o in result.after[o.rawValue].map { (o.rawValue, $0) } }
            RoundTable.print("Round on \(model) with LoRA r\(lora.rank), judged by \(config.name) (\(config.model)): share of images meeting every criterion",
                             models: models)
            DemoTable.printGainOverControl(Dictionary(uniqueKeysWithValues: models))
            print("round.json: \(out)/round.json; adapters in \(out)/adapters; store: \(store.path)")
        }
    }
}
