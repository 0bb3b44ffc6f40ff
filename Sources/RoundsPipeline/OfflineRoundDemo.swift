import Foundation
import RoundsBroker
import RoundsChecklists
import RoundsCore
import RoundsDiffusion
import RoundsImaging
import RoundsJudge
import RoundsSimulator
import RoundsStore
import RoundsVision

/// The offline demo: the whole feedback loop on the procedural benchmark, with no key and no network.
///
/// Paints the benchmark (the "real" images), stores it, loads the shipped pretrained checkpoint, then
/// runs one `FeedbackRound` for RFT, DPO and the control arm with the SIMULATOR judge served on
/// loopback and asked over real HTTP. The shares come from the simulator's verdicts and from the
/// pixels; the simulator is also asked about the real test images, so its agreement with how they
/// were painted is measured in the same run.
public struct OfflineRoundDemo {
    public struct Settings {
        public var outDir: String
        public var pretrained: String
        public var simulator: SimulatorSettings
        /// Real images painted per condition, test split included (the clean benchmark: 80, of which the
        /// first 64 are the checkpoint's training images; the defect checkpoints: 256).
        public var realPerCondition: Int
        /// Share of the real images painted with a broken criterion: the pretrained model's training data
        /// (0 for the clean benchmark's checkpoint, 0.85 for the defect-data ones).
        public var defectRate: Double
        /// Requests per image, combined by majority vote per criterion (`rounds judge --samples`).
        public var judgeSamples: Int
        public var round: FeedbackRound.Settings

        public init(outDir: String, pretrained: String, simulator: SimulatorSettings, realPerCondition: Int,
                    defectRate: Double, judgeSamples: Int = 1, round: FeedbackRound.Settings) {
            self.judgeSamples = judgeSamples
            self.defectRate = defectRate
            self.outDir = outDir
            self.pretrained = pretrained
            self.simulator = simulator
            self.realPerCondition = realPerCondition
            self.round = round
        }
    }

    public var settings: Settings
    public var catalog: ChecklistCatalog
    public var prompts: PromptLibrary

    public init(settings: Settings, catalog: ChecklistCatalog, prompts: PromptLibrary) {
        self.settings = settings
        self.catalog = catalog
        self.prompts = prompts
    }

    /// The benchmark as painted for a checkpoint trained on `rounds dataset synth --size 32 --per-condition
    /// N --seed 1 --defect-rate D` (the clean benchmark: N = 80, D = 0, trained on the train split).
    public static func dataset(perCondition: Int, defectRate: Double) throws -> SyntheticDataset {
        try SyntheticDataset(size: 32, perCondition: perCondition, defectRate: defectRate, seed: 1)
    }

