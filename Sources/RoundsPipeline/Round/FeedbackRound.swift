import Foundation
import RoundsBroker
import RoundsChecklists
import RoundsCore
import RoundsDiffusion
import RoundsJudge
import RoundsStore

/// One feedback round (Sun et al., MAGIC): sample the parent model, judge the samples, turn verdicts into
/// RFT weights and DPO pairs with the broker, finetune once per objective, and finetune the control arm
/// (`ControlArm`: the same steps on the judge-filtered real images alone). Every model (the parent as
/// `before`, the control and each objective) is then sampled from the same evaluation seeds, which never
/// built the signal, and judged. Every step goes through the same store, broker files and checkpoint rows
/// as the individual commands, so a round can be audited like hand-run steps.
public struct FeedbackRound {
    /// Judges stored images by id, returning the run's summary (the simulator or a real endpoint).
    public typealias Judge = ([String]) async throws -> JudgeRunner.Summary

    public struct Settings {
        /// The parent's images that build the signal: sampled from noise or transferred from sources.
        public var images: RoundImages
        /// The images every model is evaluated on: the same kind, from seeds disjoint from `images`'s
        /// (`RoundImages.evaluation`), so no evaluation image shares its noise with a sample the signal
        /// was built from.
        public var evaluation: RoundImages
        /// Finetune the control arm too (needs real images).
        public var control: Bool
        public var objectives: [FinetuneObjective]
        public var rft: FinetuneSettings
        public var dpo: FinetuneSettings
        public var weighting: RFTWeighting
        public var pairRule: PairRule
        /// Pair candidates per condition for the pair rule.
        public var pairsPerCondition: Int
        public var generator: String
        /// Judge the real training images too (`RealFeedback`): RFT's real term keeps only those meeting
        /// every criterion, and DPO adds pairs of a compliant against a broken real image. Real data can be
        /// clinically wrong as well (mislabelled, or a benchmark painted with broken criteria); without
        /// this the real term pulls the model back towards its flaws.
        public var judgeReal: Bool

        public init(
            images: RoundImages, objectives: [FinetuneObjective], rft: FinetuneSettings, dpo: FinetuneSettings,
            weighting: RFTWeighting, pairRule: PairRule = .magic, pairsPerCondition: Int = 512,
            generator: String = "rounds", judgeReal: Bool = false, evaluation: RoundImages? = nil, control: Bool = true
        ) {
            self.evaluation = evaluation ?? images.evaluation()
            self.control = control
            self.judgeReal = judgeReal
            self.images = images
            self.objectives = objectives
            self.rft = rft
            self.dpo = dpo
            self.weighting = weighting
            self.pairRule = pairRule
            self.pairsPerCondition = pairsPerCondition
            self.generator = generator
        }
    }

    /// What a round measured and made.
    public struct Result {
        /// The parent on the evaluation images.
        public var before: ModelEvaluation
        /// The parent's samples that built the signal, as judged (never evaluated against the arms).
        public var signal: ModelEvaluation?
        public var signalImages: [ImageRecord] = []
        /// The control arm on the evaluation images (nil when it did not run: no real images, or off).
        public var control: ModelEvaluation?
        public var controlCurve: FinetuneCurve?
        public var controlDirectory: String?
        public var after: [FinetuneObjective: ModelEvaluation] = [:]
        public var curves: [FinetuneObjective: FinetuneCurve] = [:]
        public var checkpoints: [String: Int64] = [:]
        public var modelDirectories: [FinetuneObjective: String] = [:]
        public var samples: [String: [ImageRecord]] = [:]
        public var judgeRuns: [String: Int64] = [:]
        /// RFT: weighted images and their mean weight; DPO: MAGIC's pair counts.
        public var rftWeights: (count: Int, meanWeight: Double)?
        public var dpoCounts: PairCounts?
        public var signalFiles: [FinetuneObjective: String] = [:]
        /// RFT's real term: the real images it trained on, of how many (fewer when `judgeReal` kept only
        /// those meeting every criterion).
        public var realImages: (used: Int, of: Int) = (0, 0)
        /// DPO pairs of real images (with `judgeReal`), beside the broker's pairs of samples.
        public var realPairs = 0
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

