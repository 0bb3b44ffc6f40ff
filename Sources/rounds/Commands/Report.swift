import ArgumentParser
import Foundation
import RoundsAlignment
import RoundsCore
import RoundsPipeline

/// `rounds report --out report.html [--embed-real none|thumbnails]`: the page a clinician is shown.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML report of the stored CAS, with report.json and report.csv beside it.",
        discussion: """
            Reads the latest CAS stored by `rounds cas` (one reference set): CAS distributions per condition for \
            real images and each generator or checkpoint, the low-alignment tail and its threshold, criteria met \
            per criterion and per skin-tone band, judge-vs-expert κ for every rater with labels (overall, and per \
            condition and criterion with what the broker's trust gate does), the best and worst synthetic images \
            with their verdicts and evidence, memorisation (each generated image's distance to its nearest training \
            image, real split train, and the share of near-copies), and the training curves of every RFT and DPO \
            checkpoint (loss.csv, and dpo.csv's implicit accuracy and margin). The page has inline SVG and base64 \
            thumbnails, no scripts and no network requests. Real images appear only with --embed-real thumbnails. \
            The same numbers go to <out>.json and <out>.csv (the .html extension replaced).
            """
    )

    enum EmbedReal: String, ExpressibleByArgument, CaseIterable {
        case none, thumbnails
    }

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var checklists: ChecklistOptions

    @Option(help: ArgumentHelp("The HTML file to write.", valueName: "report.html"))
    var out: String

    @Option(help: "Whether real images appear in the page (none or thumbnails).")
    var embedReal: EmbedReal = .none

    @Option(help: "Percentile of real CAS that sets each condition's tail threshold.")
    var quantile: Double = 10

    @Option(help: "Best and worst synthetic images shown (each).")
    var examples: Int = 4

    func validate() throws {
        guard out.lowercased().hasSuffix(".html") else { throw ValidationError("--out must name an .html file, got '\(out)'") }
        if !(quantile >= 0 && quantile <= 100) { throw ValidationError("--quantile must be in [0, 100], got \(quantile)") }
        if examples < 1 || examples > 50 { throw ValidationError("--examples must be in 1...50, got \(examples)") }
    }

    func run() async throws {
        do {
            let data = try CASReportData.load(
                store: try database.open(readOnly: true), catalog: try checklists.catalog(), percentile: quantile,
                examples: examples, embedReal: embedReal == .thumbnails)
            let stem = String(out.dropLast(5))
            let files = [(out, try data.html()), (stem + ".json", data.json.canonicalString + "\n"), (stem + ".csv", data.csv)]
            for (path, text) in files {
                do { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) } catch {
                    throw AlignmentError(.unreadableFile, "cannot write \(path): \(error.localizedDescription)")
                }
            }
            Console.error("report: \(data.rows.count) image(s); wrote \(files.map(\.0).joined(separator: ", "))")
        } catch {
            throw StoreCommandFailure.exit(error)
        }
    }
}
