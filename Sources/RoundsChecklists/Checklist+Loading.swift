import Foundation
import RoundsCore
import Yams

extension Checklist {
    /// Reads a condition or artefacts checklist, reporting every problem at once.
    ///
    /// Checks the file against the format (`docs/checklists.md`) and against its domain: `id` equals the
    /// file name stem, every criterion's `dimension` is one of the domain's, criterion ids are unique.
    ///
    /// - Parameters:
    ///   - bytes: The file's contents.
    ///   - path: How messages name the file; its last component's stem is the expected id.
    ///   - domain: The domain the file belongs to.
    /// - Returns: The checklist when the file has no problem, and the problems found.
    public static func read(bytes: [UInt8], path: String, domain: Domain) -> (Checklist?, [ChecklistProblem]) {
        let document = YAMLDocument(bytes: bytes, path: path)
        guard let root = document.root else { return (nil, document.problems.sorted()) }
        // Problems of the YAML itself (anchors, tags, duplicates) do not stop the field checks: the
        // reader descends only as deep as the format, so it never expands an alias either.
        var reader = FieldReader(document)
        reader.problems = document.problems
        guard
            let fields = reader.fields(
                root, field: "", allowed: ChecklistFormat.checklistKeys,
                required: ChecklistFormat.checklistRequired)
        else { return (nil, reader.problems.sorted()) }
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent

        let id = reader.slug(fields["id"]?.value, "id")
        if let id, id != stem, let node = fields["id"]?.value {
            reader.report(node, "id", "'\(id)' does not match the file name '\(stem)'; rename one of them")
        }
        var kind = ChecklistKind.condition
        if let node = fields["kind"]?.value, let value = reader.choice(node, "kind", as: ChecklistKind.self) {
            kind = value
        }
        let isArtefactsFile = stem == ChecklistFormat.artefactsID
        if kind == .artefacts, !isArtefactsFile {
            reader.report(
                fields["kind"]?.value, "kind", "only \(ChecklistFormat.artefactsID).yaml may have kind: artefacts")
        } else if isArtefactsFile, kind != .artefacts {
            reader.report(
                fields["kind"]?.value ?? root, "kind", "\(ChecklistFormat.artefactsID).yaml must say kind: artefacts")
            kind = .artefacts  // check the rest as what the file name says it is
        }
        let name = reader.string(fields["name"]?.value, "name", maxLength: ChecklistFormat.maximumNameLength)
        if let name, name.contains("TODO") {
            reader.report(fields["name"]?.value, "name", "still holds a TODO placeholder")
        }
        var description: String?
        if kind == .condition, fields["description"] == nil {
            reader.report(root, "description", "missing required key 'description'")
        } else if let node = fields["description"]?.value {
            description = reader.string(node, "description", maxLength: ChecklistFormat.maximumDescriptionLength)
            if let text = description, text.contains("TODO") {
                reader.report(node, "description", "still holds a TODO placeholder")
            }
        }
        let status = reader.choice(fields["status"]?.value, "status", as: ChecklistStatus.self)
        let (reviewedBy, reviewedOn) = readReview(fields, status: status, root: root, reader: &reader)
        let criteria = readCriteria(fields["criteria"]?.value, kind: kind, domain: domain, reader: &reader)
        let prompt = readPrompt(fields["prompt"]?.value, reader: &reader)

        guard reader.problems.isEmpty, let id, let name, let status, let criteria,
            let condition = try? ConditionID(domain: domain.id, name: id)
        else { return (nil, reader.problems.sorted()) }
        let checklist = Checklist(
            id: id, condition: condition, name: name, description: description, status: status,
            reviewedBy: reviewedBy, reviewedOn: reviewedOn, kind: kind, criteria: criteria,
            location: InputLocation(path: path), fieldLocations: fields.mapValues { reader.location($0.value) },
            prompt: prompt)
        return (checklist, [])
    }

    /// Reads a checklist file with the domain it belongs to.
    ///
    /// - Throws: `ChecklistError` `.unreadable`, or `.invalidChecklist` with every problem.
    public static func load(contentsOf url: URL, domain: Domain, displayPath: String? = nil) throws(ChecklistError)
        -> Checklist
    {
        let path = displayPath ?? url.path
        let (checklist, problems) = read(bytes: try FileInput.read(url, displayPath: path), path: path, domain: domain)
        guard let checklist else {
            throw ChecklistError(.invalidChecklist, "\(path): \(problems.count) problem(s)", problems: problems)
        }
        return checklist
    }

