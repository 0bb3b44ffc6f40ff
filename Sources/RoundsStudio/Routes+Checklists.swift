import Foundation
import HTTPTypes
import Hummingbird
import RoundsChecklists
import RoundsCore
import RoundsStore

/// Checklists: browse by domain, create from the skeleton, edit with live lint, save (refusing a stale
/// tab), history with a diff, sign-off.
struct ChecklistRoutes {
    let app: StudioApp

    /// A condition's file in the checklists folder.
    struct Target {
        var condition: ConditionID
        var domain: Domain
        /// nil for the checklists built into the binary.
        var file: URL?
        /// How lint messages and pages name the file.
        var display: String
    }

    func add(to router: Router<StudioContext>) {
        router.get("/checklists") { _, context in try index(context) }
        router.get("/checklists/edit") { request, context in
            let query = FormData(encoded: request.uri.query ?? "")
            let target = try resolve(query["c"])
            return try editPage(target, context: context, saved: query["saved"] != nil, savedVersion: query["v"])
        }
        router.post("/checklists/lint") { _, context in
            let target = try resolve(context.form["c"])
            let draft = ChecklistDraft(form: context.form)
            let (checklist, problems) = draft.lint(path: target.display, domain: target.domain)
            return Pages.json(Self.lintJSON(problems, version: checklist?.version))
        }
        router.post("/checklists/save") { _, context in
            let target = try resolve(context.form["c"])
            return try await save(ChecklistDraft(form: context.form), base: context.form["base"] ?? "", target: target, context: context)
        }
        router.post("/checklists/review") { _, context in
            let target = try resolve(context.form["c"])
            let rater = try app.rater(context, returnTo: "/checklists/edit?c=\(target.condition)")
            guard let file = target.file else { throw readOnly() }
            guard let text = try? String(contentsOf: file, encoding: .utf8), var draft = ChecklistDraft(yaml: text) else {
                throw StudioError.badRequest("\(target.display) does not parse as YAML; fix it before signing off.")
            }
            draft.status = ChecklistStatus.reviewed.rawValue
            draft.reviewedBy = rater
            draft.reviewedOn = ChecklistDraft.day(Date())
            let (_, problems) = draft.lint(path: target.display, domain: target.domain)
            guard problems.isEmpty else {
                throw StudioError(
                    .unprocessableContent,
                    "\(target.display) cannot be marked reviewed while it has problems: "
                        + problems.map(\.description).joined(separator: "; "))
            }
            return try await save(draft, base: context.form["base"] ?? "", target: target, context: context)
        }
        router.post("/checklists/new") { _, context in
            guard let folder = app.configuration.checklistsFolder else { throw readOnly() }
            let catalog = try app.catalog()
            guard let domainID = context.form["domain"], let domain = catalog.domain(domainID) else {
                throw StudioError.badRequest("domain: choose one of " + catalog.domains.map(\.id).joined(separator: ", ") + ".")
            }
            let name = context.form["condition"] ?? ""
            let condition: ConditionID
            do { condition = try ConditionID(domain: domain.id, name: name) } catch {
                throw StudioError.badRequest("condition: '\(name)' is not a slug (lowercase letters, digits, '-' or '_').")
            }
            let file = folder.appendingPathComponent(domain.id).appendingPathComponent("\(condition.name).yaml")
            try await app.checklistWrites.run {
                guard !FileManager.default.fileExists(atPath: file.path) else {
                    throw StudioError(.conflict, "\(condition) already exists; open it from the list instead.")
                }
                try Data(ChecklistSkeleton.yaml(condition: condition.name, domain: domain).utf8).write(to: file, options: .withoutOverwriting)
            }
            return Response.redirect(to: "/checklists/edit?c=\(condition)", type: .normal)
        }
        router.get("/checklists/history") { request, context in
            let query = FormData(encoded: request.uri.query ?? "")
            return try history(try resolve(query["c"]), context: context)
        }
    }

    private func readOnly() -> StudioError {
        StudioError(.forbidden, "These checklists are built into rounds; start the studio with --checklists FOLDER to edit.")
    }

