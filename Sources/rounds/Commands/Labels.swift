import ArgumentParser
import Foundation
import RoundsChecklists
import RoundsCore
import RoundsStore

/// `rounds labels`: human labels in and templates out.
struct Labels: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import a rater's labels, or write a CSV template to fill in.",
        subcommands: [LabelsImport.self, LabelsTemplate.self]
    )
}

/// `rounds labels import FILE --rater NAME [--skip-bad]`.
struct LabelsImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import labels from CSV or JSONL: all rows in one transaction, or none.",
        discussion: """
            Columns (CSV header or JSONL keys): image (a stored path or image id), label (plausible, implausible, \
            1 or 0), note, and criterion:<id> (met, not_met or uncertain; an id of the image's checklist). rater, \
            path, condition and labeled_at are ignored, so templates and exports import as they are.
            """
    )

    @OptionGroup var database: DatabaseOptions

    @OptionGroup var checklists: ChecklistOptions

    @Argument(help: ArgumentHelp("The labels file (.csv, or .jsonl with one object per line).", valueName: "file"))
    var file: String

    @Option(help: "Who labelled the images.")
    var rater: String

    @Flag(help: "Import the good rows and report the bad ones, instead of importing nothing.")
    var skipBad = false

    @Flag(help: "Print one JSON document on stdout.")
    var json = false

    func validate() throws {
        if rater.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--rater must not be empty") }
    }

    func run() async throws {
        do {
            let store = try database.open()
            // criterion columns are checked against the image's checklist where one loads
            let catalog = try? checklists.catalog()
            let criteria = { @Sendable (c: ConditionID) -> Set<String>? in (try? catalog?.resolve(c.description)).map { Set($0.criteria.map(\.id)) } }
            let report = try LabelImport(store: store).run(path: file, rater: rater, skipBad: skipBad, criteria: criteria) { n in
                Console.error("labels import: writing \(n) label(s) in one transaction")
            }
            for p in report.problems { Console.error("rounds: skipped \(p)") }
            if json {
                Console.write(
                    JSONValue.object([
                        "imported": .number(Double(report.imported)),
                        "criterion_verdicts": .number(Double(report.criterionVerdicts)),
                        "already_stored": .number(Double(report.alreadyStored)),
                        "skipped": .array(report.problems.map { .string($0.description) }),
                    ]).canonicalString + "\n")
            } else {
                Console.write(
                    "imported \(report.imported) label(s) (\(report.criterionVerdicts) criterion verdicts), skipped \(report.problems.count)"
                        + (report.alreadyStored > 0
                            ? "; \(report.alreadyStored) already stored for \(rater) (same image and content), not imported again\n" : "\n")
                )
            }
            if !report.problems.isEmpty { throw ExitCode(1) }
        } catch {
            throw StoreCommandFailure.exit(error)
        }
    }
}

/// `rounds labels template --condition C [--limit N] > labels.csv`.
struct LabelsTemplate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Write a CSV to fill in, one row per stored image of a condition."
    )

    @OptionGroup var database: DatabaseOptions

    @OptionGroup var checklists: ChecklistOptions

    @Option(help: "The condition, as domain/condition.")
    var condition: String

    @Option(help: "At most this many images.")
    var limit: Int?

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
    }

    func run() async throws {
        do {
            let id = try StoreWiring.conditions(checklists).resolve(condition, context: "--condition")
            let (text, rows) = try LabelTemplate.csv(
                store: try database.open(), condition: id, criteria: StoreWiring.criteria(of: id, checklists),
                limit: limit)
            Console.write(text)
            if rows == 0 { Console.error("labels template: no stored images of \(id)") }
        } catch {
            throw StoreCommandFailure.exit(error)
        }
    }
}
