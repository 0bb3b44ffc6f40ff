import Foundation
import RoundsCore

/// What `rounds checklist lint` found.
public struct LintReport: Sendable {
    /// How many files were checked (checklists, domains and prompt templates).
    public var fileCount: Int
    /// Every problem, sorted by file, line and column, without repeats.
    public var problems: [ChecklistProblem]

    public var isClean: Bool { problems.isEmpty }

    public init(fileCount: Int, problems: [ChecklistProblem]) {
        self.fileCount = fileCount
        self.problems = problems
    }

    /// `{"files": n, "problems": [{"file","line","column","field","message"}]}` for `--json`.
    public var json: JSONValue {
        .object([
            "files": .number(Double(fileCount)),
            "problems": .array(
                problems.map { p in
                    .object([
                        "file": .string(p.location.path),
                        "line": p.location.line.map { .number(Double($0)) } ?? .null,
                        "column": p.location.column.map { .number(Double($0)) } ?? .null,
                        "field": .string(p.field),
                        "message": .string(p.message),
                    ])
                }),
        ])
    }
}

/// Checks checklist files and folders without stopping at the first bad one.
public enum ChecklistLinter {
    /// Lints each path: a `Checklists/` root, a domain folder (holding `domain.yaml`), a `domain.yaml`,
    /// or a checklist file (checked against the `domain.yaml` beside it).
    ///
    /// - Throws: `ChecklistError.unreadable` when a path does not exist.
    public static func lint(
        _ paths: [String], workingDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    )
        throws(ChecklistError) -> LintReport
    {
        var report = LintReport(fileCount: 0, problems: [])
        for path in paths {
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : workingDirectory.appendingPathComponent(path)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw ChecklistError(.unreadable, "\(path): no such file or folder")
            }
            if ResourceSearchPath.isDirectory(url) {
                for name in templates(in: url) {  // a Prompts/ folder
                    lintTemplate(url.appendingPathComponent(name), display: (path as NSString).appendingPathComponent(name), into: &report)
                }
                lintFolder(url, display: path, into: &report)
            } else if url.pathExtension.lowercased() == "mustache" {
                lintTemplate(url, display: path, into: &report)
            } else {
                lintFile(url, display: path, into: &report)
            }
        }
        report.problems = Array(Set(report.problems)).sorted()
        return report
    }

    /// Lints the loaded catalogue of an origin (used for the bundled copy, which has no folder).
    public static func lint(_ catalog: ChecklistCatalog) -> LintReport {
        LintReport(fileCount: catalog.fileCount, problems: catalog.problems)
    }

    private static func lintFolder(_ url: URL, display: String, into report: inout LintReport) {
        let isDomainFolder = FileManager.default.fileExists(atPath: url.appendingPathComponent("domain.yaml").path)
        do {
            var files = try CatalogFiles.list(root: url, display: display)
            if isDomainFolder {
                let name = url.standardizedFileURL.lastPathComponent
                files = files.map { entry in
                    var entry = entry
                    entry.relative = name + "/" + entry.relative
                    return entry
                }
            }
            let catalog = ChecklistCatalog.load(files: files, origin: .directory(url, reason: "lint"))
            report.fileCount += catalog.fileCount
            report.problems += catalog.problems
        } catch {
            report.problems += error.problems(orAt: display)
        }
    }

    private static func lintFile(_ url: URL, display: String, into report: inout LintReport) {
        report.fileCount += 1
        let folder = url.deletingLastPathComponent()
        let bytes: [UInt8]
        do { bytes = try FileInput.read(url, displayPath: display) } catch {
            report.problems += error.problems(orAt: display)
            return
        }
        if url.lastPathComponent == "domain.yaml" {
            report.problems +=
                Domain.read(bytes: bytes, path: display, expectedID: folder.standardizedFileURL.lastPathComponent).1
            return
        }
        let domainURL = folder.appendingPathComponent("domain.yaml")
        let domainDisplay =
            (display as NSString).deletingLastPathComponent.isEmpty
            ? "domain.yaml" : (display as NSString).deletingLastPathComponent + "/domain.yaml"
        guard FileManager.default.fileExists(atPath: domainURL.path) else {
            report.problems.append(
                ChecklistProblem(
                    InputLocation(path: display),
                    "no domain.yaml beside this file; a checklist is checked against its domain"))
            return
        }
        let domainBytes: [UInt8]
        do { domainBytes = try FileInput.read(domainURL, displayPath: domainDisplay) } catch {
            report.problems += error.problems
            return
        }
        let (domain, domainProblems) = Domain.read(
            bytes: domainBytes, path: domainDisplay, expectedID: folder.standardizedFileURL.lastPathComponent)
        guard let domain else {
            report.problems += domainProblems
            report.problems.append(
                ChecklistProblem(InputLocation(path: display), "not checked: its domain.yaml has problems"))
            return
        }
        report.problems += Checklist.read(bytes: bytes, path: display, domain: domain).1
    }
}