    /// `prompt`: null or a string whose only placeholders are `ChecklistFormat.promptPlaceholders`.
    private static func readPrompt(_ node: Node?, reader: inout FieldReader) -> String? {
        guard let value = reader.optionalString(node, "prompt", maxLength: ChecklistFormat.maximumPromptLength),
              let text = value else { return nil }
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            let after = rest[open...]
            guard let close = after.firstIndex(of: "}") else {
                reader.report(node, "prompt", "unclosed '{'; the only placeholder is {condition}")
                return nil
            }
            let placeholder = String(after[...close])
            guard ChecklistFormat.promptPlaceholders.contains(placeholder) else {
                reader.report(node, "prompt", "unknown placeholder \(placeholder); the only placeholder is {condition} (the name)")
                return nil
            }
            rest = after[after.index(after: close)...]
        }
        return text
    }

    /// `reviewed_by` and `reviewed_on`: both required when reviewed, null or absent when draft.
    private static func readReview(
        _ fields: [String: (key: Node, value: Node)], status: ChecklistStatus?, root: Node, reader: inout FieldReader
    ) -> (String?, String?) {
        let by = reader.optionalString(
            fields["reviewed_by"]?.value, "reviewed_by", maxLength: ChecklistFormat.maximumNameLength)
        let on = reader.optionalString(fields["reviewed_on"]?.value, "reviewed_on")
        if case .some(.some(let date)) = on, !ChecklistFormat.isDate(date) {
            reader.report(fields["reviewed_on"]?.value, "reviewed_on", "'\(date)' is not a date written YYYY-MM-DD")
        }
        switch status {
        case .reviewed:
            if case .some(nil) = by {
                reader.report(
                    fields["reviewed_by"]?.value ?? root, "reviewed_by", "status is reviewed: name who reviewed it")
            }
            if case .some(nil) = on {
                reader.report(
                    fields["reviewed_on"]?.value ?? root, "reviewed_on",
                    "status is reviewed: give the review date (YYYY-MM-DD)")
            }
        case .draft:
            if case .some(.some) = by {
                reader.report(
                    fields["reviewed_by"]?.value, "reviewed_by", "status is draft: leave it null until the review")
            }
            if case .some(.some) = on {
                reader.report(
                    fields["reviewed_on"]?.value, "reviewed_on", "status is draft: leave it null until the review")
            }
        case nil: break
        }
        return (by ?? nil, on ?? nil)
    }

    private static func readCriteria(_ node: Node?, kind: ChecklistKind, domain: Domain, reader: inout FieldReader)
        -> [Criterion]?
    {
        guard let node, let items = reader.sequence(node, "criteria") else { return nil }
        if items.isEmpty {
            reader.report(node, "criteria", "must list at least one criterion")
        } else if items.count > ChecklistFormat.maximumCriteria {
            reader.report(
                node, "criteria", "lists \(items.count) criteria; the limit is \(ChecklistFormat.maximumCriteria)")
        }
        var allowed = domain.dimensions.map(\.id)
        if kind == .artefacts, !allowed.contains(ChecklistFormat.artefactDimension) {
            allowed.append(ChecklistFormat.artefactDimension)
        }
        var criteria: [Criterion] = []
        var seen: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            let field = "criteria[\(index)]"
            guard
                let entry = reader.fields(
                    item, field: field, allowed: ChecklistFormat.criterionKeys,
                    required: ChecklistFormat.criterionRequired)
            else { continue }
            let id = reader.slug(entry["id"]?.value, field + ".id")
            if let id, let idNode = entry["id"]?.value {
                if let first = seen[id] {
                    reader.report(idNode, field + ".id", "duplicate criterion id '\(id)' (first at line \(first))")
                } else {
                    seen[id] = idNode.mark?.line ?? 0
                }
            }
            let dimension = reader.string(entry["dimension"]?.value, field + ".dimension")
            if let dimension, !allowed.contains(dimension) {
                let close = allowed.first { EditDistance.levenshtein($0, dimension) <= 2 }
                reader.report(
                    entry["dimension"]?.value, field + ".dimension",
                    "'\(dimension)' is not a dimension of domain '\(domain.id)' (\(allowed.joined(separator: ", ")))"
                        + (close.map { "; did you mean '\($0)'?" } ?? ""))
            }
            let text = reader.string(
                entry["text"]?.value, field + ".text", maxLength: ChecklistFormat.maximumTextLength)
            if let text, text.contains("TODO") {
                reader.report(
                    entry["text"]?.value, field + ".text", "still holds a TODO placeholder; write the criterion")
            }
            let notes = reader.optionalString(
                entry["notes"]?.value, field + ".notes", maxLength: ChecklistFormat.maximumNotesLength)
            var weight: Double? = 1
            if let weightNode = entry["weight"]?.value { weight = reader.positiveNumber(weightNode, field + ".weight") }
            if let id, let dimension, let text, let notes, let weight {
                criteria.append(
                    Criterion(
                        id: id, dimension: dimension, text: text, notes: notes, weight: weight,
                        location: reader.location(item), fieldLocations: entry.mapValues { reader.location($0.value) }))
            }
        }
        return criteria
    }
}
