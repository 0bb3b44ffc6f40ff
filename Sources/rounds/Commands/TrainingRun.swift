import ArgumentParser
import Foundation
import RoundsAlignment
import RoundsCore
import RoundsDiffusion
import RoundsPipeline
import RoundsTensor

/// The loop of `rounds train`: batches in `BatchOrder`, one `DiffusionTrainer` step each, progress on
/// stderr, and checkpoints (model directory, training state, loss.csv, loss.svg) every K steps and at the end.
final class TrainingRun {
    static let stateFile = "training_state.safetensors"

    /// What `--resume` finds in the model directory.
    struct Previous {
        var manifest: ModelManifest
        var weightsSHA256: String
        var losses: [(step: Int, loss: Float)]

        init(directory: URL, config: UNetConfig, data: TrainingData) throws {
            let state = directory.appendingPathComponent(TrainingRun.stateFile).path
            guard FileManager.default.fileExists(atPath: state) else {
                throw DiffusionError(
                    .io, "\(state): missing; --resume needs a run saved by rounds train in \(directory.path)")
            }
            let saved = try UNetConfig(contentsOf: directory.appendingPathComponent("unet/config.json"))
            guard saved == config else {
                throw DiffusionError(
                    .invalidConfig,
                    "\(directory.path)/unet/config.json: the saved run's UNet config differs from --config; "
                        + "resume with the config the run started with")
            }
            let manifestURL = directory.appendingPathComponent(DiffusionModel.manifestFile)
            guard let text = FileManager.default.contents(atPath: manifestURL.path) else {
                throw DiffusionError(.io, "\(manifestURL.path): missing")
            }
            manifest = try ModelManifest(json: String(decoding: text, as: UTF8.self), source: manifestURL.path)
            guard manifest.conditions == data.conditions else {
                throw DiffusionError(
                    .invalidArgument,
                    "\(manifestURL.path): conditions: the run was trained on \(manifest.conditions), "
                        + "--data has \(data.conditions)")
            }
            weightsSHA256 = try DiffusionOutputs.weightsSHA256(modelDirectory: directory, layout: .rounds)
            losses = try LossFile.read(directory.appendingPathComponent(LossFile.csv))
        }
    }

    /// Seed, learning rate, EMA decay and batch: given, or the resumed run's (which a given value must match).
    struct Settings {
        var seed: UInt64
        var lr: Double
        var emaDecay: Double
        var batch: Int

        init(seed: UInt64?, lr: Double?, emaDecay: Double?, batch: Int, previous: Previous?) throws {
            self.batch = batch
            guard let previous else {
                (self.seed, self.lr, self.emaDecay) = (seed ?? 0, lr ?? 1e-4, emaDecay ?? 0.999)
                return
            }
            let h = previous.manifest.lineage.hyperparameters
            func saved(_ key: String) throws -> Double {
                guard case .number(let v)? = h[key] else {
                    throw DiffusionError(
                        .invalidConfig, "rounds.json: lineage.hyperparameters.\(key): missing; cannot resume this run")
                }
                return v
            }
            func same(_ option: String, _ given: Double?, _ key: String) throws -> Double {
                let v = try saved(key)
                if let given, given != v {
                    let text = { (x: Double) in JSONValue.number(x).canonicalString }
                    throw ValidationError(
                        "\(option) \(text(given)) differs from the resumed run's \(text(v)) (rounds.json)")
                }
                return v
            }
            self.seed = UInt64(try same("--seed", seed.map { Double($0) }, "seed"))
            self.lr = try same("--lr", lr, "learning_rate")
            self.emaDecay = try same("--ema-decay", emaDecay, "ema_decay")
            _ = try same("--batch", Double(batch), "batch")
        }
    }

    let trainer: DiffusionTrainer
    let data: TrainingData
    let directory: URL
    let batchSize: Int
    private var order: BatchOrder
    private(set) var losses: [(step: Int, loss: Float)]

    init(
        config: UNetConfig, data: TrainingData, settings: Settings, hyperparameters: [String: JSONValue],
        directory: URL, previous: Previous?
    ) throws {
        let size = config.sampleSize ?? 0
        let unet = try UNet2DModel(config: config, seed: settings.seed)
        let manifest = ModelManifest(
            conditions: data.conditions, nullClassIndex: data.conditions.count, imageSize: size,
            channels: config.inChannels, ema: false,
            lineage: ModelLineage(objective: "pretrain", hyperparameters: hyperparameters))
        let model = DiffusionModel(unet: unet, scheduler: SchedulerConfig(kind: .ddpm), manifest: manifest)
        var options = TrainingOptions()
        options.learningRate = Float(settings.lr)
        options.emaMaxDecay = settings.emaDecay > 0 ? Float(settings.emaDecay) : nil
        options.seed = settings.seed
        trainer = try DiffusionTrainer(model: model, options: options)
        self.data = data
        self.directory = directory
        batchSize = settings.batch
        order = BatchOrder(count: data.images.count, batchSize: batchSize, seed: settings.seed)
        losses = []
        if let previous {
            try trainer.restoreState(from: directory.appendingPathComponent(Self.stateFile).path)
            losses = previous.losses.filter { $0.step <= trainer.step }
        }
    }

