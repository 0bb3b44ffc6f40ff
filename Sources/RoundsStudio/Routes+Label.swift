import Foundation
import Hummingbird
import RoundsChecklists
import RoundsCore
import RoundsStore

/// Labelling: a queue per condition, one image at a time, blind first, then the judge beside the rater.
struct LabelRoutes {
    let app: StudioApp

    func add(to router: Router<StudioContext>) {
        router.get("/label") { _, context in try index(context) }
        router.get("/label/queue") { request, context in
            let query = FormData(encoded: request.uri.query ?? "")
            let rater = try app.rater(context, returnTo: request.uri.description)
            let (filter, checklist) = try queueFilter(query)
            let queue = try app.store.labelQueue(filter, rater: rater)
            if let first = queue.first(where: { !$0.labelled }) {
                return Response.redirect(to: imageURL(first.image.id, filter), type: .normal)
            }
            return app.pages.render(
                "label-done", title: "Queue finished", session: context.session,
                ["conditionName": checklist.name, "queueCount": queue.count])
        }
        router.get("/label/image") { request, context in
            let query = FormData(encoded: request.uri.query ?? "")
            let rater = try app.rater(context, returnTo: request.uri.description)
            return try imagePage(query, rater: rater, context: context)
        }
        router.post("/label/image") { _, context in
            let form = context.form
            let rater = try app.rater(context, returnTo: "/label")
            let queue = FormData(encoded: form.raw("queue") ?? "")
            let (filter, checklist) = try queueFilter(queue)
            let imageID = try imageID(form["image"])
            var criteria: [String: Verdict] = [:]
            for criterion in checklist.criteria {
                guard let text = form["criterion:\(criterion.id)"] else { continue }
                guard let verdict = Verdict(rawValue: text), verdict != .indeterminate else {
                    throw StudioError.badRequest("criterion \(criterion.id): '\(text)' is not met, not_met or uncertain.")
                }
                criteria[criterion.id] = verdict
            }
            let known = Set(checklist.criteria.map { "criterion:\($0.id)" })
            if let stray = form.fields.first(where: { $0.name.hasPrefix("criterion:") && !known.contains($0.name) }) {
                throw StudioError.badRequest("\(stray.name): not a criterion of \(checklist.condition)'s checklist.")
            }
            var plausible: Bool?
            switch form["plausibility"] {
            case nil: plausible = nil
            case "plausible": plausible = true
            case "implausible": plausible = false
            case let other?: throw StudioError.badRequest("plausibility: '\(other)' is not plausible or implausible.")
            }
            guard plausible != nil || !criteria.isEmpty else {
                throw StudioError.badRequest(
                    "Nothing was answered: answer at least one criterion or the overall plausibility, then save.")
            }
            try requireImage(imageID, of: filter.condition)
            _ = try app.store.addRaterLabel(
                rater: rater, imageID: imageID, plausible: plausible, criteria: criteria, note: form["note"])
            return Response.redirect(to: imageURL(imageID, filter), type: .normal)
        }
        router.post("/label/undo") { _, context in
            let form = context.form
            let rater = try app.rater(context, returnTo: "/label")
            let (filter, _) = try queueFilter(FormData(encoded: form.raw("queue") ?? ""))
            let imageID = try imageID(form["image"])
            guard let id = form["label"].flatMap(Int64.init) else { throw StudioError.badRequest("label: not a label id.") }
            guard try app.store.removeRaterLabel(id: id, rater: rater) else {
                throw StudioError.notFound("Label \(id) is not a label you made in the studio, so it cannot be undone here.")
            }
            return Response.redirect(to: imageURL(imageID, filter), type: .normal)
        }
    }

    private func index(_ context: StudioContext) throws -> Response {
        let catalog = try app.catalog()
        let rater = context.session?.rater
        var rows: [[String: Any]] = []
        let images = try app.store.images()
        let counts = Dictionary(grouping: images.compactMap(\.condition), by: { $0 }).mapValues(\.count)
        let mine = try rater.map { try Set(app.store.labels(rater: $0).map(\.label.imageID)) } ?? []
        let labelledCounts = Dictionary(
            grouping: images.filter { mine.contains($0.id) }.compactMap(\.condition), by: { $0 }
        ).mapValues(\.count)
        for condition in catalog.conditions where counts[condition] != nil {
            rows.append([
                "id": condition.description, "name": catalog.checklists[condition]!.name, "images": counts[condition]!,
                "labelled": labelledCounts[condition] ?? 0,
            ])
        }
        let runs = try app.store.judgeRuns().reversed().map { ["id": $0.id ?? 0, "model": $0.model] as [String: Any] }
        return app.pages.render(
            "label-index", title: "Label images", session: context.session,
            ["conditions": rows, "runs": runs, "skinTones": StoreSchema.skinToneBands])
    }