    /// Runs the round from `parent` (saved at `parentDirectory`), with `real` images for RFT's β_r term.
    public func run(
        parent: DiffusionModel, parentDirectory: String, real: [RealExample], judge: Judge, judgeModel: String,
        log: (String) -> Void, progress: (String, Int, Int) -> Void
    ) async throws -> Result {
        try checkSeeds(conditions: parent.manifest.conditions.count)
        let parentID = try CheckpointRecorder.record(parent, directory: parentDirectory, store: store)
        let signalSamples = try await sampleAndJudge(
            parent, images: settings.images, checkpointID: parentID, name: "signal", judge: judge, log: log,
            progress: progress)
        let before = try await sampleAndJudge(
            parent, images: settings.evaluation, checkpointID: parentID, name: "before", judge: judge, log: log,
            progress: progress)
        var result = Result(before: before.evaluation)
        result.signal = signalSamples.evaluation
        result.signalImages = signalSamples.images
        result.checkpoints["before"] = parentID
        result.samples["before"] = before.images
        result.judgeRuns["before"] = before.runID
        result.judgeRuns["signal"] = signalSamples.runID
        try FileManager.default.createDirectory(atPath: "\(outDir)/signal", withIntermediateDirectories: true)
        let feedback = try await realFeedback(real, judge: judge, log: log)
        let realImages = feedback?.compliant ?? real
        let realTerm = realImages.map(\.example)
        result.realImages = (realTerm.count, real.count)
        if settings.control {
            try await runControl(
                parent: parent, parentDirectory: parentDirectory, parentID: parentID, real: realImages,
                into: &result, judge: judge, log: log, progress: progress)
        }

        for objective in settings.objectives {
            let data: FinetuneData
            let signal: String
            switch objective {
            case .rft:
                signal = "\(outDir)/signal/rft-weights.csv"
                let job = RFTJob(run: signalSamples.runID, policy: ScorePolicy(), weighting: settings.weighting, out: signal)
                let made = try job.run(store: store, catalog: catalog)
                let weights = made.weights.entries.map(\.weight)
                result.rftWeights = (weights.count, weights.reduce(0, +) / Double(max(weights.count, 1)))
                log("broker: RFT weights for \(weights.count) images (mean weight "
                    + String(format: "%.3f", result.rftWeights!.meanWeight) + ") → \(signal)")
                let synthetic = try SignalExamples.rft(try TrainingSignal.readWeights(path: signal), model: parent)
                data = .rft(synthetic: synthetic, real: realTerm)
            case .dpo:
                // MAGIC pairs image-to-image outputs of the same source; sampled images pair within a condition.
                let sameSource: Bool
                if case .transfer = settings.images { sameSource = true } else { sameSource = false }
                signal = "\(outDir)/signal/dpo-pairs.parquet"
                for condition in Set(signalSamples.images.compactMap(\.condition)).sorted() {
                    _ = try PairsMakeJob(
                        condition: condition, sameSource: sameSource, max: settings.pairsPerCondition,
                        seed: settings.images.seed, only: Set(signalSamples.images.map(\.id))
                    ).run(store: store)
                }
                let made = try DPOJob(
                    run: signalSamples.runID, rule: settings.pairRule, policy: ScorePolicy(), sameSource: sameSource, out: signal)
                    .run(store: store, catalog: catalog)
                result.dpoCounts = made.set.counts
                let c = made.set.counts
                log("broker: \(made.set.pairs.count) one-winner DPO pairs (\(c.bothWin) both-win, \(c.bothLose) "
                    + "both-lose, \(c.oneWinner) one-winner of \(c.total)) → \(signal)")
                let pairs = try dpoPairs(
                    try SignalExamples.dpo(try TrainingSignal.readPairs(path: signal), model: parent), real: feedback, log: log)
                result.realPairs = pairs.count - made.set.pairs.count
                data = .dpo(pairs)
            }
            result.signalFiles[objective] = signal
            let settings = objective == .rft ? self.settings.rft : self.settings.dpo
            let job = FinetuneJob(settings: settings, parentPath: parentDirectory, signal: signal)
            let started = Date()
            let (model, curve) = try job.run(parent: parent, data: data) { curve in
                progress("finetune \(objective.rawValue)", curve.points.count, settings.steps)
            }
            let directory = "\(outDir)/models/\(objective.rawValue)"
            var metrics: [String: JSONValue] = [
                "final_loss": .number(Double(curve.recent { $0.loss })),
                "seconds": .number(Date().timeIntervalSince(started)),
            ]
            if objective == .dpo {
                metrics["implicit_accuracy"] = .number(Double(curve.recent { $0.implicitAccuracy }))
                metrics["margin"] = .number(Double(curve.recent { $0.margin }))
            }
            let id = try CheckpointRecorder.save(
                model, to: directory, parentID: parentID, metrics: .object(metrics), store: store)
            try curve.write(to: URL(fileURLWithPath: directory))
            log("finetune \(objective.rawValue): \(settings.steps) steps, final loss "
                + String(format: "%.4f", Double(curve.recent { $0.loss })) + " → \(directory)")
            let after = try await sampleAndJudge(
                model, images: self.settings.evaluation, checkpointID: id, name: objective.rawValue, judge: judge, log: log,
                progress: progress)
            result.after[objective] = after.evaluation
            result.curves[objective] = curve
            result.checkpoints[objective.rawValue] = id
            result.modelDirectories[objective] = directory
            result.samples[objective.rawValue] = after.images
            result.judgeRuns[objective.rawValue] = after.runID
            var row: [String: JSONValue] = [
                "before": RoundSummary.block(before.evaluation), "after": RoundSummary.block(after.evaluation),
                "gain": RoundSummary.gain(before: before.evaluation, after: after.evaluation),
                "training": RoundSummary.training(objective, result: result, settings: self.settings),
                "signal": .string(signal), "signal_run": signalSamples.runID.map { .number(Double($0)) } ?? .null,
            ]
            if let control = result.control {
                row["control"] = RoundSummary.block(control)
                row["gain_over_control"] = RoundSummary.gainOverControl(control: control, arm: after.evaluation)
            }
            try store.addFeedbackRound(FeedbackRoundRecord(
                parentCheckpointID: parentID, checkpointID: id, objective: objective.rawValue, judgeModel: judgeModel,
                beforeRunID: before.runID, afterRunID: after.runID, samples: before.images.count,
                beforeRate: before.evaluation.allCriteria.rate, afterRate: after.evaluation.allCriteria.rate,
                summary: JSONValue.object(row).canonicalString))
        }
        return result
    }

