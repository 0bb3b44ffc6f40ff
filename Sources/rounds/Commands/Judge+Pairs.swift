import ArgumentParser
import Foundation
import RoundsChecklists
import RoundsCore
import RoundsJudge
import RoundsStore

extension Judge {
    /// `rounds judge --pairs`: every pending pair candidate, both orders, three comparisons stored per pair.
    func runPairs(config: EndpointConfig, key: APIKey?, store: Store, catalog: ChecklistCatalog, prompts: PromptLibrary,
                  only: [ConditionID]?) async throws {
        let plan = try PairRunPlan.make(store: store, catalog: catalog, prompts: prompts, model: config.model,
                                        conditions: only, limit: limit, retryFailed: retryFailed,
                                        maxFailedAttempts: maxFailedAttempts)
        for (name, count) in plan.unknownConditions.sorted(by: { $0.key < $1.key }) {
            let broken = catalog.problems(about: name)
            Console.error("rounds judge: \(count) stored pair(s) of \(name) have no checklist"
                + (broken.isEmpty ? "" : " (\(ChecklistCatalog.didNotLoad(broken)))") + "; skipped")
        }
        if !plan.heldBack.isEmpty {
            Console.error("rounds judge: \(plan.heldBack.count) pair(s) came back indeterminate \(maxFailedAttempts)+ times; "
                + "they wait for --retry-failed")
        }
        let stop = StopSignal.install()
        let client = JudgeClient(endpoint: config, apiKey: key)
        let bar = ProgressLine("judging pairs", total: plan.items.count)
        let summary = try await PairRunner(store: store, client: client, requireAgreement: requireAgreement,
                                           shouldStop: { stop.requested })
            .run(plan, maxCost: maxCost) { p in
                bar.update(p.done, detail: "\(p.failed) failed, \(p.inputTokens + p.outputTokens) tokens, $"
                    + String(format: "%.4f", p.cost))
            }
        for failure in summary.failures.prefix(50) { Console.error("rounds judge: \(failure)") }
        if summary.failures.count > 50 { Console.error("rounds judge: … and \(summary.failures.count - 50) more failures") }
        if json { Console.json(summary) } else {
            let outcomes = PairJudgment.Outcome.allCases.map { "\($0.rawValue) \(summary.outcomes[$0.rawValue] ?? 0)" }
            print("run \(summary.runID.map(String.init) ?? "?"): \(summary.judged) pair(s) judged, \(summary.failed) failed of "
                + "\(summary.planned) planned (model \(summary.model); \(outcomes.joined(separator: ", "))), "
                + "\(summary.inputTokens + summary.outputTokens) tokens, $\(String(format: "%.4f", summary.cost)), "
                + "\(String(format: "%.1f", summary.seconds)) s" + (summary.stoppedBecause.map { "; stopped early: \($0)" } ?? ""))
        }
        if summary.stoppedBecause == "quota" { throw ExitCode(2) }
        if summary.failed > 0 { throw ExitCode(1) }
    }
}
