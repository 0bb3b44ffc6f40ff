import ArgumentParser
import Foundation
import RoundsBroker
import RoundsCore
import RoundsStore

/// `rounds pairs`: pair candidates for the pair rule or side-by-side judging.
struct PairsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pairs",
        abstract: "Make pair candidates of one condition's synthetic images.",
        subcommands: [PairsMake.self]
    )
}

/// `rounds pairs make --condition C [--same-source] [--max N] [--seed S]`.
struct PairsMake: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "make",
        abstract: "Store pairs of synthetic images of one condition.",
        discussion: """
            Pairs every two synthetic images of the condition; with --same-source only image-to-image outputs \
            of one source image (MAGIC). With --max, a seeded sample of that many pairs is kept. Pairs already \
            stored (in either order) are left as they are.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var checklists: ChecklistOptions

    @Option(help: "The target condition, as domain/condition (or a unique bare name).")
    var condition: String

    @Flag(help: "Only pair image-to-image outputs that share a source image.")
    var sameSource = false

    @Option(help: "At most this many pairs (a seeded sample).")
    var max: Int?

    @Option(help: "Seed of the sample and of each pair's order.")
    var seed: UInt64 = 1

    @Flag(help: "Print one JSON document on stdout.")
    var json = false

    func validate() throws {
        if let max, max < 1 { throw ValidationError("--max must be at least 1, got \(max)") }
    }

    func run() async throws {
        do {
            let id = try StoreWiring.conditions(checklists).resolve(condition, context: "--condition")
            let job = PairsMakeJob(condition: id, sameSource: sameSource, max: max, seed: seed)
            let result = try job.run(store: try database.open())
            if json {
                Console.write(
                    JSONValue.object([
                        "condition": .string(id.description), "same_source": .bool(sameSource),
                        "images": .number(Double(result.images)), "pairs": .number(Double(result.made)),
                        "added": .number(Double(result.added)), "existing": .number(Double(result.existing)),
                    ]).canonicalString + "\n")
            } else {
                Console.write(
                    "\(id): \(result.made) pair(s) of \(result.images) synthetic image(s): \(result.added) added, "
                        + "\(result.existing) already stored\n")
            }
        } catch {
            throw StoreCommandFailure.exit(error)
        }
    }
}
