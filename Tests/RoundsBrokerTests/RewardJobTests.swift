import Foundation
import RoundsChecklists
import RoundsCore
import RoundsImaging
import RoundsStore
import RoundsTensor
import RoundsVision
import Testing

@testable import RoundsBroker

/// A store with 8x8 images of three toy conditions (a bright disc in the condition's colour channel),
/// a classifier trained on the real ones, and a rater who calls a synthetic image plausible exactly
/// when its disc has its condition's colour.
final class RewardFixture {
    static let conditions = ["toy/red", "toy/green", "toy/blue"]
    let folder: URL
    let store: Store
    let classifierDirectory: URL
    var synthetic: [ImageRecord] = []

    init(labelled: Bool = true) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("rounds-reward-job-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try Store(path: folder.appendingPathComponent("rounds.sqlite").path)
        classifierDirectory = folder.appendingPathComponent("classifier")
        var rng = PCG32(seed: 11)
        var reals: [[Float]] = [], realLabels: [Int] = []
        for i in 0..<36 {
            let k = i % 3
            let image = Self.disc(channel: k, rng: &rng)
            _ = try add(image, "real\(i)", condition: k, origin: .real)
            reals.append(LabelledImageFolder.modelInput(image, size: 8, channels: 3))
            realLabels.append(k)
        }
        let classifier = try ConditionClassifier.train(
            images: reals, labels: realLabels, conditions: Self.conditions, channels: 3, size: 8,
            options: ClassifierTrainingOptions(epochs: 20, batch: 12, learningRate: 5e-3, seed: 2, widths: [8, 8, 8]))
        try classifier.save(to: classifierDirectory)
        _ = try store.recordModel(path: classifierDirectory.standardizedFileURL.path, sha256: classifier.version,
                                  objective: .classifier, hyperParameters: "{}", metrics: "{}")
        for i in 0..<48 {
            let k = i % 3, good = (i / 3) % 2 == 0
            let image = Self.disc(channel: good ? k : (k + 1) % 3, rng: &rng)
            let record = try add(image, "syn\(i)", condition: k, origin: .synthetic)
            synthetic.append(record)
            if labelled {
                _ = try store.rawInsert(HumanLabelRecord(rater: "dr-a", imageID: record.id, plausible: good))
            }
        }
    }

    static func disc(channel: Int, rng: inout PCG32) -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: 8 * 8 * 3)
        let r = 2 + 1.5 * rng.nextUniform()
        for y in 0..<8 {
            for x in 0..<8 {
                for c in 0..<3 { pixels[(y * 8 + x) * 3 + c] = UInt8(rng.nextUInt32() % 60) }
                if (Float(x) - 3.5) * (Float(x) - 3.5) + (Float(y) - 3.5) * (Float(y) - 3.5) <= r * r {
                    pixels[(y * 8 + x) * 3 + channel] = 200 + UInt8(rng.nextUInt32() % 55)
                }
            }
        }
        return try! RGBImage(width: 8, height: 8, pixels: pixels)
    }

    private func add(_ image: RGBImage, _ name: String, condition: Int, origin: ImageOrigin) throws -> ImageRecord {
        let path = folder.appendingPathComponent("\(name).png").path
        try ImageFile.write(image, to: path, format: .png)
        let record = ImageRecord(
            id: image.imageID, fileSHA256: SHA256.hex(name), path: path, format: .png, width: 8, height: 8,
            condition: try ConditionID(parsing: Self.conditions[condition]), origin: origin)
        _ = try store.addImages([record])
        return record
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}