    public func run(log: @escaping (String) -> Void, progress: @escaping @Sendable (String, Int, Int) -> Void) async throws
        -> DemoSummary
    {
        let start = Date()
        let out = settings.outDir
        let storePath = out + "/rounds.sqlite"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: storePath + suffix) }
        for folder in ["samples", "models", "signal"] { try? FileManager.default.removeItem(atPath: "\(out)/\(folder)") }
        let store = try Store(path: storePath)

        let parent = try DiffusionModel(directory: URL(fileURLWithPath: settings.pretrained))
        log("pretrained checkpoint: \(settings.pretrained) (\(parent.unet.parameterCount) parameters, "
            + "\(parent.manifest.conditions.count) conditions, \(parent.manifest.imageSize)x\(parent.manifest.imageSize))")
        let real = try paintRealImages(store: store, model: parent, log: log)

        let server = try await SimulatorServer.start(settings: settings.simulator)
        log("SIMULATOR judge (measures pixels; not a clinical model) at \(server.baseURL)")
        let endpoint = try EndpointConfig.adHoc(baseURL: server.baseURL, model: SimulatorServer.modelName, provider: .openai)
        let judge: FeedbackRound.Judge = { ids in
            let plan = try JudgeRunPlan.make(
                store: store, catalog: catalog, prompts: prompts, model: endpoint.model, imageIDs: ids)
            let client = JudgeClient(endpoint: endpoint, apiKey: nil, options: JudgeOptions(samples: settings.judgeSamples))
            return try await JudgeRunner(store: store, client: client)
                .run(plan) { p in progress("judge", p.done, ids.count) }
        }
        do {
            let judgeCheck = try await checkJudge(real.test, judge: judge, store: store)
            log("simulator on the real test images: "
                + String(format: "%.1f%%", judgeCheck.verdictAgreement.rate * 100)
                + " of verdicts agree with the painting")
            let round = FeedbackRound(settings: settings.round, store: store, catalog: catalog, outDir: out)
            let result = try await round.run(
                parent: parent, parentDirectory: settings.pretrained, real: real.train, judge: judge,
                judgeModel: SimulatorServer.modelName, log: log, progress: progress)
            await server.stop()
            let recognised = try recognition(result, real: real.train.map(\.example), model: parent, log: log)
            var summary = DemoSummary(
                result: result, settings: settings, judgeCheck: judgeCheck, storePath: storePath,
                seconds: Date().timeIntervalSince(start))
            summary.setClassifierAccuracy(recognised)
            return summary
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Paints the benchmark into `out/dataset`, stores it as real images and returns the model inputs of
    /// the train split (RFT's real term) and the test split's records (the judge check).
    private func paintRealImages(store: Store, model: DiffusionModel, log: (String) -> Void) throws
        -> (train: [RealExample], test: [(ImageRecord, Set<String>)])
    {
        let dataset = try Self.dataset(perCondition: settings.realPerCondition, defectRate: settings.defectRate)
        let dataDir = settings.outDir + "/dataset"
        log("painting \(settings.realPerCondition * dataset.conditions.count) real stand-in images into \(dataDir)"
            + (settings.defectRate > 0
                ? " (\(Int((settings.defectRate * 100).rounded()))% with a broken criterion, like the checkpoint's training data)"
                : ""))
        _ = try DatasetWriter(dataset: dataset).write(to: dataDir)
        var records: [ImageRecord] = []
        var train: [RealExample] = []
        var test: [(ImageRecord, Set<String>)] = []
        let (channels, size) = (model.unet.config.inChannels, model.manifest.imageSize)
        for item in try dataset.items() {
            let path = "\(dataDir)/\(item.spec.condition.rawValue)/\(item.fileName)"
            let loaded = try ImageFile.load(path: path)
            let condition = try ConditionID(domain: SyntheticCondition.domain, name: item.spec.condition.rawValue)
            let record = ImageRecord(
                id: loaded.image.imageID, fileSHA256: loaded.fileSHA256, path: ImageIdentity.absolutePath(path),
                format: .png, width: loaded.image.width, height: loaded.image.height, byteCount: loaded.byteCount,
                condition: condition, origin: .real, split: item.split, generator: "rounds procedural benchmark",
                skinTone: "ita:\(item.spec.tone.rawValue)")
            records.append(record)
            if item.split == .test {
                test.append((record, Set(item.spec.failing.map(\.rawValue))))
            } else {
                let label = try model.manifest.classIndex(of: condition.description)
                train.append(RealExample(record: record, example: FinetuneExample(
                    image: ModelImages.input(loaded.image, channels: channels, size: size), label: label)))
            }
        }
        _ = try store.addImages(records)
        return (train, test)
    }

    /// Trains the condition classifier on the real train split and measures how often it names each
    /// model's samples' intended condition (the recognisability check: feedback must not buy checklist
    /// compliance by making conditions harder to tell apart).
    private func recognition(
        _ result: FeedbackRound.Result, real: [FinetuneExample], model: DiffusionModel, log: (String) -> Void
    ) throws -> [String: Double] {
        let (channels, size) = (model.unet.config.inChannels, model.manifest.imageSize)
        let options = ClassifierTrainingOptions(
            epochs: ClassifierTrainingOptions.automaticEpochs(images: real.count), seed: 3)
        let classifier = try ConditionClassifier.train(
            images: real.map(\.image), labels: real.map(\.label), conditions: model.manifest.conditions,
            channels: channels, size: size, options: options)
        var accuracy: [String: Double] = [:]
        for (name, images) in result.samples {
            let inputs = try images.map { try ModelImages.input(path: $0.path, channels: channels, size: size) }
            let labels = try images.map { try model.manifest.classIndex(of: $0.condition?.description ?? "") }
            accuracy[name] = try classifier.accuracy(images: inputs, labels: labels)
        }
        log("condition classifier (trained on \(real.count) real images): recognises "
            + accuracy.keys.sorted().map { "\($0) " + String(format: "%.1f%%", accuracy[$0]! * 100) }.joined(separator: ", "))
        return accuracy
    }

    /// Judges the real test images and measures verdict agreement with how they were painted.
    private func checkJudge(_ test: [(ImageRecord, Set<String>)], judge: FeedbackRound.Judge, store: Store) async throws
        -> JudgeCheck
    {
        _ = try await judge(test.map(\.0.id))
        var agree = 0, total = 0
        let evaluation = try ModelEvaluation.evaluate(images: test.map(\.0), store: store, catalog: catalog)
        for (record, broken) in test {
            guard let id = record.condition, let version = catalog.checklists[id]?.version else { continue }
            for v in try store.latestVerdicts(checklistVersion: version, imageIDs: [record.id]) {
                total += 1
                if (v.verdict == .met) == !broken.contains(v.criterionID) { agree += 1 }
            }
        }
        return JudgeCheck(
            images: test.count, allCriteriaJudged: evaluation.allCriteria,
            verdictAgreement: Proportion(successes: agree, total: total))
    }
}

/// How the simulator judged real images painted to meet every criterion.
public struct JudgeCheck: Sendable, Codable {
    public var images: Int
    public var allCriteriaJudged: Proportion
    public var verdictAgreement: Proportion
}
