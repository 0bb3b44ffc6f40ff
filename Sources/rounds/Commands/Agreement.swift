import ArgumentParser
import Foundation
import RoundsBroker
import RoundsCore

/// `rounds agreement --rater NAME [--run RUN] [--kappa-threshold K] [--json]`: the trust gate.
struct AgreementCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agreement",
        abstract: "Compare a rater's per-criterion labels with the judge: Cohen's κ per criterion and overall.",
        discussion: """
            Each labelled image's latest label by the rater is compared with the judge's combined verdict \
            (the run's, or the image's latest judgment) against the image's current checklist. Only items where \
            both said met or not_met enter κ, percent agreement and the confusion table; unresolved ones are \
            counted apart. The 95% interval is a seeded percentile bootstrap. Criteria with κ below the \
            threshold (or undefined) are flagged. Labelled images the judge never judged are listed.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var checklists: ChecklistOptions

    @Option(help: "The rater whose labels to compare.")
    var rater: String

    @Option(help: "The judge run to compare (default: each image's latest judgment).")
    var run: Int64?

    @Option(help: "Criteria with κ below this are flagged (Landis & Koch's 'moderate' starts at 0.4).")
    var kappaThreshold: Double = 0.4

    @Option(help: "Bootstrap resamples of the κ interval.")
    var resamples: Int = 1000

    @Flag(help: "Print one JSON document on stdout.")
    var json = false

    func validate() throws {
        if rater.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--rater must not be empty") }
        if let run, run < 1 { throw ValidationError("--run must be a judge run id ≥ 1, got \(run)") }
        if !kappaThreshold.isFinite || kappaThreshold < -1 || kappaThreshold > 1 {
            throw ValidationError("--kappa-threshold must be in [-1, 1], got \(kappaThreshold)")
        }
        if resamples < 1 { throw ValidationError("--resamples must be at least 1, got \(resamples)") }
    }

    func run() async throws {
        do {
            let job = AgreementJob(
                rater: rater, run: run, options: AgreementOptions(threshold: kappaThreshold, resamples: resamples))
            let result = try job.run(store: try database.openExisting(), catalog: try checklists.catalog())
            if !result.neverJudged.isEmpty {
                Console.error(
                    "agreement: \(result.neverJudged.count) of \(result.labelled) labelled image(s) were never judged"
                        + (run.map { " in run \($0)" } ?? ""))
            }
            if json {
                guard case .object(var object) = result.report.json else { preconditionFailure("report is an object") }
                object["rater"] = .string(rater)
                object["runs"] = .array(result.runIDs.map { .number(Double($0)) })
                object["labelled_images"] = .number(Double(result.labelled))
                object["never_judged"] = .array(result.neverJudged.map(JSONValue.string))
                object["rater_only_criteria"] = .number(Double(result.raterOnlyCriteria))
                Console.write(JSONValue.object(object).canonicalString + "\n")
            } else {
                Console.write(Self.table(result, rater: rater))
            }
        } catch {
            throw StoreCommandFailure.exit(error)
        }
    }

    static func table(_ result: AgreementJob.Result, rater: String) -> String {
        func number(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "—" }
        func row(_ c: CriterionAgreement) -> String {
            let t = c.confusion
            let ci = c.kappaInterval.map { "[\(number($0.lowerBound)), \(number($0.upperBound))]" } ?? "—"
            let flag = result.report.flagged[c.criterion].map { "  FLAGGED: \($0)" } ?? ""
            let name = c.criterion.padding(toLength: max(24, c.criterion.count), withPad: " ", startingAt: 0)
            return "\(name) κ \(number(c.kappa.value))  \(ci)  agree \(number(c.percentAgreement))  "
                + "met/met \(t.bothMet) met/not \(t.judgeMetRaterNot) not/met \(t.judgeNotRaterMet) not/not \(t.bothNotMet)  "
                + "unresolved judge \(c.judgeUnresolved) rater \(c.raterUnresolved)\(flag)\n"
        }
        var out =
            "judge (run \(result.runIDs.map(String.init).joined(separator: ", "))) vs rater \(rater): "
            + "\(result.labelled) labelled image(s), \(result.neverJudged.count) never judged\n"
        for c in result.report.criteria { out += row(c) }
        out += row(result.report.overall)
        for id in result.neverJudged { out += "never judged: \(id)\n" }
        return out
    }
}
