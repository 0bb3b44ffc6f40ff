import Foundation
import RoundsChecklists
import RoundsCore
import RoundsStore

/// The per-image dimension measurements behind `CASJob`, each either a score or the reason it is missing.
enum CASInputs {
    struct Missing: Error, Sendable {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    typealias Judged = Result<(share: Double, run: Int64), Missing>

    static let labelConsistencyMissing = Missing("no condition classifier given (--classifier DIR)")

    /// Checklist fidelity from each image's combined verdict against its condition's current checklist.
    static func fidelity(store: Store, catalog: ChecklistCatalog, scored: [ImageRecord], reference: [ImageRecord], run: Int64?)
        throws -> [String: Judged]
    {
        var out = [String: Judged]()
        // The reference images keep their latest judgment: a run of generated images rarely judges them.
        for (images, run) in [(scored, run), (reference, nil)] {
            if let run, let problem = try store.missingJudgeRunProblem(run) {
                throw AlignmentError(.invalidArgument, problem)
            }
            var byCondition: [ConditionID: [ImageRecord]] = [:]
            for image in images {
                guard let condition = image.condition, catalog.checklists[condition] != nil else {
                    out[image.id] = .failure(Missing("no checklist for its condition"))
                    continue
                }
                byCondition[condition, default: []].append(image)
            }
            for (condition, members) in byCondition {
                let checklist = catalog.checklists[condition]!
                let verdicts = try store.runVerdicts(
                    checklistVersion: checklist.version, imageIDs: members.map(\.id), run: run)
                for image in members {
                    guard let judged = verdicts[image.id] else {
                        out[image.id] = .failure(
                            Missing(run.map { "not judged in run \($0)" } ?? "not judged against the current checklist"))
                        continue
                    }
                    let pairs = checklist.criteria.map { (verdict: judged.combined[$0.id] ?? .indeterminate, weight: $0.weight) }
                    if let share = try CASRules.checklistShare(pairs) {
                        out[image.id] = .success((share, judged.runID))
                    } else {
                        out[image.id] = .failure(Missing("every criterion indeterminate in run \(judged.runID)"))
                    }
                }
            }
        }
        return out
    }

    /// Plausibility from the latest verdicts against the domain's artefacts checklist.
    static func plausibility(store: Store, catalog: ChecklistCatalog, images: [ImageRecord]) throws -> [String: Judged] {
        var out = [String: Judged]()
        let byDomain = Dictionary(grouping: images, by: { $0.condition!.domain })
        for (domain, members) in byDomain {
            guard let artefacts = catalog.artefacts[domain] else {
                for m in members { out[m.id] = .failure(Missing("domain \(domain) has no artefacts checklist")) }
                continue
            }
            let rows = try store.latestVerdicts(checklistVersion: artefacts.version, imageIDs: members.map(\.id))
            let byImage = Dictionary(grouping: rows, by: \.imageID)
            let weights = Dictionary(uniqueKeysWithValues: artefacts.criteria.map { ($0.id, $0.weight) })
            for m in members {
                guard let mine = byImage[m.id], let run = mine.map(\.runID).max() else {
                    out[m.id] = .failure(Missing("not judged against the \(domain) artefacts checklist"))
                    continue
                }
                let pairs = mine.compactMap { v in weights[v.criterionID].map { (verdict: v.verdict, weight: $0) } }
                if let share = try CASRules.checklistShare(pairs) {
                    out[m.id] = .success((share, run))
                } else {
                    out[m.id] = .failure(Missing("every artefacts criterion indeterminate"))
                }
            }
        }
        return out
    }

    /// Proximity on `features` (the classifier's, else `PixelFeatures`) against the reference images of
    /// the same condition; a reference image is scored leave-one-out.
    static func proximity(scored: [ImageRecord], reference: [ImageRecord], k: Int, features embed: CASFeatures) throws
        -> [String: Result<Double, Missing>]
    {
        var out = [String: Result<Double, Missing>]()
        let real = Dictionary(grouping: reference, by: { $0.condition! })
        let queries = Dictionary(grouping: scored, by: { $0.condition! })
        for condition in Set(real.keys).union(queries.keys).sorted() {
            let refs = real[condition] ?? []
            let asked = queries[condition] ?? []
            guard refs.count >= k + 2 else {
                let why = Missing("\(refs.count) real reference image(s) of \(condition); proximity with k = \(k) needs \(k + 2)")
                for image in refs + asked { out[image.id] = .failure(why) }
                continue
            }
            let features = try FeatureMatrix(
                rows: refs.map(embed.vector), name: "real \(condition)")
            let ball = try ProximityReference(real: features, k: k)
            let all = asked + refs
            let q = try FeatureMatrix(
                rows: asked.map(embed.vector) + (0..<refs.count).map(features.row),
                name: "scored \(condition)")
            let selves: [Int?] = asked.map { _ in nil } + refs.indices.map { Optional($0) }
            for (image, score) in zip(all, try ball.scores(q, selfIndex: selves)) { out[image.id] = .success(score) }
        }
        return out
    }
}
