import Foundation
import RoundsPipeline
import RoundsSimulator
import Testing

/// The benchmark's ground truth of a painted folder agrees with how each image was painted, and bad
/// folders or files are named in the error.
@Suite struct GroundTruthReportTests {
    func paint(_ dir: URL, perCondition: Int, defectRate: Double) throws -> SyntheticDataset {
        let dataset = try SyntheticDataset(size: 32, perCondition: perCondition, defectRate: defectRate, seed: 11)
        _ = try DatasetWriter(dataset: dataset).write(to: dir.path)
        return dataset
    }

    @Test func measuresEveryImageAsItWasPainted() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let dataset = try paint(dir, perCondition: 12, defectRate: 0.5)
        var painted = 0
        for item in try dataset.items() {
            let path = dir.appendingPathComponent("\(item.spec.condition.rawValue)/\(item.fileName)").path
            let truth = try GroundTruth.measure(path: path, as: item.spec.condition)
            let broken = Set(truth.readings.filter { !$0.met }.map(\.criterion))
            // A broken criterion can take a neighbour with it (a blurred border also greys the patch), and
            // of two broken on purpose one can mask the other; so the test is on at least one of them.
            #expect(item.spec.failing.isEmpty || !broken.isDisjoint(with: item.spec.failing), "\(item.fileName)")
            #expect(truth.meetsAll == item.spec.failing.isEmpty, "\(item.fileName)")
            if item.spec.failing.isEmpty { painted += 1 }
        }
        let report = try GroundTruthReport.measure(folder: dir.path)
        #expect(report.allCriteria.total == 48)
        #expect(report.allCriteria.successes == painted)
        #expect(0 < painted && painted < 48, "a defect rate of 0.5 paints both kinds")
        #expect(report.perCondition.count == 4)
        #expect(report.perCriterion.count == 20)
    }

    @Test func namesAFolderThatIsNoConditionAndACorruptImage() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try paint(dir, perCondition: 1, defectRate: 0)
        let corrupt = dir.appendingPathComponent("scaly-plaque/broken.png")
        var bytes = try Data(contentsOf: dir.appendingPathComponent("scaly-plaque/scaly-plaque-0000.png"))
        bytes = bytes.prefix(40)  // the signature and a cut-off IHDR
        try bytes.write(to: corrupt)
        let error = #expect(throws: SimulatorError.self) { try GroundTruthReport.measure(folder: dir.path) }
        #expect(error?.description.contains("broken.png") == true, "\(String(describing: error))")
        try FileManager.default.removeItem(at: corrupt)

        let stray = dir.appendingPathComponent("misc")
        try FileManager.default.createDirectory(at: stray, withIntermediateDirectories: true)
        try Data(contentsOf: dir.appendingPathComponent("scaly-plaque/scaly-plaque-0000.png"))
            .write(to: stray.appendingPathComponent("x.png"))
        let named = #expect(throws: SimulatorError.self) { try GroundTruthReport.measure(folder: dir.path) }
        #expect(named?.description.contains("'misc' is not a synthetic condition") == true)

        #expect(throws: SimulatorError.self) { try GroundTruthReport.measure(folder: dir.path + "/nope") }
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let none = #expect(throws: SimulatorError.self) { try GroundTruthReport.measure(folder: empty.path) }
        #expect(none?.description.contains("no .png or .jpg images") == true)
    }
}
