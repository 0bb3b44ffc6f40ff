import Foundation
import RoundsCore

/// Every domain and checklist of a `Checklists/` tree, with every problem found while loading it.
///
/// Layout: `<domain>/domain.yaml`, `<domain>/<condition>.yaml`, optional `<domain>/artefacts.yaml`.
/// Files other than `.yaml` (a README) are ignored. A file with problems is left out of the catalogue
/// and its problems are listed in `problems`; loading goes on with the other files.
public struct ChecklistCatalog: Sendable {
    public var origin: ResourceOrigin
    /// Domains that loaded, sorted by id.
    public var domains: [Domain]
    /// Condition checklists (not artefacts) by condition.
    public var checklists: [ConditionID: Checklist]
    /// Artefacts checklists by domain id.
    public var artefacts: [String: Checklist]
    /// Every problem in every file, in file then line order.
    public var problems: [ChecklistProblem]
    /// How many YAML files were read.
    public var fileCount: Int

    /// The conditions that loaded, sorted.
    public var conditions: [ConditionID] { checklists.keys.sorted() }

    public func domain(_ id: String) -> Domain? { domains.first { $0.id == id } }

    /// Loads the tree at `origin` (a folder, or the copy embedded in the binary).
    ///
    /// - Throws: `ChecklistError.unreadable` when the folder itself cannot be listed. Problems in files
    ///   do not throw; they are in `problems`.
    public static func load(from origin: ResourceOrigin) throws(ChecklistError) -> ChecklistCatalog {
        switch origin {
        case .directory(let url, _):
            return load(files: try CatalogFiles.list(root: url, display: url.path), origin: origin)
        case .bundled:
            let files = BundledResources.files(in: "Checklists").map { path, bytes in
                CatalogFiles.Entry(relative: path, display: "<bundled>/Checklists/\(path)", bytes: .success(bytes))
            }
            return load(files: files.sorted { $0.relative < $1.relative }, origin: origin)
        }
    }

    /// Loads from already listed files (paths relative to the `Checklists/` root).
    static func load(files: [CatalogFiles.Entry], origin: ResourceOrigin) -> ChecklistCatalog {
        var catalog = ChecklistCatalog(
            origin: origin, domains: [], checklists: [:], artefacts: [:], problems: [], fileCount: 0)
        var byDomain: [String: [CatalogFiles.Entry]] = [:]
        for entry in files where entry.relative.hasSuffix(".yaml") || entry.relative.hasSuffix(".yml") {
            let parts = entry.relative.split(separator: "/")
            guard parts.count == 2 else {
                catalog.problems.append(
                    ChecklistProblem(
                        InputLocation(path: entry.display),
                        "checklist files sit one level down, in Checklists/<domain>/; this one is not checked"))
                continue
            }
            byDomain[String(parts[0]), default: []].append(entry)
        }
        for (domainID, entries) in byDomain.sorted(by: { $0.key < $1.key }) {
            catalog.fileCount += entries.count
            guard let domainFile = entries.first(where: { $0.relative.hasSuffix("/domain.yaml") }) else {
                for entry in entries {
                    catalog.problems.append(
                        ChecklistProblem(
                            InputLocation(path: entry.display),
                            "no domain.yaml in folder '\(domainID)'; a checklist is checked against its domain"))
                }
                continue
            }
            let (domain, domainProblems) = catalog.readDomain(domainFile, id: domainID)
            catalog.problems += domainProblems
            guard let domain else {
                for entry in entries where entry.relative != domainFile.relative {
                    catalog.problems.append(
                        ChecklistProblem(
                            InputLocation(path: entry.display),
                            "not checked: its domain.yaml has problems"))
                }
                continue
            }
            catalog.domains.append(domain)
            for entry in entries where entry.relative != domainFile.relative {
                let (checklist, problems) = readChecklist(entry, domain: domain)
                catalog.problems += problems
                guard let checklist else { continue }
                let earlier = checklist.kind == .artefacts ? catalog.artefacts[domain.id] : catalog.checklists[checklist.condition]
                if let earlier {  // e.g. vitiligo.yaml beside vitiligo.yml: the first file read stays
                    catalog.problems.append(ChecklistProblem(
                        InputLocation(path: entry.display),
                        "\(checklist.kind == .artefacts ? "\(domain.id)/artefacts" : checklist.condition.description) is "
                            + "defined again (already by \(earlier.location.path)); keep one file per condition"))
                    continue
                }
                if checklist.kind == .artefacts {
                    catalog.artefacts[domain.id] = checklist
                } else {
                    catalog.checklists[checklist.condition] = checklist
                }
            }
        }
        catalog.problems.sort()
        return catalog
    }