    private func imagePage(_ query: FormData, rater: String, context: StudioContext) throws -> Response {
        let (filter, checklist) = try queueFilter(query)
        let imageID = try imageID(query["id"])
        let image = try requireImage(imageID, of: filter.condition)
        let queue = try app.store.labelQueue(filter, rater: rater)
        let label = try app.store.latestLabel(rater: rater, imageID: imageID)
        var values: [String: Any] = [
            "condition": filter.condition.description, "conditionName": checklist.name, "imageID": imageID,
            "imageShort": String(imageID.prefix(12)), "origin": image.origin.rawValue, "split": image.split.rawValue,
            "skinTone": image.skinTone ?? "", "queueQuery": queueQuery(filter), "queueCount": queue.count,
            "remaining": queue.filter { !$0.labelled }.count,
            "position": (queue.firstIndex { $0.image.id == imageID }).map { String($0 + 1) } ?? "–",
        ]
        guard let label else {
            values["blind"] = true
            values["criteria"] = checklist.criteria.enumerated().map { i, c in
                Pages.droppingEmpty(["index": i, "number": i + 1, "id": c.id, "text": c.text, "notes": c.notes ?? ""])
            }
            return app.pages.render("label-image", title: "Label · \(checklist.name)", session: context.session, values)
        }
        let verdicts = try app.store.latestVerdicts(checklistVersion: checklist.version, imageIDs: [imageID])
        let byCriterion = Dictionary(verdicts.map { ($0.criterionID, $0) }, uniquingKeysWith: { a, _ in a })
        var disagreements = 0
        values["revealed"] = true
        values["rows"] = checklist.criteria.enumerated().map { i, c -> [String: Any] in
            let mine = label.criteria[c.id]
            let judge = byCriterion[c.id]
            let disagree = Self.disagree(mine, judge?.verdict)
            if disagree { disagreements += 1 }
            return [
                "number": i + 1, "id": c.id, "text": c.text, "mine": mine?.rawValue ?? "", "mineText": Self.words(mine),
                "judge": judge?.verdict.rawValue ?? "", "judgeText": Self.words(judge?.verdict),
                "evidence": judge?.evidence ?? "", "disagree": disagree,
            ]
        }
        values["disagreements"] = disagreements
        if let first = verdicts.first {
            values["judgeModel"] = first.model
            values["judgeRun"] = first.runID
        }
        values["plausibility"] = label.label.plausible.map { $0 ? "plausible" : "implausible" } ?? "—"
        values["note"] = label.label.note ?? ""
        if label.label.source == "studio" { values["labelID"] = label.label.id ?? 0 }
        if let next = queue.first(where: { !$0.labelled && $0.image.id != imageID }) {
            values["nextURL"] = imageURL(next.image.id, filter)
        }
        values["doneURL"] = "/label/queue?" + queueQuery(filter)
        return app.pages.render("label-image", title: "Label · \(checklist.name)", session: context.session, values)
    }

    /// A rater and the judge disagree when both gave a definite answer and the answers differ (the items
    /// Cohen's κ counts).
    static func disagree(_ a: Verdict?, _ b: Verdict?) -> Bool {
        guard let a, let b, a == .met || a == .notMet, b == .met || b == .notMet else { return false }
        return a != b
    }

    static func words(_ v: Verdict?) -> String {
        switch v {
        case .met?: "met"
        case .notMet?: "not met"
        case .uncertain?: "uncertain"
        case .indeterminate?: "no usable answer"
        case nil: "—"
        }
    }

    private func imageID(_ text: String?) throws -> String {
        guard let text, ImageIdentity.isImageID(text) else {
            throw StudioError.badRequest("'\(text ?? "")' is not an image id (64 lowercase hex digits).")
        }
        return text
    }

    @discardableResult
    private func requireImage(_ id: String, of condition: ConditionID) throws -> ImageRecord {
        guard let image = try app.store.image(id: id) else { throw StudioError.notFound("No image with id \(id) is stored.") }
        guard image.condition == condition else {
            throw StudioError.badRequest(
                "Image \(id.prefix(12))… is of \(image.condition?.description ?? "no condition"), not \(condition).")
        }
        return image
    }

    /// The queue's filters from a query: `condition` (required), `origin`, `split`, `skin`, `run`.
    func queueFilter(_ query: FormData) throws -> (LabelQueueFilter, Checklist) {
        let catalog = try app.catalog()
        guard let text = query["condition"] else { throw StudioError.badRequest("Choose a condition.") }
        let condition: ConditionID
        do { condition = try ConditionID(parsing: text) } catch {
            throw StudioError.badRequest("condition: '\(text)' is not domain/condition.")
        }
        guard let checklist = catalog.checklists[condition] else {
            throw StudioError.notFound("condition: \(condition) has no checklist in \(app.configuration.checklists).")
        }
        var filter = LabelQueueFilter(condition: condition)
        if let origin = query["origin"] {
            guard let o = ImageOrigin(rawValue: origin) else { throw StudioError.badRequest("origin: '\(origin)' is not real or synthetic.") }
            filter.origin = o
        }
        if let split = query["split"] {
            guard let s = DataSplit(rawValue: split) else { throw StudioError.badRequest("split: '\(split)' is not train, test or none.") }
            filter.split = s
        }
        if let skin = query["skin"] {
            guard StoreSchema.skinToneBands.contains(skin) else {
                throw StudioError.badRequest("skin: '\(skin)' is not one of " + StoreSchema.skinToneBands.joined(separator: ", ") + ".")
            }
            filter.skinTone = skin
        }
        if let run = query["run"] {
            guard let r = Int64(run), r >= 1 else { throw StudioError.badRequest("run: '\(run)' is not a judge run id.") }
            filter.run = r
        }
        return (filter, checklist)
    }

    func queueQuery(_ filter: LabelQueueFilter) -> String {
        var pairs = [("condition", filter.condition.description)]
        if let o = filter.origin { pairs.append(("origin", o.rawValue)) }
        if let s = filter.split { pairs.append(("split", s.rawValue)) }
        if let t = filter.skinTone { pairs.append(("skin", t)) }
        if let r = filter.run { pairs.append(("run", String(r))) }
        return FormData.encode(pairs)
    }

    func imageURL(_ id: String, _ filter: LabelQueueFilter) -> String {
        "/label/image?id=\(id)&" + queueQuery(filter)
    }
}