    func resolve(_ text: String?) throws -> Target {
        guard let text else { throw StudioError.badRequest("Name a condition (c=domain/condition).") }
        let condition: ConditionID
        do { condition = try ConditionID(parsing: text) } catch {
            throw StudioError.badRequest("c: '\(text)' is not domain/condition (lowercase slugs).")
        }
        let catalog = try app.catalog()
        guard let domain = catalog.domain(condition.domain) else {
            throw StudioError.notFound("There is no domain '\(condition.domain)' in \(app.configuration.checklists).")
        }
        let display = "\(condition.domain)/\(condition.name).yaml"
        guard let folder = app.configuration.checklistsFolder else {
            guard catalog.checklists[condition] != nil else { throw StudioError.notFound("No checklist \(condition).") }
            return Target(condition: condition, domain: domain, file: nil, display: "<bundled>/Checklists/" + display)
        }
        let file = folder.appendingPathComponent(condition.domain).appendingPathComponent("\(condition.name).yaml")
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw StudioError.notFound("No checklist \(condition): \(display) does not exist.")
        }
        return Target(condition: condition, domain: domain, file: file, display: display)
    }

    static func fileHash(_ bytes: [UInt8]) -> String {
        var h = SHA256()
        h.update(bytes)
        return h.hexDigest()
    }

    static func draft(of c: Checklist) -> ChecklistDraft {
        var d = ChecklistDraft()
        d.id = c.id
        d.name = c.name
        d.description = c.description ?? ""
        d.status = c.status.rawValue
        d.reviewedBy = c.reviewedBy ?? ""
        d.reviewedOn = c.reviewedOn ?? ""
        d.criteria = c.criteria.map {
            .init(id: $0.id, dimension: $0.dimension, text: $0.text, notes: $0.notes ?? "",
                  weight: $0.weight == $0.weight.rounded() ? String(Int($0.weight)) : String($0.weight))
        }
        return d
    }

    static func lintJSON(_ problems: [ChecklistProblem], version: String?) -> String {
        JSONValue.object([
            "problems": .array(
                problems.map {
                    .object([
                        "field": .string($0.field), "message": .string($0.message),
                        "line": $0.location.line.map { .number(Double($0)) } ?? .null,
                    ])
                }),
            "version": version.map(JSONValue.string) ?? .null,
        ]).canonicalString
    }

    private func index(_ context: StudioContext) throws -> Response {
        let catalog = try app.catalog()
        let editable = app.configuration.checklistsFolder != nil
        let domains = catalog.domains.map { domain -> [String: Any] in
            let lists = catalog.conditions.filter { $0.domain == domain.id }.compactMap { catalog.checklists[$0] }
            return [
                "id": domain.id, "name": domain.name, "modality": domain.modality.rawValue, "editable": editable,
                "checklists": lists.map { c -> [String: Any] in
                    [
                        "id": c.condition.description, "name": c.name, "status": c.status.rawValue,
                        "reviewed": c.reviewedBy != nil, "reviewedBy": c.reviewedBy ?? "", "reviewedOn": c.reviewedOn ?? "",
                        "criteria": c.criteria.count,
                        "version": String(c.version.prefix(12)), "editable": editable,
                    ]
                },
            ]
        }
        let byFile = Dictionary(grouping: catalog.problems, by: \.location.path)
        let files = byFile.keys.sorted().map { path -> [String: Any] in
            let parts = path.split(separator: "/").suffix(2)
            let stem = parts.last.map { String($0.split(separator: ".").first ?? "") } ?? ""
            let condition = parts.count == 2 ? "\(parts.first!)/\(stem)" : ""
            let link = editable && (try? ConditionID(parsing: condition)) != nil && stem != "domain" && stem != "artefacts"
            return ["path": path, "condition": condition, "link": link, "problems": byFile[path]!.map(\.description)]
        }
        return app.pages.render(
            "checklist-index", title: "Checklists", session: context.session,
            [
                "domains": domains, "editable": editable, "origin": app.configuration.checklists.description,
                "broken": files.isEmpty ? [] : [["files": files]],
            ])
    }

    private func editPage(
        _ target: Target, context: StudioContext, saved: Bool = false, savedVersion: String? = nil,
        draftOverride: ChecklistDraft? = nil, status: HTTPResponse.Status = .ok
    ) throws -> Response {
        let catalog = try app.catalog()
        var draft: ChecklistDraft
        var base = ""
        var commentLines = 0
        if let file = target.file {
            guard let data = FileManager.default.contents(atPath: file.path) else {
                throw StudioError.notFound("\(target.display) cannot be read.")
            }
            let text = String(decoding: data, as: UTF8.self)
            base = Self.fileHash(Array(data))
            commentLines = text.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }.count
            guard let loose = ChecklistDraft(yaml: text) else {
                throw StudioError(
                    .unprocessableContent,
                    "\(target.display) is not YAML the editor can read (fix it in a text editor): "
                        + (catalog.problems.filter { $0.location.path.hasSuffix(target.display) }.map(\.description)
                            .joined(separator: "; ")))
            }
            draft = loose
        } else {
            draft = Self.draft(of: catalog.checklists[target.condition]!)
        }
        if let draftOverride { draft = draftOverride }
        let dimensions = target.domain.dimensions
        let values: [String: Any] = [
            "condition": target.condition.description, "path": target.display, "base": base,
            "editable": target.file != nil, "saved": saved, "version": savedVersion ?? "",
            "currentVersion": catalog.checklists[target.condition]?.version ?? "",
            "hasComments": commentLines > 0, "commentLines": commentLines,
            "id": draft.id, "name": draft.name, "description": draft.description, "isDraft": draft.status != "reviewed",
            "reviewedBy": draft.reviewedBy, "reviewedOn": draft.reviewedOn, "rater": context.session?.rater ?? "",
            "allDimensions": dimensions.map { ["id": $0.id, "name": $0.name] },
            "criteria": draft.criteria.map { c -> [String: Any] in
                var options = dimensions.map { ["id": $0.id, "name": $0.name, "selected": $0.id == c.dimension] as [String: Any] }
                if !dimensions.contains(where: { $0.id == c.dimension }) {
                    options.insert(["id": c.dimension, "name": c.dimension.isEmpty ? "(none)" : c.dimension, "selected": true], at: 0)
                }
                return ["id": c.id, "text": c.text, "notes": c.notes, "weight": c.weight, "dimensions": options]
            },
        ]
        return app.pages.render(
            "checklist-edit", title: "Checklist · \(draft.name)", session: context.session, values, status: status)
    }

    /// Writes the draft if the file is still the one the form was made from (`base`, the SHA-256 of its
    /// bytes); otherwise answers 409 with the newer version and what this save would change in it.
    private func save(_ draft: ChecklistDraft, base: String, target: Target, context: StudioContext) async throws
        -> Response
    {
        guard let file = target.file else { throw readOnly() }
        let catalog = try app.catalog()
        let previous = catalog.checklists[target.condition]
        let (checklist, problems) = draft.lint(path: target.display, domain: target.domain)
        if previous != nil, !problems.isEmpty {
            return try editPage(target, context: context, draftOverride: draft, status: .unprocessableContent)
        }
        let store = app.store
        let condition = target.condition.description
        let outcome: SaveOutcome = try await app.checklistWrites.run {
            guard let data = FileManager.default.contents(atPath: file.path) else {
                throw StudioError.notFound("\(target.display) was removed.")
            }
            guard constantTimeEqual(Self.fileHash(Array(data)), base) else {
                return .conflict(current: String(decoding: data, as: UTF8.self))
            }
            if let previous {
                try store.addChecklistVersion(
                    ChecklistVersionRecord(id: previous.version, condition: condition, yaml: String(decoding: data, as: UTF8.self)))
            }
            try Data(draft.yaml.utf8).write(to: file, options: .atomic)
            if let checklist {
                try store.addChecklistVersion(ChecklistVersionRecord(id: checklist.version, condition: condition, yaml: draft.yaml))
            }
            return .saved
        }
        switch outcome {
        case .saved:
            return Response.redirect(
                to: "/checklists/edit?" + FormData.encode([("c", condition), ("saved", "1"), ("v", checklist?.version ?? "")]),
                type: .normal)
        case .conflict(let current):
            let hunks = LineDiff.hunks(LineDiff.diff(current, draft.yaml), context: 1)
            return app.pages.render(
                "checklist-conflict", title: "Not saved", session: context.session,
                [
                    "condition": condition, "current": current,
                    "currentVersion": (try? app.catalog().checklists[target.condition]?.version) ?? "",
                    "diff": hunks.map { ["kind": $0.kind, "text": $0.text] },
                ], status: .conflict)
        }
    }

    enum SaveOutcome: Sendable {
        case saved
        case conflict(current: String)
    }

    private func history(_ target: Target, context: StudioContext) throws -> Response {
        let stored = try app.store.checklistVersions(condition: target.condition)
        var versions: [(id: String, when: String, origin: String, text: String)] = stored.map {
            ($0.id, ISO8601DateFormatter().string(from: $0.createdAt), "stored", $0.yaml)
        }
        let catalog = try app.catalog()
        let fileText = target.file.flatMap { try? String(contentsOf: $0, encoding: .utf8) }
            ?? catalog.checklists[target.condition].map { Self.draft(of: $0).yaml } ?? ""
        let current = catalog.checklists[target.condition]?.version ?? "(has problems)"
        if versions.last?.text != fileText {
            versions.append((current, "now", "the file", fileText))
        }
        let rows = versions.enumerated().reversed().map { i, v -> [String: Any] in
            let hunks = i == 0 ? [] : LineDiff.hunks(LineDiff.diff(versions[i - 1].text, v.text))
            return [
                "short": String(v.id.prefix(12)), "when": v.when, "origin": v.origin, "first": i == 0,
                "hasDiff": !hunks.isEmpty, "unchanged": i > 0 && hunks.isEmpty,
                "diff": hunks.map { ["kind": $0.kind, "text": $0.text] },
            ]
        }
        return app.pages.render(
            "checklist-history", title: "History · \(target.condition)", session: context.session,
            ["condition": target.condition.description, "versions": rows])
    }
}
