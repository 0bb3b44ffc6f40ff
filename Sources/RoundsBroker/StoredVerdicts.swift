import Foundation
import RoundsChecklists
import RoundsCore
import RoundsStore

/// One image's judge verdicts as the broker uses them: from one judge run, against its condition's
/// current checklist.
public struct JudgedImage: Sendable {
    public var image: ImageRecord
    public var condition: ConditionID
    /// The run the verdicts come from (the chosen run, or the run of the image's latest judgment).
    public var runID: Int64
    /// The run's combined judgment (sample index 0, the majority verdict when several samples were
    /// asked for): what agreement compares with a rater.
    public var combined: [String: Verdict]
    /// The run's self-consistency samples (sample index ≥ 1), or the combined judgment alone when
    /// the run asked for one sample: what scores average over.
    public var samples: [[String: Verdict]]
    /// Judgment rows read (combined plus samples).
    public var judgmentIDs: [Int64]
}

/// Verdicts read from the store, with what could not be used.
public struct StoredVerdicts: Sendable {
    public var images: [JudgedImage]
    /// The checklist used per condition (the current one from the catalog).
    public var checklists: [ConditionID: Checklist]
    /// Images asked about that have no successful judgment against their current checklist (in the run).
    public var unjudged: [String]
    /// Images whose condition has no checklist in the catalog (they cannot be scored).
    public var withoutChecklist: [String]

    /// The runs the verdicts come from, sorted.
    public var runIDs: [Int64] { Array(Set(images.map(\.runID))).sorted() }

    /// Verdict samples ready for `ScoreCalculator`, criterion weights from each checklist.
    public var imageVerdicts: [ImageVerdicts] {
        images.map { j in
            let checklist = checklists[j.condition]!
            return ImageVerdicts(
                imageID: j.image.id, condition: j.condition,
                criteria: checklist.criteria.map { ScoredCriterion(id: $0.id, weight: $0.weight) },
                samples: j.samples.map { VerdictSample(source: "run:\(j.runID)", verdicts: $0) })
        }
    }

    /// Reads the verdicts of `images` against each image's condition's current checklist version.
    ///
    /// With `run`, only that run's judgments count; without it, each image's latest successful
    /// judgment decides the run, and that run's samples are used.
    ///
    /// - Throws: `BrokerError` `.invalidParameter` for a run id that is not stored.
    public static func load(store: Store, catalog: ChecklistCatalog, images: [ImageRecord], run: Int64?) throws
        -> StoredVerdicts
    {
        if let run { try JudgeRuns.check(run, in: store) }
        var result = StoredVerdicts(images: [], checklists: [:], unjudged: [], withoutChecklist: [])
        var byCondition: [ConditionID: [ImageRecord]] = [:]
        for image in images {
            guard let condition = image.condition, let checklist = catalog.checklists[condition] else {
                result.withoutChecklist.append(image.id)
                continue
            }
            result.checklists[condition] = checklist
            byCondition[condition, default: []].append(image)
        }
        for condition in byCondition.keys.sorted() {
            let wanted = byCondition[condition]!
            let byImage = try store.runVerdicts(
                checklistVersion: result.checklists[condition]!.version, imageIDs: wanted.map(\.id), run: run)
            for image in wanted {
                guard let v = byImage[image.id] else {
                    result.unjudged.append(image.id)
                    continue
                }
                result.images.append(JudgedImage(
                    image: image, condition: condition, runID: v.runID, combined: v.combined, samples: v.samples,
                    judgmentIDs: v.judgmentIDs))
            }
        }
        return result
    }
}

/// Judge runs as the broker names them.
public enum JudgeRuns {
    /// Checks that run `id` is stored.
    ///
    /// - Throws: `BrokerError` `.invalidParameter` naming the stored runs.
    public static func check(_ id: Int64, in store: Store) throws {
        if let problem = try store.missingJudgeRunProblem(id) { throw BrokerError(.invalidParameter, problem) }
    }

    static func list(_ ids: [Int64]) -> String { Store.runList(ids) }
}
