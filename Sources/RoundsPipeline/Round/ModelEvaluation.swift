import Foundation
import RoundsChecklists
import RoundsCore
import RoundsImaging
import RoundsSimulator
import RoundsStore

/// How one model's judged samples fare: the share meeting every criterion of their checklist (with a
/// Wilson 95% interval), per criterion, per condition and per skin-tone band (measured from the pixels,
/// since a generated image carries no recorded band).
public struct ModelEvaluation: Sendable, Codable, Equatable {
    public var allCriteria: Proportion
    /// `condition/criterion` → share of images meeting it.
    public var perCriterion: [String: Proportion]
    public var perCondition: [String: Proportion]
    public var perSkinTone: [String: Proportion]
    /// Images without verdicts (failed requests): left out of every share.
    public var unjudged: Int

    /// Reads the latest verdicts of `images` against their conditions' checklists.
    public static func evaluate(images: [ImageRecord], store: Store, catalog: ChecklistCatalog) throws -> ModelEvaluation {
        var all = (0, 0), unjudged = 0
        var criteria: [String: (Int, Int)] = [:], conditions: [String: (Int, Int)] = [:], tones: [String: (Int, Int)] = [:]
        func add(_ table: inout [String: (Int, Int)], _ key: String, _ ok: Bool) {
            table[key, default: (0, 0)].0 += ok ? 1 : 0
            table[key, default: (0, 0)].1 += 1
        }
        let byCondition = Dictionary(grouping: images) { $0.condition?.description ?? "" }
        for (condition, group) in byCondition.sorted(by: { $0.key < $1.key }) {
            guard let id = group.first?.condition, let checklist = catalog.checklists[id] else {
                unjudged += group.count
                continue
            }
            let latest = Dictionary(grouping: try store.latestVerdicts(checklistVersion: checklist.version, imageIDs: group.map(\.id))) {
                $0.imageID
            }
            for image in group {
                guard let verdicts = latest[image.id], !verdicts.isEmpty else {
                    unjudged += 1
                    continue
                }
                let met = verdicts.allSatisfy { $0.verdict == .met } && verdicts.count == checklist.criteria.count
                all.0 += met ? 1 : 0
                all.1 += 1
                add(&conditions, id.name, met)
                add(&tones, Self.skinTone(of: image), met)
                for v in verdicts { add(&criteria, "\(id.name)/\(v.criterionID)", v.verdict == .met) }
            }
            _ = condition
        }
        let p = { (t: [String: (Int, Int)]) in t.mapValues { Proportion(successes: $0.0, total: $0.1) } }
        return ModelEvaluation(
            allCriteria: Proportion(successes: all.0, total: all.1), perCriterion: p(criteria),
            perCondition: p(conditions), perSkinTone: p(tones), unjudged: unjudged)
    }

    /// The stored band, or the band nearest to the skin measured around the lesion.
    static func skinTone(of image: ImageRecord) -> String {
        if let t = image.skinTone { return t.hasPrefix("ita:") ? String(t.dropFirst(4)) : t }
        guard let loaded = try? ImageFile.load(path: image.path) else { return "unknown" }
        let canvas = Canvas(width: loaded.image.width, height: loaded.image.height, bytes: loaded.image.pixels)
        return SkinTone.nearest(to: LesionMeasurement(canvas).skin).rawValue
    }
}
