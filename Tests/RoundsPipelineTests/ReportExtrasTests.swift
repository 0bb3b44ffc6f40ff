import Foundation
import RoundsAlignment
import RoundsBroker
import RoundsChecklists
import RoundsCore
import RoundsImaging
import RoundsPipeline
import RoundsStore
import Testing

/// The report's finetuning curves, memorisation and per-criterion κ, and `rounds cas`'s memorisation.
@Suite("Report: training curves, memorisation, κ per criterion")
struct ReportExtrasTests {
    static let training = TestFixtures.directory.appendingPathComponent("training")

    /// Records a checkpoint whose model directory is `path`.
    static func checkpoint(
        _ store: Store, _ objective: CheckpointRecord.Objective, _ path: String, parent: Int64? = nil
    )
        throws -> Int64
    {
        try store.addCheckpoint(
            CheckpointRecord(path: path, sha256: SHA256.hex(path), parentID: parent, objective: objective)
        ).id!
    }

    @Test("loss.csv and dpo.csv of rft and dpo checkpoints are read; pretraining is not a finetuning run")
    func curvesFromFixtureFiles() throws {
        let f = try CASStoreFixture()
        defer { f.remove() }
        let base = try Self.checkpoint(f.store, .pretrain, "/nowhere/base")
        let rft = try Self.checkpoint(f.store, .rft, Self.training.appendingPathComponent("rft-1").path, parent: base)
        let dpo = try Self.checkpoint(f.store, .dpo, Self.training.appendingPathComponent("dpo-1").path, parent: base)
        let gone = try Self.checkpoint(f.store, .dpo, "/nowhere/dpo-2", parent: base)
        let curves = try TrainingCurves.load(store: f.store)
        #expect(curves.map(\.checkpointID) == [rft, dpo, gone])
        #expect(curves[0].objective == "rft" && curves[0].parentID == base)
        #expect(
            curves[0].loss.map { $0.step } == [1, 2, 3, 4]
                && curves[0].loss.map { $0.value } == [0.52, 0.47, 0.41, 0.4])
        #expect(curves[0].implicitAccuracy.isEmpty && curves[0].notes.isEmpty)
        #expect(curves[1].implicitAccuracy.map { $0.value } == [0.5, 0.625, 0.75])
        #expect(curves[1].margin.map { $0.value } == [0, 0.021, 0.058])
        #expect(curves[1].label == "checkpoint \(dpo) (dpo-1)")
        #expect(curves[2].notes == ["loss.csv not found in /nowhere/dpo-2", "dpo.csv not found in /nowhere/dpo-2"])
    }

    @Test(
        "malformed curve files are errors naming file, line and what was expected",
        arguments: [
            ("step,los\n1,0.5\n", ":1: expected the header step,loss, found 'step,los'"),
            ("step,loss\n1,0.5\n2\n", ":3: expected 2 values (step,loss), found 1 in '2'"),
            ("step,loss\n1,0.5\nx,0.4\n", ":3: step: expected a number, found 'x'"),
            ("step,loss\r\n1,zero\r\n", ":2: loss: expected a number, found 'zero'"),
            ("", ":1: expected the header step,loss, found an empty file"),
        ])
    func malformedFiles(text: String, message: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "rounds-curves-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try text.write(to: directory.appendingPathComponent("loss.csv"), atomically: true, encoding: .utf8)
        let record = CheckpointRecord(id: 7, path: directory.path, sha256: SHA256.hex("x"), objective: .rft)
        let error = try #require(throws: AlignmentError.self) { try TrainingCurves.load(record) }
        #expect(error.message == directory.appendingPathComponent("loss.csv").path + message)
    }

    @Test("a diverged step (nan) is kept as null in JSON and left out of the chart")
    func nonFiniteLoss() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "rounds-curves-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "step,loss\n1,0.5\n2,nan\n3,0.4\n".write(
            to: directory.appendingPathComponent("loss.csv"), atomically: true, encoding: .utf8)
        let curves = try TrainingCurves.load(
            CheckpointRecord(id: 1, path: directory.path, sha256: SHA256.hex("x"), objective: .rft))
        #expect(curves.loss.count == 3 && curves.loss[1].value.isNaN)
        #expect(curves.json["loss"]?.arrayValue?[1].arrayValue?[1] == .null)
    }

    @Test("the report draws RFT and DPO curves, or says no finetuning run is recorded")
    func reportCurves() throws {
        let f = try CASReportTests.scored()
        defer { f.remove() }
        let empty = try CASReportData.load(store: f.store, catalog: f.catalog, replicates: 200)
        #expect(try empty.html().contains("No finetuning runs recorded"))
        #expect(empty.json["training"]?.arrayValue?.isEmpty == true)

        _ = try Self.checkpoint(f.store, .rft, Self.training.appendingPathComponent("rft-1").path)
        _ = try Self.checkpoint(f.store, .dpo, Self.training.appendingPathComponent("dpo-1").path)
        let data = try CASReportData.load(store: f.store, catalog: f.catalog, replicates: 200)
        let html = try data.html()
        #expect(!html.contains("No finetuning runs recorded"))
        for title in ["RFT training loss", "DPO training loss", "DPO implicit accuracy", "DPO implicit reward margin"] {
            #expect(html.contains(title), "\(title)")
        }
        // One polyline per curve: rft loss, dpo loss, dpo accuracy, dpo margin.
        #expect(html.components(separatedBy: "<polyline").count - 1 >= 4)
        let training = try #require(data.json["training"]?.arrayValue)
        #expect(training.map { $0["objective"]?.stringValue } == ["rft", "dpo"])
        #expect(training[1]["implicit_accuracy"]?.arrayValue?.last?.arrayValue == [.number(3), .number(0.75)])
        #expect(data.csv.contains("training,,dpo,checkpoint 2 step 3,implicit_accuracy,0.75"))
    }

    /// Adds `image` as a stored image with `split`.
    static func add(_ image: RGBImage, _ name: String, to f: CASStoreFixture, origin: ImageOrigin, split: DataSplit)
        throws -> ImageRecord
    {
        let path = f.folder.appendingPathComponent("\(name).png").path
        try ImageFile.write(image, to: path, format: .png)
        let record = ImageRecord(
            id: image.imageID, fileSHA256: SHA256.hex(name), path: path, format: .png, width: image.width,
            height: image.height, condition: f.condition, origin: origin, split: split)
        _ = try f.store.addImages([record])
        return record
    }

    @Test("rounds cas and the report name the near-copies of training images")
    func memorisation() throws {
        let f = try CASStoreFixture()
        defer { f.remove() }
        try f.judgeAll()
        // Without training images nothing is measured, and the reason is given.
        let job = CASJob(
            targets: [f.near, f.far], reference: f.reals, referenceLabel: "split:test",
            options: CASJobOptions(allowMissing: true, k: 3, replicates: 200))
        let before = try job.run(store: f.store, catalog: f.catalog, save: false)
        #expect(before.memorisation?.unavailable?.contains("0 training image(s)") == true)
        #expect(before.table.contains("memorisation: not measured: 0 training image(s) (real, split train)"))

        // Training images: a copy of `near` one grey level off in one pixel, and five others.
        let original = SyntheticPhoto.make(width: 24, height: 24, seed: 99)
        var pixels = original.pixels
        pixels[0] = pixels[0] == 255 ? 254 : pixels[0] + 1
        let copy = try RGBImage(width: 24, height: 24, pixels: pixels)
        let twin = try Self.add(copy, "train-twin", to: f, origin: .real, split: .train)
        for seed in 200..<205 {
            _ = try Self.add(
                SyntheticPhoto.make(width: 24, height: 24, seed: UInt64(seed)), "train\(seed)", to: f,
                origin: .real, split: .train)
        }
        let result = try job.run(store: f.store, catalog: f.catalog)
        let m = try #require(result.memorisation)
        #expect(m.unavailable == nil && m.trainingCount == 6)
        #expect(m.entries.map(\.imageID) == [f.near.id, f.far.id])
        #expect(m.entries[0].nearCopy && m.entries[0].nearestTrainingID == twin.id)
        #expect(m.entries[0].distance < 0.01)  // the 8×8 features may even average the change away
        #expect(!m.entries[1].nearCopy && m.nearCopyShare == 0.5)
        #expect(
            result.table.contains(
                "memorisation (pixels-8x8-rgb-v1): 1 of 2 generated image(s) are near-copies of the 6 training image(s)"
            ))
        #expect(result.json["memorisation"]?["near_copies"]?.doubleValue == 1)
        #expect(result.json["memorisation"]?["groups"]?.arrayValue?.first?["group"]?.stringValue == "gen-a")

        let report = try CASReportData.load(store: f.store, catalog: f.catalog, replicates: 200)
        #expect(report.memorisation?.entries.first?.nearCopy == true)
        let html = try report.html()
        #expect(html.contains("Memorisation") && html.contains("near-copy"))
        // Every column of the closest-images table has a header (no trailing empty column).
        #expect(!html.contains("<th></th>"))
        #expect(report.json["memorisation"]?["near_copy_share"]?.doubleValue == 0.5)
        #expect(report.csv.contains("memorisation,,gen-a,\(f.near.id),nearest_distance,"))
    }

    @Test("the report shows κ per criterion and what the trust gate does with it")
    func kappaPerCriterion() throws {
        let f = try CASReportTests.scored()
        defer { f.remove() }
        let none = try CASReportData.load(store: f.store, catalog: f.catalog, replicates: 200)
        #expect(none.criterionAgreement?.hasExpertLabels == false)
        // The judge said not_met on the first criterion for `far` only and met everywhere else; the
        // rater agrees on the first criterion (κ = 1) and says met on the second (κ undefined).
        let first = f.checklist.criteria[0].id, second = f.checklist.criteria[1].id
        var lines = ["image,criterion:\(first),criterion:\(second)"]
        for image in f.reals + [f.near!, f.far!] {
            lines.append("\(image.id),\(image.id == f.far.id ? "not_met" : "met"),met")
        }
        let path = f.folder.appendingPathComponent("labels.csv").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        _ = try LabelImport(store: f.store).run(path: path, rater: "dr-lee", skipBad: false)

        let data = try CASReportData.load(store: f.store, catalog: f.catalog, replicates: 200)
        let gate = try #require(data.criterionAgreement?.conditions.first)
        #expect(gate.criteria.map(\.criterion) == [first, second])
        #expect(gate.criteria[0].kappa == 1 && !gate.criteria[0].excluded)
        #expect(gate.criteria[1].kappa == nil && gate.criteria[1].excluded)
        let html = try data.html()
        #expect(html.contains("Cohen&#39;s κ per criterion") || html.contains("Cohen's κ per criterion"))
        #expect(html.contains("dr-lee: 1 (10 items)") && html.contains("left out") && html.contains("kept"))
        #expect(
            data.json["agreement_per_criterion"]?["conditions"]?["dermatology/acne"]?["criteria"]?[first]?["kappa"]?
                .doubleValue == 1)
        #expect(data.csv.contains("agreement_criterion,dermatology/acne,dr-lee,\(first),kappa,1"))
    }
}