    private func readDomain(_ entry: CatalogFiles.Entry, id: String) -> (Domain?, [ChecklistProblem]) {
        switch entry.bytes {
        case .success(let bytes): return Domain.read(bytes: bytes, path: entry.display, expectedID: id)
        case .failure(let error): return (nil, error.problems)
        }
    }

    private static func readChecklist(_ entry: CatalogFiles.Entry, domain: Domain) -> (Checklist?, [ChecklistProblem]) {
        switch entry.bytes {
        case .success(let bytes): return Checklist.read(bytes: bytes, path: entry.display, domain: domain)
        case .failure(let error): return (nil, error.problems)
        }
    }

    /// The checklist of `name`: `domain/condition`, or a bare condition unique across domains; also
    /// `domain/artefacts` for a domain's artefacts checklist.
    ///
    /// - Throws: `ChecklistError.unknownCondition` naming close matches, or the ambiguous domains.
    /// The problems of the files that would have defined condition `name` (`domain/condition` or a
    /// bare condition): its checklist file, and its domain's `domain.yaml`. What to show when a
    /// condition is unknown because its file did not load.
    public func problems(about name: String) -> [ChecklistProblem] {
        let parts = name.split(separator: "/").map(String.init)
        guard let condition = parts.last else { return [] }
        let domain = parts.count > 1 ? parts[parts.count - 2] : nil
        return problems.filter { p in
            let file = URL(fileURLWithPath: p.location.path)
            let stem = file.deletingPathExtension().lastPathComponent
            let folder = file.deletingLastPathComponent().lastPathComponent
            if stem == condition { return domain == nil || folder == domain }
            return stem == "domain" && (domain == nil || folder == domain)
        }
    }

    /// `its file did not load: a.yaml:3:1: ...; ...` (at most three problems, then a count).
    public static func didNotLoad(_ problems: [ChecklistProblem]) -> String {
        "its file did not load: " + problems.prefix(3).map(\.description).joined(separator: "; ")
            + (problems.count > 3 ? "; and \(problems.count - 3) more (rounds checklist lint)" : "")
    }

    public func resolve(_ name: String) throws(ChecklistError) -> Checklist {
        if name.hasSuffix("/" + ChecklistFormat.artefactsID), let artefacts = artefacts[String(name.dropLast(10))] {
            return artefacts
        }
        do {
            let id = try ConditionID.resolve(name, among: conditions)
            return checklists[id]!
        } catch {
            var message = error.message
            if name == ChecklistFormat.artefactsID, !artefacts.isEmpty {
                message +=
                    "; artefacts checklists are named by domain: "
                    + artefacts.keys.sorted().map { "\($0)/\(ChecklistFormat.artefactsID)" }.joined(separator: ", ")
            }
            if conditions.isEmpty { message += " (no checklists loaded from \(origin))" }
            let broken = problems(about: name)
            if !broken.isEmpty { message += "; \(Self.didNotLoad(broken))" }
            throw ChecklistError(.unknownCondition, message, cause: error)
        }
    }
}

/// The YAML files of a checklists tree, read eagerly so that an unreadable file is one problem among others.
enum CatalogFiles {
    struct Entry: Sendable {
        var relative: String
        var display: String
        var bytes: Result<[UInt8], ChecklistError>
    }

    static func list(root: URL, display: String) throws(ChecklistError) -> [Entry] {
        guard ResourceSearchPath.isDirectory(root) else {
            throw ChecklistError(.unreadable, "\(display): no such folder")
        }
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw ChecklistError(.unreadable, "\(display): cannot list the folder")
        }
        var entries: [Entry] = []
        let base = root.standardizedFileURL.path
        for case let url as URL in walker where url.pathExtension == "yaml" || url.pathExtension == "yml" {
            let relative = String(url.standardizedFileURL.path.dropFirst(base.count).drop { $0 == "/" })
            let shown = (display.hasSuffix("/") ? display : display + "/") + relative
            let bytes: Result<[UInt8], ChecklistError>
            do { bytes = .success(try FileInput.read(url, displayPath: shown)) } catch { bytes = .failure(error) }
            entries.append(Entry(relative: relative, display: shown, bytes: bytes))
        }
        return entries.sorted { $0.relative < $1.relative }
    }
}
