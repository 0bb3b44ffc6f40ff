import ArgumentParser
import Foundation
import RoundsPipeline
import RoundsSimulator

/// `rounds dataset measure DIR... [--json]`: the benchmark's ground truth for procedural images.
struct DatasetMeasure: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "measure",
        abstract: "Measure procedural images' criteria from their pixels, without the simulator judge's noise.",
        discussion: """
            Every PNG or JPEG under each DIR is measured as the condition named by its folder \
            (depigmented-patch, target-lesion, scaly-plaque or atypical-mole; `rounds dataset synth` \
            and `rounds sample` write such folders). This is the benchmark's ground truth, the readings \
            the simulator judge starts from before it adds noise: it tells whether samples meet their \
            checklist, where the judge only estimates it. Prints, per DIR, the share of images meeting \
            every criterion with a Wilson 95% interval, and each criterion's share.
            """
    )

    @Argument(help: "Folders of images, searched recursively.")
    var folders: [String]

    @Flag(help: "Print the summary as JSON on stdout.")
    var json = false

    func run() throws {
        var reports: [GroundTruthReport] = []
        for folder in folders {
            do {
                reports.append(try GroundTruthReport.measure(folder: folder))
            } catch {
                Console.error("rounds dataset measure: \(error)")
                throw ExitCode(2)
            }
        }
        if json {
            Console.json(reports)
            return
        }
        for report in reports { print(report.text) }
    }
}
