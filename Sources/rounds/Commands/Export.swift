import ArgumentParser
import RoundsStore

extension StoreExport.Table: ExpressibleByArgument {}
extension StoreExport.Format: ExpressibleByArgument {}

/// `rounds export judgments|labels|images --format csv|jsonl` to stdout.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write judgments, labels or images as CSV or JSONL to stdout, for pandas and spreadsheets."
    )

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "What to export.")
    var table: StoreExport.Table

    @Option(help: "Output format.")
    var format: StoreExport.Format = .csv

    func run() async throws {
        do {
            let store = try database.openExisting()
            let rows = try StoreExport.export(table, format: format, from: store) { Console.write($0) }
            Console.error("export: \(rows) row(s)")
        } catch {
            throw StoreCommandFailure.exit(error)
        }
    }
}
