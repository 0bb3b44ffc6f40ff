import ArgumentParser
import Foundation
import RoundsChecklists
import RoundsCore

struct ChecklistCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checklist",
        abstract: "Lint, show and start checklists.",
        subcommands: [Lint.self, Show.self, New.self]
    )

    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check checklists and prompt templates; problems print as file:line:col: message.",
            discussion: """
                Without paths, checks the checklists and the prompt templates on the search path (the ones judge, \
                round and demo would load). A .mustache path is checked as the template its name says; a folder's \
                own .mustache files are checked with its checklists.

                Exit status: 0 when clean, 1 when any problem was found, 2 when a path cannot be read.
                """
        )

        @OptionGroup var options: ChecklistOptions

        @Argument(help: "Files or folders to check (default: the checklists and prompts folders on the search path).")
        var paths: [String] = []

        @Flag(help: "Print one JSON document {files, problems: [{file, line, column, field, message}]}.")
        var json = false

        func run() throws {
            let report: LintReport
            do {
                if paths.isEmpty {
                    let origin = try options.checklistsOrigin()
                    var checked: LintReport
                    switch origin {
                    case .directory(let url, _): checked = try ChecklistLinter.lint([url.path])
                    case .bundled: checked = ChecklistLinter.lint(try ChecklistCatalog.load(from: origin))
                    }
                    let prompts = ChecklistLinter.lintPrompts(try options.promptsOrigin())
                    checked.fileCount += prompts.fileCount
                    checked.problems += prompts.problems
                    report = checked
                } else {
                    report = try ChecklistLinter.lint(paths)
                }
            } catch {
                throw Console.fail(error)
            }
            if json {
                Console.out(report.json.canonicalString)
            } else {
                for problem in report.problems { Console.out(problem.description) }
            }
            Console.error(
                "checked \(report.fileCount) file(s): "
                    + (report.isClean ? "no problems" : "\(report.problems.count) problem(s)"))
            if !report.isClean { throw ExitCode(1) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a condition's checklist and its version.")

        @OptionGroup var options: ChecklistOptions

        @Argument(help: "The condition, as domain/condition or a bare name unique across domains.")
        var condition: String

        @Flag(help: "Print the checklist's full content and version as one JSON document.")
        var json = false

        func run() throws {
            let checklist: Checklist
            let catalog: ChecklistCatalog
            do {
                catalog = try options.catalog()
                checklist = try catalog.resolve(condition)
            } catch {
                throw Console.fail(error)
            }
            if json {
                var object = checklist.canonicalJSON.objectValue ?? [:]
                object["version"] = .string(checklist.version)
                object["file"] = .string(checklist.location.path)
                Console.out(JSONValue.object(object).canonicalString)
                return
            }
            guard let domain = catalog.domain(checklist.condition.domain) else { return }
            Console.out(Self.text(checklist, domain: domain))
        }

        static func text(_ checklist: Checklist, domain: Domain) -> String {
            var lines = ["\(checklist.name) (\(checklist.condition))"]
            var status = "status: \(checklist.status.rawValue)"
            if let by = checklist.reviewedBy, let on = checklist.reviewedOn { status += ", reviewed by \(by) on \(on)" }
            lines.append(status)
            lines.append("version: \(checklist.version)")
            lines.append("file: \(checklist.location.path)")
            if let description = checklist.description { lines.append(""); lines.append(description) }
            var dimensions = domain.dimensions.map { ($0.id, $0.name) }
            if !dimensions.contains(where: { $0.0 == ChecklistFormat.artefactDimension }) {
                dimensions.append((ChecklistFormat.artefactDimension, "Artefact"))
            }
            for (id, name) in dimensions {
                let criteria = checklist.criteria.filter { $0.dimension == id }
                guard !criteria.isEmpty else { continue }
                lines.append("")
                lines.append("\(name):")
                for criterion in criteria {
                    let weight =
                        criterion.weight == 1 ? "" : " (weight \(JSONValue.number(criterion.weight).canonicalString))"
                    lines.append("  - [\(criterion.id)] \(criterion.text)\(weight)")
                    if let notes = criterion.notes { lines.append("      note: \(notes)") }
                }
            }
            return lines.joined(separator: "\n")
        }
    }

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a draft checklist skeleton with one TODO criterion per dimension of the domain.",
            discussion: "The skeleton fails lint until every TODO is replaced. Never overwrites a file."
        )

        @OptionGroup var options: ChecklistOptions

        @Argument(help: "The new condition's id, a slug such as basal-cell-carcinoma.")
        var condition: String

        @Option(help: "The domain whose dimensions the checklist uses, e.g. dermatology.")
        var domain: String

        @Option(help: "Where to write (default: <checklists folder>/<domain>/<condition>.yaml).")
        var out: String?

        func validate() throws {
            guard ChecklistFormat.isSlug(condition) else {
                throw ValidationError(
                    "CONDITION '\(condition)' is not a slug (lowercase letters and digits joined by '-')")
            }
        }

        func run() throws {
            do {
                let origin = try options.checklistsOrigin()
                let catalog = try ChecklistCatalog.load(from: origin)
                guard let found = catalog.domain(domain) else {
                    let known = catalog.domains.map(\.id).joined(separator: ", ")
                    throw ChecklistError(
                        .unknownCondition,
                        "unknown domain '\(domain)' in \(origin) (known: \(known.isEmpty ? "none" : known))")
                }
                let target: URL
                if let out {
                    target = URL(fileURLWithPath: out)
                } else if case .directory(let url, _) = origin {
                    target = url.appendingPathComponent(domain).appendingPathComponent(condition + ".yaml")
                } else {
                    throw ChecklistError(
                        .notFound, "no checklists folder on disk (using the built-in copy); pass --out FILE")
                }
                guard !FileManager.default.fileExists(atPath: target.path) else {
                    throw ChecklistError(.alreadyExists, "\(target.path) exists already; not overwriting it")
                }
                let text = ChecklistSkeleton.yaml(condition: condition, domain: found)
                do {
                    try Data(text.utf8).write(to: target, options: .withoutOverwriting)
                } catch {
                    throw ChecklistError(
                        .unreadable, "cannot write \(target.path): \(error.localizedDescription)", cause: error)
                }
                Console.out(target.path)
                Console.error(
                    "wrote a draft for \(domain)/\(condition) with \(found.dimensions.count) TODO criteria; "
                        + "fill them in, then run: rounds checklist lint \(target.path)")
            } catch let error as ChecklistError {
                throw Console.fail(error)
            }
        }
    }
}
