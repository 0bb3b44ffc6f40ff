import Foundation
import Hummingbird
import RoundsBroker
import RoundsChecklists
import RoundsCore
import RoundsStore

/// Per-criterion Cohen's κ between each rater and the judge (the numbers `rounds agreement` prints,
/// from the same `AgreementJob`), between raters, and the trust gate's decision; every disagreement
/// links to its image.
struct AgreementRoutes {
    let app: StudioApp

    func add(to router: Router<StudioContext>) {
        router.get("/agreement") { request, context in
            let query = FormData(encoded: request.uri.query ?? "")
            var run: Int64?
            if let text = query["run"] {
                guard let r = Int64(text), r >= 1 else { throw StudioError.badRequest("run: '\(text)' is not a judge run id.") }
                guard try app.store.judgeRun(id: r) != nil else { throw StudioError.notFound("No judge run \(r) is stored.") }
                run = r
            }
            return try page(run: run, context: context)
        }
    }

    static func number(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "—" }

    private func page(run: Int64?, context: StudioContext) throws -> Response {
        let catalog = try app.catalog()
        let options = AgreementOptions()
        let raters = try app.store.raters()
        var sections: [[String: Any]] = []
        var latestByRater: [String: [String: [String: Verdict]]] = [:]
        for rater in raters {
            var byImage: [String: [String: Verdict]] = [:]
            for label in try app.store.labels(rater: rater) where !label.criteria.isEmpty {
                byImage[label.label.imageID] = label.criteria
            }
            latestByRater[rater] = byImage
            var section: [String: Any] = ["rater": rater]
            do {
                let result = try AgreementJob(rater: rater, run: run, options: options).run(store: app.store, catalog: catalog)
                let report = result.report
                func interval(_ c: CriterionAgreement) -> String {
                    c.kappaInterval.map { "[\(Self.number($0.lowerBound)), \(Self.number($0.upperBound))]" } ?? "—"
                }
                section["hasReport"] = true
                section["labelled"] = result.labelled
                section["neverJudged"] = result.neverJudged.count
                section["criteria"] = report.criteria.map { c -> [String: Any] in
                    [
                        "criterion": c.criterion, "kappa": Self.number(c.kappa.value), "interval": interval(c),
                        "agreement": Self.number(c.percentAgreement), "items": c.confusion.total,
                        "flagged": report.flagged[c.criterion] ?? "", "low": report.flagged[c.criterion] != nil,
                    ]
                }
                section["overallKappa"] = Self.number(report.overall.kappa.value)
                section["overallInterval"] = interval(report.overall)
                section["overallAgreement"] = Self.number(report.overall.percentAgreement)
                section["overallItems"] = report.overall.confusion.total
                let disagreements = try disagreements(byImage, run: run, catalog: catalog)
                section["disagreements"] = disagreements
                section["disagreementCount"] = disagreements.count
            } catch let error as BrokerError {
                section["error"] = error.message
            }
            sections.append(section)
        }
        var pairs: [[String: Any]] = []
        for (i, a) in raters.enumerated() {
            for b in raters[(i + 1)...] {
                var items: [AgreementItem] = []
                for (image, mine) in latestByRater[a] ?? [:] {
                    guard let theirs = latestByRater[b]?[image] else { continue }
                    for (criterion, verdict) in mine {
                        if let other = theirs[criterion] {
                            items.append(AgreementItem(imageID: image, criterion: criterion, judge: verdict, rater: other))
                        }
                    }
                }
                var entry: [String: Any] = ["a": a, "b": b]
                if items.isEmpty {
                    entry["error"] = "\(a) and \(b) have labelled no criterion of the same image."
                } else {
                    do {
                        let report = try AgreementReport(items: items.sorted { ($0.imageID, $0.criterion) < ($1.imageID, $1.criterion) }, options: options)
                        entry["criteria"] = (report.criteria + [report.overall]).map {
                            ["criterion": $0.criterion, "kappa": Self.number($0.kappa.value), "items": $0.confusion.total]
                        }
                    } catch let error as BrokerError {
                        entry["error"] = error.message
                    }
                }
                pairs.append(entry)
            }
        }
        var gate: [[String: Any]] = []
        let labelled = Set(latestByRater.values.flatMap(\.keys))
        let conditions = Set(try labelled.compactMap { try app.store.image(id: $0)?.condition })
        if !conditions.isEmpty {
            let decision = try TrustGate(threshold: options.threshold).decide(
                store: app.store, catalog: catalog, runs: run.map { [$0] } ?? [], conditions: conditions.sorted())
            var rows: [[String: Any]] = []
            for c in decision.conditions {
                if c.criteria.isEmpty {
                    rows.append(["condition": c.condition.description, "status": c.status.rawValue, "criterion": "—", "kappa": "—", "decision": "all criteria used"])
                }
                for g in c.criteria {
                    rows.append([
                        "condition": c.condition.description, "status": c.status.rawValue, "criterion": g.criterion,
                        "kappa": Self.number(g.kappa), "decision": g.reason.map { "left out: \($0)" } ?? "used",
                    ])
                }
            }
            gate = [["summary": decision.summary, "rows": rows]]
        }
        let runs = try app.store.judgeRuns().reversed().map { ["id": $0.id ?? 0, "model": $0.model, "selected": $0.id == run] as [String: Any] }
        return app.pages.render(
            "agreement", title: "Agreement", session: context.session,
            [
                "threshold": options.threshold, "raters": sections, "pairsOfRaters": pairs, "gate": gate, "runs": runs,
                "runText": run.map { "run \($0)" } ?? "each image's latest judgment",
            ])
    }

    /// Items where the rater and the judge both answered met or not met and differ, each with a link to
    /// the image's labelling page (where both answers show side by side).
    private func disagreements(_ byImage: [String: [String: Verdict]], run: Int64?, catalog: ChecklistCatalog) throws
        -> [[String: Any]]
    {
        var images: [ImageRecord] = []
        for id in byImage.keys.sorted() { if let image = try app.store.image(id: id) { images.append(image) } }
        let loaded = try StoredVerdicts.load(store: app.store, catalog: catalog, images: images, run: run)
        var out: [[String: Any]] = []
        for judged in loaded.images {
            guard let mine = byImage[judged.image.id] else { continue }
            for (criterion, verdict) in mine.sorted(by: { $0.key < $1.key }) {
                guard let judge = judged.combined[criterion], LabelRoutes.disagree(verdict, judge) else { continue }
                out.append([
                    "condition": judged.condition.description, "short": String(judged.image.id.prefix(12)),
                    "criterion": criterion, "mine": LabelRoutes.words(verdict), "judge": LabelRoutes.words(judge),
                    "url": "/label/image?" + FormData.encode([("id", judged.image.id), ("condition", judged.condition.description)]),
                ])
            }
        }
        return out
    }
}
