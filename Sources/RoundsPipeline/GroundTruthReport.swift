import Foundation
import RoundsSimulator

/// The ground truth (`GroundTruth`) of a folder of procedural images, summarised as shares.
public struct GroundTruthReport: Sendable, Codable, Hashable {
    public var folder: String
    public var allCriteria: Proportion
    public var perCondition: [String: Proportion]
    public var perCriterion: [String: Proportion]

    enum CodingKeys: String, CodingKey {
        case folder, allCriteria = "all_criteria", perCondition = "per_condition", perCriterion = "per_criterion"
    }

    public init(folder: String, truths: [GroundTruth]) {
        self.folder = folder
        allCriteria = Proportion(successes: truths.count { $0.meetsAll }, total: truths.count)
        perCondition = Dictionary(grouping: truths, by: \.condition.rawValue).mapValues {
            Proportion(successes: $0.count { $0.meetsAll }, total: $0.count)
        }
        let readings = truths.flatMap(\.readings)
        perCriterion = Dictionary(grouping: readings, by: \.criterion.rawValue).mapValues {
            Proportion(successes: $0.count { $0.met }, total: $0.count)
        }
    }

    /// Measures every PNG or JPEG under `folder`, each as the condition its parent folder names.
    ///
    /// - Throws: when the folder holds no images, an image's folder names no synthetic condition,
    ///   or an image cannot be decoded (the error names the file).
    public static func measure(folder: String) throws -> GroundTruthReport {
        let files = try imageFiles(under: folder)
        guard !files.isEmpty else {
            throw SimulatorError(.invalidParameter, "\(folder): no .png or .jpg images found")
        }
        var truths: [GroundTruth] = []
        for path in files {
            let parent = URL(fileURLWithPath: path).deletingLastPathComponent().lastPathComponent
            guard let condition = SyntheticCondition(rawValue: parent) else {
                let names = SyntheticCondition.allCases.map(\.rawValue).joined(separator: ", ")
                throw SimulatorError(.invalidParameter, "\(path): its folder '\(parent)' is not a synthetic condition (\(names))")
            }
            truths.append(try GroundTruth.measure(path: path, as: condition))
        }
        return GroundTruthReport(folder: folder, truths: truths)
    }

    static func imageFiles(under folder: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SimulatorError(.io, "\(folder): no such folder")
        }
        let root = URL(fileURLWithPath: folder)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        let extensions: Set = ["png", "jpg", "jpeg"]
        return walker.compactMap { ($0 as? URL) }
            .filter { extensions.contains($0.pathExtension.lowercased()) }
            .map(\.path).sorted()
    }

    /// A few lines for the terminal.
    public var text: String {
        func share(_ p: Proportion) -> String {
            String(format: "%5.1f%% [%4.1f, %4.1f]  (%d/%d)", p.rate * 100, p.ci95[0] * 100, p.ci95[1] * 100, p.successes, p.total)
        }
        var lines = ["\(folder): ground truth (pixels measured without judge noise)",
                     "  all criteria         \(share(allCriteria))"]
        for (name, p) in perCondition.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(share(p))")
        }
        for (name, p) in perCriterion.sorted(by: { $0.key < $1.key }) {
            lines.append("    \(name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(share(p))")
        }
        return lines.joined(separator: "\n")
    }
}
