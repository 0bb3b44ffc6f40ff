import ArgumentParser
import Foundation
import RoundsCore
import RoundsStore

/// `rounds images purge IMAGE_ID... --reason TEXT`: the store's one deletion, for withdrawn consent.
struct ImagesPurge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Remove images and every row about them (withdrawn consent), leaving an audit entry.",
        discussion: """
            Removes each image's row, judgments, verdicts, labels, pairs, preference-set members and alignment \
            scores, and the image-to-image outputs derived from it. Deletes files only when Rounds wrote them \
            (sampling and transfer outputs); photos you added stay on disk. The audit keeps id, time and reason.
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Argument(help: ArgumentHelp("Image ids (64 hex digits) to purge.", valueName: "image-id"))
    var imageIDs: [String]

    @Option(help: "Why the images are purged (recorded in the audit table).")
    var reason: String

    @Flag(help: "Print one JSON document on stdout.")
    var json = false

    func validate() throws {
        if imageIDs.isEmpty { throw ValidationError("give at least one image id") }
        if let bad = imageIDs.first(where: { !ImageIdentity.isImageID($0) }) {
            throw ValidationError("'\(bad)' is not an image id (64 lowercase hex digits)")
        }
        if reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("--reason must not be empty")
        }
    }

    func run() async throws {
        do {
            let report = try database.open().purge(imageIDs, reason: reason)
            for id in report.notFound { Console.error("rounds: \(id): no such image in the store") }
            var entries: [JSONValue] = []
            for e in report.purged {
                for f in e.fileErrors { Console.error("rounds: could not delete \(f)") }
                if json {
                    entries.append([
                        "image_id": .string(e.imageID), "derived": .array(e.derivedImageIDs.map { .string($0) }),
                        "removed_rows": .number(Double(e.removedRows)),
                        "removed_files": .array(e.removedFiles.map { .string($0) }),
                    ])
                } else {
                    Console.write("purged\t\(e.imageID)\t\(e.removedRows) rows\t\(e.removedFiles.count) files\n")
                }
            }
            if json {
                Console.write(
                    JSONValue.object([
                        "purged": .array(entries), "not_found": .array(report.notFound.map { .string($0) }),
                    ]).canonicalString + "\n")
            }
            if !report.notFound.isEmpty || report.purged.contains(where: { !$0.fileErrors.isEmpty }) {
                throw ExitCode(1)
            }
        } catch {
            throw StoreCommandFailure.exit(error)
        }
    }
}
