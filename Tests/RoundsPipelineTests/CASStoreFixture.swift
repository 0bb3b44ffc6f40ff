import Foundation
import RoundsAlignment
import RoundsChecklists
import RoundsCore
import RoundsImaging
import RoundsPipeline
import RoundsStore

/// (The same fixture as RoundsAlignmentTests' `CASStoreFixture`: test targets cannot share files.)
/// A temporary store with real reference images and generated images of one dermatology condition,
/// PNG files on disk, and hand-written judge verdicts for the condition and artefacts checklists.
struct CASStoreFixture {
    let folder: URL
    let store: Store
    let catalog: ChecklistCatalog
    let condition: ConditionID
    var checklist: Checklist { catalog.checklists[condition]! }
    var artefacts: Checklist { catalog.artefacts[condition.domain]! }
    var reals: [ImageRecord] = []
    /// A photo-like generated image and a flat blue square far from every real image.
    var near: ImageRecord!
    var far: ImageRecord!
    var run: Int64 = 0

    init(reals count: Int = 8) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("rounds-cas-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try Store(path: folder.appendingPathComponent("rounds.sqlite").path)
        catalog = try ChecklistCatalog.load(from: .bundled)
        condition = try ConditionID(parsing: "dermatology/acne")
        for i in 0..<count {
            reals.append(try add(SyntheticPhoto.make(width: 24, height: 24, seed: UInt64(i + 1)), "real\(i)", origin: .real))
        }
        near = try add(SyntheticPhoto.make(width: 24, height: 24, seed: 99), "near", origin: .synthetic, generator: "gen-a")
        let blue = try RGBImage(width: 24, height: 24, pixels: (0..<(24 * 24)).flatMap { _ in [UInt8(0), 0, 255] })
        far = try add(blue, "far", origin: .synthetic, generator: "gen-a")
        try store.addChecklistVersion(ChecklistVersionRecord(id: checklist.version, condition: condition.description, yaml: "x"))
        try store.addChecklistVersion(ChecklistVersionRecord(id: artefacts.version, condition: "dermatology/artefacts", yaml: "x"))
        try store.addPromptVersion(PromptVersionRecord(id: SHA256.hex("prompt"), name: "judge.mustache", body: "x"))
        run = try store.beginRun(
            JudgeRunRecord(endpoint: "local", baseURL: "http://127.0.0.1:1/v1", model: "rounds-simulator", provider: .openai)
        ).id!
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    private func add(_ image: RGBImage, _ name: String, origin: ImageOrigin, generator: String? = nil) throws -> ImageRecord {
        let path = folder.appendingPathComponent("\(name).png").path
        try ImageFile.write(image, to: path, format: .png)
        let record = ImageRecord(
            id: image.imageID, fileSHA256: SHA256.hex(name), path: path, format: .png, width: image.width,
            height: image.height, condition: condition, origin: origin, split: origin == .real ? .test : .none,
            generator: generator)
        _ = try store.addImages([record])
        return record
    }

    /// Stores one judgment of `image` against `checklist`, criterion i getting `verdict(i)`.
    func judge(_ image: ImageRecord, against checklist: Checklist, _ verdict: (Int) -> Verdict) throws {
        let judgment = JudgmentRecord(
            runID: run, imageID: image.id, checklistVersionID: checklist.version, promptVersionID: SHA256.hex("prompt"),
            requestKey: SHA256.hex("\(image.id) \(checklist.version)"), canonicalRequest: "{}", responseText: "{}")
        let verdicts = checklist.criteria.enumerated().map {
            CriterionVerdictRecord(judgmentID: 0, criterionID: $0.element.id, verdict: verdict($0.offset), evidence: "seen")
        }
        _ = try store.addJudgment(judgment, verdicts: verdicts)
    }

    /// Real images and `near` meet everything; `far` misses the first criterion and every artefact check.
    func judgeAll() throws {
        for image in reals + [near!] {
            try judge(image, against: checklist) { _ in .met }
            try judge(image, against: artefacts) { _ in .met }
        }
        try judge(far, against: checklist) { $0 == 0 ? .notMet : .met }
        try judge(far, against: artefacts) { _ in .notMet }
    }
}