    /// The judge's verdicts on the real images when `judgeReal` asks for them (nil otherwise).
    private func realFeedback(_ real: [RealExample], judge: Judge, log: (String) -> Void) async throws -> RealFeedback? {
        guard settings.judgeReal, !real.isEmpty else { return nil }
        let summary = try await judge(real.map(\.record.id))
        let feedback = try RealFeedback.read(real, store: store, catalog: catalog)
        log("judge real: \(summary.judged) judged, \(summary.failed) failed; \(feedback.compliant.count) of \(real.count) real "
            + "training images meet every criterion, \(feedback.broken.count) break one"
            + (feedback.unjudged > 0 ? ", \(feedback.unjudged) unjudged (left out)" : ""))
        return feedback
    }

    /// DPO's pairs: the broker's, plus with `judgeReal` as many real pairs per condition (compliant winner,
    /// broken loser), listed in `signal/dpo-real-pairs.csv`.
    private func dpoPairs(_ synthetic: [FinetunePair], real: RealFeedback?, log: (String) -> Void) throws -> [FinetunePair] {
        guard let real else { return synthetic }
        let perCondition = Dictionary(grouping: synthetic, by: \.label).mapValues(\.count)
        let pairs = real.pairs(perCondition: perCondition, seed: settings.images.seed)
        let path = "\(outDir)/signal/dpo-real-pairs.csv"
        try RealFeedback.writePairs(pairs, to: path)
        log("broker: \(pairs.count) real DPO pairs (compliant winner, broken loser) → \(path)")
        return synthetic + pairs.map { FinetunePair(winner: $0.winner.example.image, loser: $0.loser.example.image, label: $0.winner.example.label) }
    }

