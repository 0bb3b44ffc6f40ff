import Foundation
import Hummingbird
import RoundsCore
import RoundsStore

/// A run's verdicts per image with the judge's evidence, and the alignment scores stored for them.
struct ResultsRoutes {
    let app: StudioApp

    func add(to router: Router<StudioContext>) {
        router.get("/results") { _, context in
            let runs = try app.store.judgeRuns().reversed().map { r -> [String: Any] in
                [
                    "id": r.id ?? 0, "model": r.model, "endpoint": r.endpoint, "status": r.status.rawValue,
                    "started": ISO8601DateFormatter().string(from: r.startedAt), "succeeded": r.succeededCount,
                    "failed": r.failedCount,
                ]
            }
            return app.pages.render("results-index", title: "Results", session: context.session, ["runs": runs])
        }
        router.get("/results/:run") { _, context in
            let text = context.parameters.get("run") ?? ""
            guard let id = Int64(text), id > 0 else { throw StudioError.badRequest("'\(text)' is not a judge run id.") }
            guard let run = try app.store.judgeRun(id: id) else { throw StudioError.notFound("No judge run \(id) is stored.") }
            let verdicts = try app.store.runVerdicts(run: id)
            let scores = Dictionary(grouping: try app.store.alignmentScores(run: id), by: \.imageID)
            var images: [[String: Any]] = []
            var order: [String] = []
            var byImage: [String: [RunVerdict]] = [:]
            for v in verdicts {
                if byImage[v.imageID] == nil { order.append(v.imageID) }
                byImage[v.imageID, default: []].append(v)
            }
            for imageID in order {
                // With several samples per image, the latest judgment's verdicts are shown.
                let all = byImage[imageID]!
                let latest = all.map(\.judgmentID).max()!
                let shown = all.filter { $0.judgmentID == latest }
                images.append([
                    "id": imageID, "short": String(imageID.prefix(12)), "condition": shown.first?.condition ?? "",
                    "metCount": shown.filter { $0.verdict == .met }.count, "criteriaCount": shown.count,
                    "verdicts": shown.map { ["criterion": $0.criterionID, "verdict": $0.verdict.rawValue, "evidence": $0.evidence ?? ""] },
                    "scores": (scores[imageID] ?? []).map { ["dimension": $0.dimension, "score": String(format: "%.3f", $0.score)] },
                ])
            }
            let allScores = scores.values.flatMap { $0 }
            let dimensions = Dictionary(grouping: allScores, by: \.dimension).keys.sorted().map { d -> [String: Any] in
                let s = allScores.filter { $0.dimension == d }.map(\.score)
                return ["dimension": d, "mean": String(format: "%.3f", s.reduce(0, +) / Double(s.count)), "count": s.count]
            }
            return app.pages.render(
                "results-run", title: "Run \(id)", session: context.session,
                [
                    "run": id, "model": run.model, "imageCount": order.count, "images": images,
                    "hasScores": !allScores.isEmpty, "dimensions": dimensions,
                ])
        }
    }
}
