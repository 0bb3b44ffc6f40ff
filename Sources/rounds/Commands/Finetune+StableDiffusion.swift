import ArgumentParser
import Foundation
import RoundsBroker
import RoundsChecklists
import RoundsCore
import RoundsDiffusion
import RoundsPipeline
import RoundsStore

extension Finetune {
    /// `rounds finetune --model SD_DIR`: LoRA adapters trained with RFT or Diffusion-DPO on latents, the
    /// pipeline frozen; the adapter folder is recorded in the store as a child of the pipeline's row.
    func finetuneStableDiffusion() throws {
        let command = "rounds finetune"
        if emaDecay != nil { throw ValidationError("--ema-decay: pixel models only (LoRA adapters are saved as trained)") }
        let config = try lora.config()
        let fm = FileManager.default
        let statePath = out + "/" + LoRAFinetuneJob.stateFile
        if lora.resume {
            guard fm.fileExists(atPath: statePath) else {
                throw ValidationError("--resume: \(statePath) does not exist (nothing to continue; drop --resume to start)")
            }
        } else if fm.fileExists(atPath: out + "/" + LoRASet.fileName) || fm.fileExists(atPath: statePath) {
            throw ValidationError("--out: \(out) already holds an adapter; choose another folder, or --resume to continue it")
        }
        let settings = FinetuneSettings(
            objective: objective, steps: steps, learningRate: lr ?? 1e-4, seed: seed,
            rft: RFTOptions(realWeight: realWeight, syntheticShare: syntheticShare, batch: batch ?? 4),
            dpo: DPOOptions(beta: beta, maxTimestep: maxTimestep), pairsPerStep: pairsPerStep ?? 2,
            warmupSteps: warmup, emaDecay: nil)
        do {
            try settings.validate()
            let p = try StableDiffusionCLI.load(model, scheduler: nil, command: command)
            let size = lora.resolution ?? p.defaultResolution
            guard size >= p.vaeFactor * p.unet.sizeDivisor, size % (p.vaeFactor * p.unet.sizeDivisor) == 0 else {
                throw ValidationError("--resolution: \(size) is not a positive multiple of \(p.vaeFactor * p.unet.sizeDivisor) (VAE factor x UNet size divisor)")
            }
            Console.error("\(command): reading the signal \(signal) at \(size) px")
            let data: LoRAFinetuneData
            switch objective {
            case .rft:
                let entries = try TrainingSignal.readWeights(path: signal)
                let domain = entries.first.map { String($0.condition.split(separator: "/").first ?? "") } ?? "synthetic"
                data = .rft(synthetic: try LoRAFinetuneData.rft(entries, size: size),
                            real: try self.data.map { try LoRAFinetuneData.real($0, domain: domain, size: size) } ?? [])
            case .dpo:
                guard self.data == nil else { throw ValidationError("--data: only RFT uses real images") }
                data = .dpo(try LoRAFinetuneData.dpo(try TrainingSignal.readPairs(path: signal), size: size))
            }
            switch data {
            case .rft(let synthetic, _) where synthetic.isEmpty: throw DiffusionError(.invalidArgument, "\(signal): RFT: the signal has no synthetic images")
            case .dpo(let pairs) where pairs.isEmpty: throw DiffusionError(.invalidArgument, "\(signal): DPO: the signal has no pairs (or only ties)")
            default: break
            }
            let catalog = try ChecklistCatalog.load(from: try ResourceSearchPath.checklists(option: lora.checklistsPath))
            var prompts: [String: String] = [:]
            for c in data.conditions {
                do { prompts[c] = try catalog.resolve(c).generationPrompt } catch {
                    throw DiffusionError(.invalidArgument, "\(signal): condition '\(c)' has no checklist, so no prompt: \(error)")
                }
            }
            let store = try database.open()
            Console.error("\(command): hashing the pipeline's files")
            let hash = try p.contentHash()
            let parentID = try StableDiffusionCLI.checkpointID(p, hash: hash, store: store)
            try fm.createDirectory(atPath: out, withIntermediateDirectories: true)
            let job = LoRAFinetuneJob(settings: settings, lora: config, resolution: size, prompts: prompts,
                                      pipelinePath: URL(fileURLWithPath: model).standardizedFileURL.path, pipelineHash: hash,
                                      signal: signal, saveEvery: lora.saveEvery)
            let bar = ProgressLine("finetune \(objective.rawValue) LoRA r\(config.rank)", total: steps)
            let (set, curve) = try job.run(pipeline: p, data: data, out: out, resume: lora.resume,
                                           log: { Console.error("\(command): \($0)") }) { c in
                bar.update(c.points.last?.step ?? 0, detail: String(format: "loss %.4f", Double(c.recent { $0.loss })))
            }
            var metrics: [String: JSONValue] = ["final_loss": .number(Double(curve.recent { $0.loss }))]
            if objective == .dpo {
                metrics["implicit_accuracy"] = .number(Double(curve.recent(20) { $0.implicitAccuracy }))
                metrics["margin"] = .number(Double(curve.recent(20) { $0.margin }))
            }
            let manifest = LoRAAdapterManifest(
                basePipeline: job.pipelinePath, basePipelineSHA256: hash, objective: objective.rawValue, signal: signal,
                steps: steps, prompts: prompts, hyperparameters: job.hyperparameters, metrics: metrics)
            try manifest.write(to: out)
            try curve.write(to: URL(fileURLWithPath: out))
            let id = try StableDiffusionCLI.adapterCheckpointID(out, manifest: manifest, parentID: parentID, store: store)
            let doc: JSONValue = [
                "adapter": .string(out), "checkpoint_id": .number(Double(id)), "parent_checkpoint_id": .number(Double(parentID)),
                "objective": .string(objective.rawValue), "steps": .number(Double(steps)), "metrics": .object(metrics),
                "trainable_parameters": .number(Double(set.parameterCount)), "adapted_layers": .number(Double(set.entries.count)),
                "hyperparameters": .object(job.hyperparameters),
            ]
            if json { print(doc.prettyString) } else {
                print("\(out): LoRA r\(config.rank) \(objective.rawValue) on \(set.entries.count) layers (\(set.parameterCount) values), \(steps) steps, final loss "
                    + String(format: "%.4f", Double(curve.recent { $0.loss })) + ", checkpoint \(id) (parent \(parentID))")
            }
        } catch let e as ValidationError {
            throw e
        } catch {
            throw Console.fail(error)
        }
    }
}
