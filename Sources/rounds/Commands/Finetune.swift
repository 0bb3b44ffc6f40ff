import ArgumentParser
import Foundation
import RoundsBroker
import RoundsCore
import RoundsDiffusion
import RoundsPipeline
import RoundsVision

extension FinetuneObjective: ExpressibleByArgument {}

/// `rounds finetune --model MODEL_DIR --objective rft|dpo --signal FILE --out MODEL_DIR [...]` (CLI.md).
struct Finetune: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Finetune a model on the broker's signal: RFT weights (reward-weighted) or DPO pairs (Diffusion-DPO).",
        discussion: """
            rft: --signal is `rounds broker rft`'s weights (.csv or .jsonl); each batch draws a share ρ \
            (--synthetic-share, default 0.2) from those images, weighted, and the rest from the real images of \
            --data (one folder per condition), weighted β_r (--real-weight, default 0.3). dpo: --signal is \
            `rounds broker dpo`'s pairs (Pick-a-Pic .parquet or .jsonl); each step takes --pairs-per-step pairs \
            against a frozen copy of --model, with the same noise and timestep for winner and loser \
            (--max-timestep for image-to-image pairs: strength·T). The new model directory records its parent, \
            objective, signal and hyper-parameters in rounds.json, holds loss.csv (and dpo.csv: loss, implicit \
            accuracy, margin per step), and is recorded in the store with its parent. \
            With a Stable Diffusion pipeline folder as --model, the pipeline stays frozen and LoRA adapters \
            (--lora-rank, --lora-alpha, --lora-targets) are trained on VAE latents at --resolution, each \
            condition prompted with its checklist's prompt; --out becomes an adapter folder \
            (pytorch_lora_weights.safetensors in diffusers' format, adapter.json, loss.csv, \
            training_state.safetensors, written every --save-every steps; --resume continues it bit for bit) \
            that `rounds sample|transfer --lora` use. See docs/finetuning.md.
            """
    )

    @Option(help: "The model to start from: a Rounds model directory, or a diffusers Stable Diffusion pipeline folder (model_index.json), which trains LoRA adapters.")
    var model: String

    @Option(help: "rft or dpo.")
    var objective: FinetuneObjective

    @Option(help: "The broker's signal file: RFT weights (.csv/.jsonl) or DPO pairs (.parquet/.jsonl).")
    var signal: String

    @Option(help: "The model directory to write (Stable Diffusion: the adapter folder).")
    var out: String

    @Option(help: "RFT: real images, one sub-folder per condition (as for rounds train); without it, synthetic only.")
    var data: String?

    @Option(help: "Optimiser steps.")
    var steps = 200

    @Option(help: "AdamW learning rate after the warm-up (default 5e-5; Stable Diffusion LoRA 1e-4).")
    var lr: Double?

    @Option(help: "Linear warm-up steps (default: a tenth of --steps).")
    var warmup: Int?

    @Option(help: "EMA decay of the saved weights, 0 for the raw weights (default 0.999; pixel models only).")
    var emaDecay: Double?

    @Option(help: "RFT: images per batch (default 32; Stable Diffusion 4).")
    var batch: Int?

    @Option(help: "RFT: share ρ of each batch drawn from the weighted synthetic images.")
    var syntheticShare = 0.2

    @Option(help: "RFT: weight β_r of the plain loss on real images.")
    var realWeight: Float = 0.3

    @Option(help: "DPO: β.")
    var beta: Float = 500

    @Option(help: "DPO: pairs per step (default 8; Stable Diffusion 2).")
    var pairsPerStep: Int?

    @Option(help: "DPO: draw timesteps from 0..<N (image-to-image pairs: strength x num_train_timesteps).")
    var maxTimestep: Int?

    @Option(help: "Random seed of batches, noise and timesteps.")
    var seed: UInt64 = 0

    @OptionGroup var lora: LoRAOptions

    @Flag(help: "Print one JSON document on stdout.")
    var json = false

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        if PipelineIndex.isPipeline(model) { return try finetuneStableDiffusion() }
        try lora.refuseOnPixelModel(model)
        try OutputFolder.refuseExistingModel(out, manifest: DiffusionModel.manifestFile)
        let lr = self.lr ?? 5e-5, emaDecay = self.emaDecay ?? 0.999, batch = self.batch ?? 32, pairsPerStep = self.pairsPerStep ?? 8
        do {
            let parent = try DiffusionModel(directory: URL(fileURLWithPath: model))
            let settings = FinetuneSettings(
                objective: objective, steps: steps, learningRate: lr, seed: seed,
                rft: RFTOptions(realWeight: realWeight, syntheticShare: syntheticShare, batch: batch),
                dpo: DPOOptions(beta: beta, maxTimestep: maxTimestep), pairsPerStep: pairsPerStep,
                warmupSteps: warmup, emaDecay: emaDecay > 0 ? emaDecay : nil)
            try settings.validate()
            let signalData: FinetuneData
            switch objective {
            case .rft:
                let synthetic = try SignalExamples.rft(try TrainingSignal.readWeights(path: signal), model: parent)
                signalData = .rft(synthetic: synthetic, real: try realExamples(parent))
            case .dpo:
                guard self.data == nil else { throw ValidationError("--data: only RFT uses real images") }
                signalData = .dpo(try SignalExamples.dpo(try TrainingSignal.readPairs(path: signal), model: parent))
            }
            let store = try database.open()
            let parentID = try CheckpointRecorder.record(parent, directory: model, store: store)
            let bar = ProgressLine("finetune \(objective.rawValue)", total: steps)
            let (result, curve) = try FinetuneJob(settings: settings, parentPath: model, signal: signal)
                .run(parent: parent, data: signalData) { c in
                    bar.update(c.points.count, detail: String(format: "loss %.4f", Double(c.recent { $0.loss })))
                }
            var metrics: [String: JSONValue] = ["final_loss": .number(Double(curve.recent { $0.loss }))]
            if objective == .dpo {
                metrics["implicit_accuracy"] = .number(Double(curve.recent(20) { $0.implicitAccuracy }))
                metrics["margin"] = .number(Double(curve.recent(20) { $0.margin }))
            }
            let id = try CheckpointRecorder.save(result, to: out, parentID: parentID, metrics: .object(metrics), store: store)
            try curve.write(to: URL(fileURLWithPath: out))
            let doc: JSONValue = [
                "model": .string(out), "checkpoint_id": .number(Double(id)), "parent_checkpoint_id": .number(Double(parentID)),
                "objective": .string(objective.rawValue), "steps": .number(Double(steps)), "metrics": .object(metrics),
                "hyperparameters": .object(settings.hyperparameters),
            ]
            if json { print(doc.prettyString) } else {
                print("\(out): \(objective.rawValue), \(steps) steps, final loss "
                    + String(format: "%.4f", Double(curve.recent { $0.loss })) + ", checkpoint \(id) (parent \(parentID))")
            }
        } catch let e as ValidationError {
            throw e
        } catch {
            throw Console.fail(error)
        }
    }

    private func realExamples(_ parent: DiffusionModel) throws -> [FinetuneExample] {
        guard let data else { return [] }
        let folder = try LabelledImageFolder.load(
            data, domain: parent.manifest.conditions.first.map { String($0.split(separator: "/").first ?? "") } ?? "synthetic",
            size: parent.manifest.imageSize, channels: parent.unet.config.inChannels)
        return try zip(folder.images, folder.labels).map { image, label in
            FinetuneExample(image: image, label: try parent.manifest.classIndex(of: folder.conditions[label]))
        }
    }
}
