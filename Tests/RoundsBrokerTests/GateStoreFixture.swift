import Foundation
import RoundsChecklists
import RoundsCore
import RoundsStore

@testable import RoundsBroker

/// A temporary store with six synthetic images each of dermatology/acne and dermatology/vitiligo
/// (records only: the broker's CSV and JSONL outputs never read the pixels), the bundled checklists,
/// and helpers to store judge runs and import rater labels through the real CSV importer.
///
/// The standard judge pattern: image i meets criterion c when (i + c) is even, so every criterion
/// has both classes across the six images and κ is defined.
struct GateStoreFixture {
    let folder: URL
    let store: Store
    let catalog: ChecklistCatalog
    let acne = try! ConditionID(parsing: "dermatology/acne")
    let vitiligo = try! ConditionID(parsing: "dermatology/vitiligo")
    var images: [ConditionID: [ImageRecord]] = [:]

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("rounds-gate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try Store(path: folder.appendingPathComponent("rounds.sqlite").path)
        catalog = try ChecklistCatalog.load(from: .bundled)
        for condition in [acne, vitiligo] {
            images[condition] = (0..<6).map { i in
                ImageRecord(
                    id: SHA256.hex("\(condition) \(i)"), fileSHA256: SHA256.hex("file \(condition) \(i)"),
                    path: folder.appendingPathComponent("\(condition.name)\(i).png").path, format: .png, width: 8,
                    height: 8, condition: condition, origin: .synthetic)
            }
            _ = try store.addImages(images[condition]!)
            let checklist = catalog.checklists[condition]!
            try store.addChecklistVersion(
                ChecklistVersionRecord(id: checklist.version, condition: condition.description, yaml: "x"))
        }
        try store.addPromptVersion(PromptVersionRecord(id: SHA256.hex("prompt"), name: "judge.mustache", body: "x"))
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    func checklist(_ condition: ConditionID) -> Checklist { catalog.checklists[condition]! }

    /// The standard pattern: image `i` meets criterion `c` when `i + c` is even.
    static func pattern(_ i: Int, _ c: Int) -> Verdict { (i + c) % 2 == 0 ? .met : .notMet }

    /// Starts a judge run and stores one judgment per listed image of `condition`.
    @discardableResult
    func judgeRun(
        _ condition: ConditionID, images indexes: [Int] = Array(0..<6),
        verdict: (Int, Int) -> Verdict = GateStoreFixture.pattern
    ) throws -> Int64 {
        let run = try store.beginRun(
            JudgeRunRecord(endpoint: "local", baseURL: "http://127.0.0.1:1/v1", model: "test-judge", provider: .openai)
        ).id!
        try judge(condition, run: run, images: indexes, verdict: verdict)
        return run
    }

    /// Stores judgments of the listed images of `condition` in an existing run.
    func judge(_ condition: ConditionID, run: Int64, images indexes: [Int], verdict: (Int, Int) -> Verdict) throws {
        let checklist = checklist(condition)
        for i in indexes {
            let image = images[condition]![i]
            let judgment = JudgmentRecord(
                runID: run, imageID: image.id, checklistVersionID: checklist.version,
                promptVersionID: SHA256.hex("prompt"), requestKey: SHA256.hex("\(run) \(image.id)"),
                canonicalRequest: "{}", responseText: "{}")
            let verdicts = checklist.criteria.enumerated().map {
                CriterionVerdictRecord(judgmentID: 0, criterionID: $0.element.id, verdict: verdict(i, $0.offset))
            }
            _ = try store.addJudgment(judgment, verdicts: verdicts)
        }
    }

    /// Imports `rater`'s labels of the listed images of `condition` from a CSV file; criterion `c` of
    /// image `i` gets `verdict(i, c)`, nil leaving the cell empty.
    func label(
        _ condition: ConditionID, rater: String, images indexes: [Int] = Array(0..<6),
        verdict: (Int, Int) -> Verdict?
    ) throws {
        let criteria = checklist(condition).criteria.map(\.id)
        var lines = [(["image"] + criteria.map { "criterion:\($0)" }).joined(separator: ",")]
        for i in indexes {
            let cells = criteria.indices.map { verdict(i, $0)?.rawValue ?? "" }
            lines.append(([images[condition]![i].id] + cells).joined(separator: ","))
        }
        let path = folder.appendingPathComponent("labels-\(rater)-\(condition.name).csv").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        _ = try LabelImport(store: store).run(path: path, rater: rater, skipBad: false)
    }

    /// The weighted share of criteria met by image `i` under the standard pattern, criteria in
    /// `excluded` left out (what the scorer should compute).
    func patternScore(_ condition: ConditionID, image i: Int, excluding excluded: Set<Int> = []) -> Double {
        var numerator = 0.0, denominator = 0.0
        for (c, criterion) in checklist(condition).criteria.enumerated() where !excluded.contains(c) {
            denominator += criterion.weight
            if Self.pattern(i, c) == .met { numerator += criterion.weight }
        }
        return numerator / denominator
    }

    /// Runs `broker rft` with a linear weighting (weight = score) into a fresh CSV.
    func rft(sources: ScoreSources = ScoreSources(), gate: TrustGate = TrustGate()) throws -> RFTJob.Result {
        var job = RFTJob(
            run: nil, policy: ScorePolicy(), weighting: RFTWeighting(),
            out: folder.appendingPathComponent("w-\(UUID().uuidString).csv").path)
        job.sources = sources
        job.trustGate = gate
        return try job.run(store: store, catalog: catalog)
    }

    /// The weight (= score under linear weighting) of image `i` of `condition` in `result`.
    func weight(_ result: RFTJob.Result, _ condition: ConditionID, _ i: Int) -> Double? {
        result.weights.entries.first { $0.image.imageID == images[condition]![i].id }?.weight
    }

    /// The stored parameters of preference set `id`.
    func parameters(of id: Int64) throws -> JSONValue {
        let set = try require(try store.preferenceSets().first { $0.set.id == id })
        return try JSONValue(parsing: set.set.parameters)
    }
}

/// `#require` without Testing's macro context, for helpers.
private func require<T>(_ value: T?) throws -> T {
    guard let value else { throw BrokerError(.emptyInput, "expected a value") }
    return value
}
