import ArgumentParser
import Foundation
import RoundsCore
import RoundsDiffusion
import RoundsStore

/// `rounds train --data DIR --config unet.json --steps N --batch B --out MODEL_DIR [--resume] ...`:
/// trains a class-conditional UNet from scratch (or continues a run bit for bit with `--resume`),
/// writes the model directory, `loss.csv` and `loss.svg`, and records the checkpoint in the store.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a class-conditional diffusion model on one folder of images per condition.",
        discussion: """
            DIR/<condition>/*.png|jpg: folder names are the conditions (class indices in sorted order, the \
            null class for guidance last), so the config's num_class_embeds must be conditions + 1. The model \
            directory gets the (EMA) weights, rounds.json, training_state.safetensors (for --resume), \
            loss.csv and loss.svg; --checkpoint-every K also keeps each K-th step's model in checkpoints/step-K. \
            Every checkpoint is recorded in the store, each with the one before it as parent.
            """
    )

    @Option(help: "Folder with one sub-folder of images per condition.")
    var data: String

    @Option(help: "diffusers UNet2DModel config.json (sample_size and num_class_embeds required).")
    var config: String

    @Option(help: "Total optimisation steps (with --resume: the step to reach).")
    var steps: Int

    @Option(help: "Images per step.")
    var batch: Int

    @Option(help: "Model directory to write (created if needed).")
    var out: String

    @Flag(help: "Continue the run saved in --out (training_state.safetensors) up to --steps.")
    var resume = false

    @Option(help: "Random seed of initialisation, batches and noise (default 0; with --resume: the run's).")
    var seed: UInt64?

    @Option(help: "AdamW learning rate (default 1e-4; with --resume: the run's).")
    var lr: Double?

    @Option(help: "EMA decay of the saved weights, 0 for none (default 0.999; with --resume: the run's).")
    var emaDecay: Double?

    @Option(help: "Save the model and training state every K steps (default: only at the end).")
    var checkpointEvery: Int?

    @Option(help: "Domain of the conditions written to rounds.json (domain/condition).")
    var domain = "synthetic"

    @Flag(help: "Print one JSON document on stdout.")
    var json = false

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard steps >= 1 else { throw ValidationError("--steps: expected at least 1, got \(steps)") }
        guard batch >= 1 else { throw ValidationError("--batch: expected at least 1, got \(batch)") }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr: expected a positive number, got \(lr)") }
        if let emaDecay, !(emaDecay >= 0 && emaDecay < 1) {
            throw ValidationError("--ema-decay: expected 0 ≤ decay < 1, got \(emaDecay)")
        }
        if let checkpointEvery, checkpointEvery < 1 {
            throw ValidationError("--checkpoint-every: expected at least 1, got \(checkpointEvery)")
        }
        try DiffusionOutputs.validateSeed(seed)
    }

    func run() throws {
        do { try train() } catch let e as ValidationError { throw e } catch { throw failWithError(error) }
    }

    private func train() throws {
        let configURL = URL(fileURLWithPath: config)
        let unetConfig = try UNetConfig(contentsOf: configURL)
        guard let size = unetConfig.sampleSize else {
            throw DiffusionError(.invalidConfig, "\(config): sample_size: required to train (the image size)")
        }
        // a training step held ~1.14 GB for 16 images of 64x64 (bench diffusion's memory probe): ~1,450x the input bytes
        try DiffusionOutputs.checkMemory(1_450 * 4 * Double(batch) * Double(unetConfig.inChannels * size * size),
                                         for: "--batch \(batch) at \(size)x\(size)")
        let data = try TrainingData.load(self.data, domain: domain, size: size, channels: unetConfig.inChannels)
        guard unetConfig.numClassEmbeds == data.conditions.count + 1 else {
            throw DiffusionError(
                .invalidConfig,
                "\(config): num_class_embeds: expected \(data.conditions.count + 1) (\(data.conditions.count) "
                    + "condition folders in \(self.data) plus the null class), got "
                    + (unetConfig.numClassEmbeds.map(String.init) ?? "null"))
        }
        let outURL = URL(fileURLWithPath: out)
        let existing = outURL.appendingPathComponent(DiffusionModel.manifestFile).path
        if !resume, FileManager.default.fileExists(atPath: existing) {
            throw DiffusionError(
                .io, "\(existing): a model is already there; pass --resume to continue it, or choose another --out")
        }
        let previous = resume ? try TrainingRun.Previous(directory: outURL, config: unetConfig, data: data) : nil
        let settings = try TrainingRun.Settings(
            seed: seed, lr: lr, emaDecay: emaDecay, batch: batch, previous: previous)
        let store = try database.open()
        let parentID = try previous.flatMap {
            try DiffusionOutputs.checkpoint(sha256: $0.weightsSHA256, path: outURL, in: store)?.id
        }
        let hyper: [String: JSONValue] = [
            "learning_rate": .number(settings.lr), "steps": .number(Double(steps)), "batch": .number(Double(batch)),
            "seed": .number(Double(settings.seed)), "ema_decay": .number(settings.emaDecay),
            "label_dropout": .number(0.1), "data": .string(ImageIdentity.absolutePath(self.data)),
        ]
        let run = try TrainingRun(
            config: unetConfig, data: data, settings: settings, hyperparameters: hyper, directory: outURL,
            previous: previous)
        guard run.trainer.step < steps else {
            throw DiffusionError(
                .invalidArgument, "--steps \(steps): the run in \(out) is already at step \(run.trainer.step)")
        }
        let started = Date()
        // Every checkpoint (periodic ones in checkpoints/step-K, then the final model) becomes a store row
        // whose parent is the one before it, the first one's the resumed checkpoint.
        var parent: Int64? = parentID ?? nil
        var recorded: [CheckpointRecord] = []
        try run.train(to: steps, checkpointEvery: checkpointEvery) { dir, step, final in
            let sha = try DiffusionOutputs.weightsSHA256(modelDirectory: dir, layout: .rounds)
            let metrics: JSONValue = .object([
                (final ? "final_loss" : "loss"): .number(Double(run.recentLoss)), "steps": .number(Double(step)),
            ])
            let row = try store.addCheckpoint(
                CheckpointRecord(
                    path: dir.standardizedFileURL.path, sha256: sha, parentID: parent, objective: .pretrain,
                    hyperParameters: JSONValue.object(hyper).canonicalString, metrics: metrics.canonicalString))
            parent = row.id
            recorded.append(row)
        }
        guard let record = recorded.last else {
            throw DiffusionError(.io, "\(store.path): the final checkpoint was not recorded")
        }
        let seconds = Date().timeIntervalSince(started)
        if json {
            let summary: JSONValue = .object([
                "model": .string(outURL.standardizedFileURL.path), "checkpoint_id": .number(Double(record.id ?? 0)),
                "parent_checkpoint_id": record.parentID.map { .number(Double($0)) } ?? .null,
                "checkpoints": .array(recorded.map { .object([
                    "id": .number(Double($0.id ?? 0)), "path": .string($0.path),
                    "parent_id": $0.parentID.map { .number(Double($0)) } ?? .null,
                ]) }),
                "steps": .number(Double(steps)), "final_loss": .number(Double(run.recentLoss)),
                "conditions": .array(data.conditions.map { .string($0) }), "images": .number(Double(data.images.count)),
                "ema": .bool(settings.emaDecay > 0), "seconds": .number((seconds * 1000).rounded() / 1000),
            ])
            print(summary.canonicalString)
        } else {
            print(outURL.standardizedFileURL.path)
            Console.error(
                "rounds train: step \(steps), loss \(run.recentLoss), checkpoint \(record.id ?? 0), "
                    + String(format: "%.1fs", seconds))
        }
    }
}