    /// The control arm (`ControlArm`): finetuned on `real`, saved to `outDir/models/control`, evaluated.
    private func runControl(
        parent: DiffusionModel, parentDirectory: String, parentID: Int64, real: [RealExample], into result: inout Result,
        judge: Judge, log: (String) -> Void, progress: (String, Int, Int) -> Void
    ) async throws {
        guard !real.isEmpty else {
            log("control arm: not run (no real images to finetune on), so no gain over the control is reported")
            return
        }
        let started = Date()
        let listing = "\(outDir)/signal/control-real-images.csv"
        let (model, curve) = try ControlArm.train(
            parent: parent, parentDirectory: parentDirectory, real: real, rft: settings.rft, listing: listing
        ) { curve in progress("finetune control", curve.points.count, settings.rft.steps) }
        let directory = "\(outDir)/models/control"
        let metrics: JSONValue = [
            "final_loss": .number(Double(curve.recent { $0.loss })), "seconds": .number(Date().timeIntervalSince(started)),
        ]
        let id = try CheckpointRecorder.save(model, to: directory, parentID: parentID, metrics: metrics, store: store)
        try curve.write(to: URL(fileURLWithPath: directory))
        log("finetune control (real images alone): \(settings.rft.steps) steps on \(real.count) real images, final loss "
            + String(format: "%.4f", Double(curve.recent { $0.loss })) + " → \(directory)")
        let after = try await sampleAndJudge(
            model, images: settings.evaluation, checkpointID: id, name: "control", judge: judge, log: log, progress: progress)
        result.control = after.evaluation
        result.controlCurve = curve
        result.controlDirectory = directory
        result.checkpoints["control"] = id
        result.samples["control"] = after.images
        result.judgeRuns["control"] = after.runID
    }

    /// Refuses evaluation images that share a noise seed with the signal's: an evaluation sample must
    /// never be one the signal was built from.
    private func checkSeeds(conditions: Int) throws {
        let shared = settings.images.seeds(conditions: conditions).intersection(settings.evaluation.seeds(conditions: conditions))
        guard shared.isEmpty else {
            throw DiffusionError(.invalidArgument, "the round's evaluation images share \(shared.count) noise seed(s) with "
                + "the samples that build the signal (e.g. \(shared.min()!)); evaluate on other seeds")
        }
    }

    private func sampleAndJudge(
        _ model: DiffusionModel, images source: RoundImages, checkpointID: Int64, name: String, judge: Judge,
        log: (String) -> Void, progress: (String, Int, Int) -> Void
    ) async throws -> (images: [ImageRecord], evaluation: ModelEvaluation, runID: Int64?) {
        let images = try source.write(
            model: model, checkpointID: checkpointID, generator: "\(settings.generator) (\(name))",
            outDir: "\(outDir)/samples/\(name)", store: store
        ) { done, total in progress("\(source.verb) \(name)", done, total) }
        let summary = try await judge(images.map(\.id))
        log("judge \(name): \(summary.judged) judged, \(summary.failed) failed (run \(summary.runID.map(String.init) ?? "?"))")
        let evaluation = try ModelEvaluation.evaluate(images: images, store: store, catalog: catalog)
        log("\(name): \(evaluation.allCriteria.successes)/\(evaluation.allCriteria.total) samples meet every criterion")
        return (images, evaluation, summary.runID)
    }
}
