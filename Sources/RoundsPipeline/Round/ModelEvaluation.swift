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
    /// The procedural benchmark's ground truth (`GroundTruth`: the criteria measured from the pixels,
    /// without the simulator judge's noise) of every image of a synthetic-domain condition; nil when
    /// there are none (a clinical domain has no ground truth to measure).
    public var measured: Proportion?
    public var measuredPerCondition: [String: Proportion] = [:]
    /// Measured, per `condition/criterion` and per skin-tone band (the same keys as the judged tables).
    public var measuredPerCriterion: [String: Proportion] = [:]
    public var measuredPerSkinTone: [String: Proportion] = [:]

    /// Reads the latest verdicts of `images` against their conditions' checklists, and measures the
    /// ground truth of the procedural benchmark's images.
    public static func evaluate(images: [ImageRecord], store: Store, catalog: ChecklistCatalog) throws -> ModelEvaluation {
        var all = (0, 0), unjudged = 0
        var criteria: [String: (Int, Int)] = [:], conditions: [String: (Int, Int)] = [:], tones: [String: (Int, Int)] = [:]
        func add(_ table: inout [String: (Int, Int)], _ key: String, _ ok: Bool) {
            table[key, default: (0, 0)].0 += ok ? 1 : 0
            table[key, default: (0, 0)].1 += 1
        }
        for (image, condition, verdicts, met) in try judged(images, store: store, catalog: catalog) {
            guard let met, let condition else {
                unjudged += 1
                continue
            }
            all.0 += met ? 1 : 0
            all.1 += 1
            add(&conditions, condition.name, met)
            add(&tones, Self.skinTone(of: image), met)
            for v in verdicts { add(&criteria, "\(condition.name)/\(v.criterionID)", v.verdict == .met) }
        }
        let p = { (t: [String: (Int, Int)]) in t.mapValues { Proportion(successes: $0.0, total: $0.1) } }
        var evaluation = ModelEvaluation(
            allCriteria: Proportion(successes: all.0, total: all.1), perCriterion: p(criteria),
            perCondition: p(conditions), perSkinTone: p(tones), unjudged: unjudged)
        let measured = try groundTruths(images)
        if !measured.isEmpty {
            let truths = measured.map(\.truth)
            evaluation.measured = Proportion(successes: truths.count { $0.meetsAll }, total: truths.count)
            evaluation.measuredPerCondition = Dictionary(grouping: truths, by: \.condition.rawValue).mapValues {
                Proportion(successes: $0.count { $0.meetsAll }, total: $0.count)
            }
            var criteria: [String: (Int, Int)] = [:], tones: [String: (Int, Int)] = [:]
            for (image, truth) in measured {
                add(&tones, Self.skinTone(of: image), truth.meetsAll)
                for r in truth.readings { add(&criteria, "\(truth.condition.rawValue)/\(r.criterion.rawValue)", r.met) }
            }
            evaluation.measuredPerCriterion = p(criteria)
            evaluation.measuredPerSkinTone = p(tones)
        }
        return evaluation
    }

    /// For each judged image of `images` (by id): whether its latest verdicts meet every criterion of
    /// its checklist. Unjudged images are absent.
    public static func allCriteriaMet(_ images: [ImageRecord], store: Store, catalog: ChecklistCatalog) throws
        -> [String: Bool]
    {
        var met: [String: Bool] = [:]
        for j in try judged(images, store: store, catalog: catalog) { if let m = j.met { met[j.image.id] = m } }
        return met
    }

    /// Each image with its condition, its latest verdicts and whether they meet every criterion (nil when
    /// unjudged or its condition has no checklist).
    private static func judged(_ images: [ImageRecord], store: Store, catalog: ChecklistCatalog) throws
        -> [(image: ImageRecord, condition: ConditionID?, verdicts: [LatestVerdict], met: Bool?)]
    {
        var out: [(ImageRecord, ConditionID?, [LatestVerdict], Bool?)] = []
        let byCondition = Dictionary(grouping: images) { $0.condition?.description ?? "" }
        for (_, group) in byCondition.sorted(by: { $0.key < $1.key }) {
            guard let id = group.first?.condition, let checklist = catalog.checklists[id] else {
                out += group.map { ($0, $0.condition, [], nil) }
                continue
            }
            let latest = Dictionary(grouping: try store.latestVerdicts(checklistVersion: checklist.version, imageIDs: group.map(\.id))) {
                $0.imageID
            }
            for image in group {
                guard let verdicts = latest[image.id], !verdicts.isEmpty else {
                    out.append((image, id, [], nil))
                    continue
                }
                let met = verdicts.allSatisfy { $0.verdict == .met } && verdicts.count == checklist.criteria.count
                out.append((image, id, verdicts, met))
            }
        }
        return out
    }

    /// The ground truth of the images of synthetic-domain conditions, with their images.
    static func groundTruths(_ images: [ImageRecord]) throws -> [(image: ImageRecord, truth: GroundTruth)] {
        try images.compactMap { image in
            guard let c = image.condition, c.domain == SyntheticCondition.domain,
                  let condition = SyntheticCondition(rawValue: c.name) else { return nil }
            return (image, try GroundTruth.measure(path: image.path, as: condition))
        }
    }

    /// The stored band, or the band nearest to the skin measured around the lesion.
    static func skinTone(of image: ImageRecord) -> String {
        if let t = image.skinTone { return t.hasPrefix("ita:") ? String(t.dropFirst(4)) : t }
        guard let loaded = try? ImageFile.load(path: image.path) else { return "unknown" }
        let canvas = Canvas(width: loaded.image.width, height: loaded.image.height, bytes: loaded.image.pixels)
        return SkinTone.nearest(to: LesionMeasurement(canvas).skin).rawValue
    }
}
