import ArgumentParser
import Foundation
import RoundsJudge
import RoundsStore

/// `--batch submit|collect`.
enum BatchMode: String, ExpressibleByArgument, CaseIterable, Sendable {
    case submit, collect
}

extension Judge {
    /// `rounds judge --pending --batch submit`: one batch of every planned request.
    func submitBatch(_ plan: JudgeRunPlan, config: EndpointConfig, key: APIKey?, store: Store) async throws {
        let api = try OpenAIBatchAPI(endpoint: config, apiKey: key)
        let client = JudgeClient(endpoint: config, apiKey: key)
        let folder = batchDir ?? URL(fileURLWithPath: store.path).deletingLastPathComponent().path
        Console.error("rounds judge: submitting \(plan.items.count) request(s) as one batch")
        let summary = try await JudgeBatchSubmitter(store: store, client: client, api: api).submit(plan, jsonlFolder: folder)
        for failure in summary.failures.prefix(50) { Console.error("rounds judge: \(failure)") }
        if summary.failures.count > 50 { Console.error("rounds judge: … and \(summary.failures.count - 50) more failures") }
        if json { Console.json(summary) } else if summary.requests == 0 {
            print("nothing to submit (model \(summary.model))")
        } else {
            print("run \(summary.runID.map(String.init) ?? "?"): batch \(summary.batchID ?? "?") submitted with "
                + "\(summary.requests) request(s) (model \(summary.model)); JSONL \(summary.jsonlPath ?? "?"); "
                + "collect it with: rounds judge --batch collect --run \(summary.runID.map(String.init) ?? "?")")
        }
        if !summary.failures.isEmpty { throw ExitCode(1) }
    }

    /// `rounds judge --batch collect [--run RUN]`: stores the results of every finished batch.
    func collectBatches(config: EndpointConfig, key: APIKey?, store: Store) async throws {
        let api = try OpenAIBatchAPI(endpoint: config, apiKey: key)
        let client = JudgeClient(endpoint: config, apiKey: key)
        let summary = try await JudgeBatchCollector(store: store, client: client, api: api).collect(runID: run)
        for b in summary.batches {
            for failure in b.failures.prefix(50) { Console.error("rounds judge: run \(b.runID): \(failure)") }
            if b.failures.count > 50 { Console.error("rounds judge: run \(b.runID): … and \(b.failures.count - 50) more") }
        }
        if json { Console.json(summary) } else if summary.batches.isEmpty {
            print("no open batches for \(config.baseURL) (model \(config.model))")
        } else {
            for b in summary.batches {
                let state = b.alreadyCollected ? "already collected; nothing done"
                    : b.collected ? "\(b.judged) judged, \(b.failed) failed of \(b.requests), "
                        + "\(b.inputTokens + b.outputTokens) tokens, $\(String(format: "%.4f", b.cost))"
                    : "not finished yet; collect again later"
                print("run \(b.runID): batch \(b.batchID) \(b.status): \(state)")
            }
        }
        if summary.failed > 0 || summary.batches.contains(where: { !$0.failures.isEmpty }) { throw ExitCode(1) }
    }
}
