import Foundation
import RoundsCore
import RoundsDiffusion
import RoundsTensor

/// A preference pair ready for DPO: winner and loser as `[C, S, S]` in [-1, 1], and the class.
public struct FinetunePair: Sendable {
    public var winner: [Float], loser: [Float]
    public var label: Int

    public init(winner: [Float], loser: [Float], label: Int) {
        self.winner = winner
        self.loser = loser
        self.label = label
    }
}

/// What a finetuning run consumes: weighted synthetic and real images (RFT) or pairs (DPO).
public enum FinetuneData: Sendable {
    case rft(synthetic: [FinetuneExample], real: [FinetuneExample])
    case dpo([FinetunePair])
}

/// One finetuning run from a parent model: RFT or DPO for `settings.steps` steps, reporting each step.
/// The result is a new model (raw weights) whose lineage names the parent, objective, signal and
/// hyper-parameters, and the curve of its steps.
public struct FinetuneJob {
    public var settings: FinetuneSettings
    /// The parent's model directory (recorded as `lineage.parent`).
    public var parentPath: String
    /// The signal file or preference set the data came from (recorded as `lineage.signal`).
    public var signal: String

    public init(settings: FinetuneSettings, parentPath: String, signal: String) {
        self.settings = settings
        self.parentPath = parentPath
        self.signal = signal
    }

    /// Finetunes a copy of `parent`'s weights (the result holds the EMA when the settings ask for one);
    /// `parent` itself is not changed.
    ///
    /// - Parameter progress: called after every step with the curve so far.
    /// - Throws: `DiffusionError` for settings or data that do not fit the model, or a diverging loss.
    public func run(
        parent: DiffusionModel, data: FinetuneData, progress: (FinetuneCurve) -> Void = { _ in }
    ) throws(DiffusionError) -> (model: DiffusionModel, curve: FinetuneCurve) {
        try settings.validate()
        let model = DiffusionModel(unet: parent.unet.copy(), scheduler: parent.scheduler, manifest: parent.manifest)
        var curve = FinetuneCurve(objective: settings.objective)
        var finished: DiffusionTrainer?
        switch (settings.objective, data) {
        case (.rft, .rft(let synthetic, let real)):
            let trainer = try RFTTrainer(
                model: model, training: settings.training, options: settings.rft, synthetic: synthetic, real: real)
            finished = trainer.trainer
            for step in 1...settings.steps {
                trainer.trainer.optimizer.learningRate = settings.learningRate(at: step)
                let r = try trainer.step()
                try Self.check(r.loss, step: step)
                curve.points.append(.init(step: step, loss: r.loss))
                progress(curve)
            }
        case (.dpo, .dpo(let pairs)):
            guard !pairs.isEmpty else { throw DiffusionError(.invalidArgument, "DPO: the signal has no pairs") }
            let trainer = try DPOTrainer(model: model, training: settings.training, options: settings.dpo)
            finished = trainer.trainer
            var order = BatchOrder(
                count: pairs.count, batchSize: min(settings.pairsPerStep, pairs.count), seed: settings.seed)
            let shape = [model.unet.config.inChannels, model.manifest.imageSize, model.manifest.imageSize]
            for step in 1...settings.steps {
                trainer.trainer.optimizer.learningRate = settings.learningRate(at: step)
                let batch = order.indices(step: step - 1).map { pairs[$0] }
                let r = try trainer.step(
                    winners: Tensor(shape: [batch.count] + shape, scalars: batch.flatMap(\.winner)),
                    losers: Tensor(shape: [batch.count] + shape, scalars: batch.flatMap(\.loser)),
                    labels: batch.map(\.label))
                try Self.check(r.loss, step: step)
                curve.points.append(.init(step: step, loss: r.loss, implicitAccuracy: r.implicitAccuracy, margin: r.margin))
                progress(curve)
            }
        default:
            throw DiffusionError(.invalidArgument, "objective \(settings.objective.rawValue): the data is for the other objective")
        }
        let result = finished.map { $0.emaModel() } ?? model
        result.manifest.lineage = ModelLineage(
            parent: parentPath, objective: settings.objective.rawValue, signal: signal,
            hyperparameters: settings.hyperparameters)
        return (result, curve)
    }

    private static func check(_ loss: Float, step: Int) throws(DiffusionError) {
        guard loss.isFinite else {
            throw DiffusionError(.invalidArgument, "step \(step): the loss is \(loss); finetuning diverged (lower the learning rate)")
        }
    }
}