@Suite struct RewardJobTests {
    @Test func trainsScoresAndFeedsRFT() throws {
        let f = try RewardFixture()
        defer { f.remove() }
        let out = f.folder.appendingPathComponent("reward")
        let job = RewardTrainJob(classifierDirectory: f.classifierDirectory, rater: "dr-a", lambdaReal: 1,
                                 heldOutFraction: 0.25, options: RewardTrainingOptions(epochs: 200, hidden: 16), out: out)
        let result = try job.run(store: f.store, catalog: nil)
        let auc = try #require(result.heldOutAUC)
        #expect(auc > 0.8, "held-out AUC \(auc)")
        #expect(result.heldOutImages == 12)
        #expect(result.counts[.human] == 36)
        #expect((result.counts[.realTrue] ?? 0) + (result.counts[.realSwapped] ?? 0) == 36)
        #expect((result.counts[.realSwapped] ?? 0) > 5)
        #expect(result.skipped.isEmpty)
        let checkpoints = try f.store.rawRecords(CheckpointRecord.self, "SELECT * FROM checkpoint ORDER BY id")
        #expect(checkpoints.map(\.objective) == [.classifier, .reward])
        #expect(checkpoints[1].parentID == checkpoints[0].id && checkpoints[1].sha256 == result.model.version)
        #expect(checkpoints[1].hyperParameters.contains("\"lambda_real\":1"))

        let scored = try RewardScoreJob(rewardDirectory: out).run(store: f.store)
        #expect(scored.scores.count == 48 && scored.version == result.model.version)
        let rows = try f.store.rawRecords(AlignmentScoreRecord.self, "SELECT * FROM alignmentScore WHERE dimension = 'reward'")
        #expect(rows.count == 48 && rows.allSatisfy { $0.computedBy == "reward:\(result.model.version)" })
        let good = Set(f.synthetic.enumerated().filter { ($0.offset / 3) % 2 == 0 }.map(\.element.id))
        let meanGood = scored.scores.filter { good.contains($0.imageID) }.map(\.reward).reduce(0, +) / 24
        let meanBad = scored.scores.filter { !good.contains($0.imageID) }.map(\.reward).reduce(0, +) / 24
        #expect(meanGood > meanBad + 0.25, "mean Γ plausible \(meanGood), implausible \(meanBad)")

        let csv = f.folder.appendingPathComponent("weights.csv").path
        var rft = RFTJob(run: nil, policy: ScorePolicy(), weighting: RFTWeighting(function: .defaultLinear), out: csv)
        rft.rewardSource = .rewardModel(version: nil)
        let weights = try rft.run(store: f.store, catalog: ChecklistCatalog.load(from: .bundled))
        #expect(weights.weights.entries.count == 48)
        let text = try String(contentsOfFile: csv, encoding: .utf8)
        #expect(text.hasPrefix("path,image_id,condition,weight\n"))
        let set = try f.store.preferenceSets(kind: .rft).last!
        #expect(set.set.parameters.contains("\"reward\":\"reward_model\""))

        rft.rewardSource = .rewardModel(version: String(repeating: "9", count: 64))
        let missing = try #require(throws: BrokerError.self) { try rft.run(store: f.store, catalog: ChecklistCatalog.load(from: .bundled)) }
        #expect(missing.code == .emptyInput && missing.message.contains("run rounds reward score first"))
    }

    @Test func aRaterWithoutLabelsGetsAClearError() throws {
        let f = try RewardFixture(labelled: false)
        defer { f.remove() }
        let first = f.synthetic[0].id
        _ = try f.store.rawInsert(HumanLabelRecord(rater: "dr-b", imageID: first, plausible: true))
        let job = RewardTrainJob(classifierDirectory: f.classifierDirectory, rater: "dr-a",
                                 out: f.folder.appendingPathComponent("reward"))
        let e = try #require(throws: BrokerError.self) { try job.run(store: f.store, catalog: nil) }
        #expect(e.code == .emptyInput)
        #expect(e.message == "\(f.store.path): rater 'dr-a' has no plausible/implausible labels (raters with labels: dr-b)")
        #expect(!FileManager.default.fileExists(atPath: f.folder.appendingPathComponent("reward").path))
    }

    @Test func scoringWithAnotherClassifierIsRefused() throws {
        let f = try RewardFixture()
        defer { f.remove() }
        let out = f.folder.appendingPathComponent("reward")
        _ = try RewardTrainJob(classifierDirectory: f.classifierDirectory, rater: "dr-a",
                               options: RewardTrainingOptions(epochs: 2, hidden: 8), out: out).run(store: f.store, catalog: nil)
        let toy = (0..<6).map { _ in [Float](repeating: 0, count: 3 * 8 * 8) }
        let other = try ConditionClassifier.train(
            images: toy, labels: [0, 1, 2, 0, 1, 2], conditions: RewardFixture.conditions, channels: 3, size: 8,
            options: ClassifierTrainingOptions(epochs: 1, seed: 99, widths: [8, 8, 8]))
        let otherDir = f.folder.appendingPathComponent("other")
        try other.save(to: otherDir)
        let e = try #require(throws: BrokerError.self) {
            try RewardScoreJob(rewardDirectory: out, classifierDirectory: otherDir).run(store: f.store)
        }
        #expect(e.message.contains("is not the one the reward model"))
    }
}
