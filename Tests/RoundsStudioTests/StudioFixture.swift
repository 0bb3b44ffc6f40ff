import Foundation
import RoundsChecklists
import RoundsCore
import RoundsImaging
import RoundsStore

@testable import RoundsStudio

/// A temporary store and checklists folder for the studio: the repository's `synthetic` domain copied
/// (so saves edit a copy), `count` real PNG images of `synthetic/scaly-plaque` written and stored.
struct StudioFixture {
    let folder: URL
    let checklists: URL
    let store: Store
    let condition = try! ConditionID(parsing: "synthetic/scaly-plaque")
    var images: [ImageRecord] = []

    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    init(count: Int = 4) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("rounds-studio-\(UUID().uuidString)")
        checklists = folder.appendingPathComponent("Checklists")
        try FileManager.default.createDirectory(at: checklists, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Self.repository.appendingPathComponent("Checklists/synthetic"),
            to: checklists.appendingPathComponent("synthetic"))
        store = try Store(path: folder.appendingPathComponent("rounds.sqlite").path)
        for i in 0..<count {
            let pixels = (0..<(8 * 8)).flatMap { p in [UInt8(40 * i % 256), UInt8(p * 3 % 256), UInt8(200)] }
            let image = try RGBImage(width: 8, height: 8, pixels: pixels)
            let bytes = try PNGCodec.encode(image)
            let path = folder.appendingPathComponent("img\(i).png").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            images.append(
                ImageRecord(
                    id: image.imageID, fileSHA256: SHA256.hex(String(decoding: bytes, as: UTF8.self) + "\(i)"), path: path,
                    format: .png, width: 8, height: 8, byteCount: bytes.count, condition: condition,
                    origin: i % 2 == 0 ? .synthetic : .real, split: i < 2 ? .train : .test, skinTone: i == 0 ? "V" : nil))
        }
        try store.addImages(images)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    func studio(host: String = "127.0.0.1", rater: String? = "dr-a") -> Studio {
        Studio(
            configuration: StudioConfiguration(
                store: store, checklists: .directory(checklists, reason: "test"), host: host, port: 0, rater: rater))
    }

    var catalog: ChecklistCatalog { try! ChecklistCatalog.load(from: .directory(checklists, reason: "test")) }
    var checklist: Checklist { catalog.checklists[condition]! }

    /// Stores a judge run that judged every image: criterion c of image i met when (i + c) is even,
    /// each with `evidence`.
    @discardableResult
    func judge(evidence: String = "looks right") throws -> Int64 {
        let checklist = checklist
        try store.addChecklistVersion(ChecklistVersionRecord(id: checklist.version, condition: condition.description, yaml: "x"))
        try store.addPromptVersion(PromptVersionRecord(id: SHA256.hex("prompt"), name: "judge.mustache", body: "x"))
        let run = try store.beginRun(
            JudgeRunRecord(endpoint: "local", baseURL: "http://127.0.0.1:1/v1", model: "test-judge", provider: .openai)).id!
        for (i, image) in images.enumerated() {
            let judgment = JudgmentRecord(
                runID: run, imageID: image.id, checklistVersionID: checklist.version, promptVersionID: SHA256.hex("prompt"),
                requestKey: SHA256.hex("\(run) \(image.id)"), canonicalRequest: "{}", responseText: "{}")
            let verdicts = checklist.criteria.enumerated().map {
                CriterionVerdictRecord(
                    judgmentID: 0, criterionID: $0.element.id, verdict: (i + $0.offset) % 2 == 0 ? .met : .notMet,
                    evidence: evidence)
            }
            _ = try store.addJudgment(judgment, verdicts: verdicts)
        }
        return run
    }

    /// The path of the condition's checklist file.
    var checklistFile: URL { checklists.appendingPathComponent("synthetic/scaly-plaque.yaml") }
}