    /// Mean loss of the last (up to) 10 steps.
    var recentLoss: Float {
        let tail = losses.suffix(10)
        return tail.isEmpty ? .nan : tail.map(\.loss).reduce(0, +) / Float(tail.count)
    }

    /// Called after each checkpoint with the folder that keeps that checkpoint's model, its step, and
    /// whether it is the run's last (`Train` records each in the store, chained by parent).
    typealias CheckpointHandler = (_ model: URL, _ step: Int, _ final: Bool) throws -> Void

    /// Folder of the periodic checkpoint at `step`: `checkpoints/step-<step>` inside the model directory
    /// (the top level always holds the newest model and the state `--resume` continues from).
    func snapshotDirectory(step: Int) -> URL {
        directory.appendingPathComponent("checkpoints").appendingPathComponent("step-\(step)")
    }

    /// Trains up to step `last`, checkpointing every `checkpointEvery` steps and at the end.
    func train(to last: Int, checkpointEvery: Int?, onCheckpoint: CheckpointHandler = { _, _, _ in }) throws {
        let first = trainer.step
        let progress = TrainProgress(total: last, first: first, batch: batchSize)
        let plane = data.images[0].count
        for step in (first + 1)...last {
            let picks = order.indices(step: step - 1)
            var scalars: [Float] = []
            scalars.reserveCapacity(picks.count * plane)
            for i in picks { scalars += data.images[i] }
            let s = trainer.model.manifest.imageSize
            let images = Tensor(shape: [picks.count, trainer.model.unet.config.inChannels, s, s], scalars: scalars)
            let result = try trainer.train(images: images, labels: picks.map { data.labels[$0] })
            guard result.loss.isFinite else {
                throw DiffusionError(
                    .invalidArgument, "step \(step): the loss is \(result.loss); training diverged (lower --lr)")
            }
            losses.append((step, result.loss))
            progress.update(step: step, loss: recentLoss)
            if let k = checkpointEvery, step % k == 0, step != last {
                let snapshot = snapshotDirectory(step: step)
                try checkpoint(alsoTo: snapshot)
                try onCheckpoint(snapshot, step, false)
            }
        }
        try checkpoint()
        try onCheckpoint(directory, last, true)
    }

    /// Writes the model directory (EMA weights when there is an EMA), the training state and the loss
    /// files; the model also goes to `snapshot` when given (a periodic checkpoint that stays on disk).
    func checkpoint(alsoTo snapshot: URL? = nil) throws {
        let model = trainer.emaModel()
        try model.save(to: directory)
        if let snapshot { try model.save(to: snapshot) }
        try trainer.saveState(to: directory.appendingPathComponent(Self.stateFile).path)
        try LossFile.write(losses, to: directory)
    }
}

/// `loss.csv` (`step,loss`) and `loss.svg` of a model directory.
enum LossFile {
    static let csv = "loss.csv", svg = "loss.svg"

    /// Reads `loss.csv`; a missing file is no losses, a malformed line an error naming file and line.
    static func read(_ url: URL) throws -> [(step: Int, loss: Float)] {
        guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
        var out: [(Int, Float)] = []
        for (i, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() where i > 0 {
            let parts = line.split(separator: ",")
            guard parts.count == 2, let step = Int(parts[0]), let loss = Float(String(parts[1])) else {
                throw DiffusionError(.invalidConfig, "\(url.path):\(i + 1): expected step,loss, got '\(line)'")
            }
            out.append((step, loss))
        }
        return out
    }

    static func write(_ losses: [(step: Int, loss: Float)], to directory: URL) throws {
        var text = "step,loss\n"
        for (step, loss) in losses { text += "\(step),\(loss)\n" }
        let chart = LineChart(
            title: "Training loss", xLabel: "step", yLabel: "MSE",
            series: [.init("loss", losses.map { (Double($0.step), Double($0.loss)) })])
        for (name, body) in [(csv, text), (svg, chart.render())] {
            let url = directory.appendingPathComponent(name)
            do { try Data(body.utf8).write(to: url, options: .atomic) } catch {
                throw DiffusionError(.io, "\(url.path): cannot write", cause: error)
            }
        }
    }
}

/// The progress line of `rounds train`: step, recent loss, images/s and ETA; redrawn on a terminal,
/// a plain line every few seconds otherwise.
final class TrainProgress {
    private let total: Int, first: Int, batch: Int
    private let start = Date()
    private var last = Date.distantPast
    private let isTerminal = isatty(STDERR_FILENO) == 1

    init(total: Int, first: Int, batch: Int) {
        (self.total, self.first, self.batch) = (total, first, batch)
    }

    func update(step: Int, loss: Float) {
        let now = Date()
        let finished = step >= total
        guard finished || now.timeIntervalSince(last) >= (isTerminal ? 0.2 : 5) else { return }
        last = now
        let elapsed = max(now.timeIntervalSince(start), 1e-9)
        let done = step - first
        let rate = Double(done * batch) / elapsed
        let eta = Double(total - step) * elapsed / Double(max(done, 1))
        let text = String(
            format: "train: step %d/%d, loss %.4f, %.1f images/s, ETA %.0fs", step, total, Double(loss), rate, eta)
        if isTerminal {
            FileHandle.standardError.write(Data("\r\(text)\u{1B}[K\(finished ? "\n" : "")".utf8))
        } else {
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }
}
