import ArgumentParser
import Foundation
import RoundsCore
import RoundsStore

extension ImageOrigin: ExpressibleByArgument {}
extension DataSplit: ExpressibleByArgument {}

/// `rounds images add PATH... --origin real|synthetic [--condition C | --condition-from-folder] ...` (CLI.md).
struct ImagesAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add PNG/JPEG images (files or folders) to the store; an image already stored is recognised."
    )

    @OptionGroup var database: DatabaseOptions

    @OptionGroup var checklists: ChecklistOptions

    @Argument(
        help: ArgumentHelp("Image files, or folders searched recursively for .png/.jpg/.jpeg.", valueName: "path"))
    var paths: [String] = []

    @Option(help: "Where the images come from (required: no default is safe for patient photos).")
    var origin: ImageOrigin

    @Option(help: "The condition of every image, as domain/condition (or a bare name unique across domains).")
    var condition: String?

    @Flag(help: "Take each image's condition from the name of its immediate parent folder.")
    var conditionFromFolder = false

    @Option(help: "The split the images belong to.")
    var split: DataSplit = .none

    @Option(help: "The name of the generator that made synthetic images.")
    var generator: String?

    @Option(
        help: ArgumentHelp(
            "A CSV with a 'path' column and optional 'condition', 'split' and 'skin_tone' columns per file.",
            valueName: "file.csv"))
    var manifest: String?

    @Flag(help: "Print one JSON document on stdout instead of one line per image.")
    var json = false

    func validate() throws {
        if condition != nil, conditionFromFolder {
            throw ValidationError("--condition and --condition-from-folder exclude each other; give one")
        }
        if paths.isEmpty, manifest == nil {
            throw ValidationError("give image paths, or a --manifest listing them")
        }
    }

    func run() async throws {
        do {
            let store = try database.open()
            let conditions = try StoreWiring.conditions(checklists)
            let manifestValue = try manifest.map { try ImageManifest(path: $0, conditions: conditions) }
            let options = ImageImport.Options(
                origin: origin, condition: condition, conditionFromFolder: conditionFromFolder, split: split,
                generator: generator, manifest: manifestValue
            )
            var progress = StoreProgress("images add")
            let report = try ImageImport(store: store, loader: StoreWiring.loader, conditions: conditions)
                .run(paths: paths, options: options) { progress.update($0, $1) }
            printReport(report)
            if !report.failures.isEmpty { throw ExitCode(1) }
        } catch {
            throw StoreCommandFailure.exit(error)
        }
    }

    private func printReport(_ report: ImageImport.Report) {
        var items: [JSONValue] = []
        for outcome in report.outcomes {
            switch outcome {
            case .added(let r):
                if json {
                    items.append(["status": "added", "path": .string(r.path), "image_id": .string(r.id)])
                } else {
                    Console.write("added\t\(r.id)\t\(r.path)\n")
                }
            case .existing(let r, let note):
                if let note { Console.error("warning: \(r.path): already stored; \(note)") }
                if json {
                    items.append(["status": "existing", "path": .string(r.path), "image_id": .string(r.id)])
                } else {
                    Console.write("existing\t\(r.id)\t\(r.path)\n")
                }
            case .failed(let path, let error):
                Console.error(
                    "rounds: \(error.message.hasPrefix(path) ? error.message : "\(path): \(error.message)")")
                if json { items.append(["status": "failed", "path": .string(path), "error": .string(error.message)]) }
            }
        }
        if json {
            let doc: JSONValue = [
                "added": .number(Double(report.addedCount)), "existing": .number(Double(report.existingCount)),
                "failed": .number(Double(report.failures.count)), "images": .array(items),
            ]
            Console.write(doc.canonicalString + "\n")
        }
        Console.error(
            "images add: \(report.addedCount) added, \(report.existingCount) already stored, \(report.failures.count) failed"
        )
    }
}
