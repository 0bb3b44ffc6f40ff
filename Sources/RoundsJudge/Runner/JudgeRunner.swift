import Foundation
import RoundsCore
import RoundsImaging
import RoundsStore

/// Runs a planned judging run against one endpoint and writes every outcome to the store as it
/// arrives, so a run that is killed keeps everything it had finished and the next run asks only for
/// what is missing.
///
/// Requests go out with at most the endpoint's `maxInFlight` in flight; the run stops launching new
/// ones at `--max-cost`, on a quota error, or when `stop` is requested (Ctrl-C), and always lets the
/// requests in flight finish and be stored.
public struct JudgeRunner: Sendable {
    public struct Progress: Sendable {
        public var done: Int
        public var failed: Int
        public var total: Int
        public var inputTokens: Int
        public var outputTokens: Int
        public var cost: Double
    }

    /// What a run did, for people (stderr) and programs (`--json`).
    public struct Summary: Sendable, Codable {
        public var runID: Int64?
        public var endpoint: String
        public var model: String
        public var planned: Int
        public var judged: Int
        public var failed: Int
        public var heldBack: Int
        public var inputTokens: Int
        public var outputTokens: Int
        public var cost: Double
        public var seconds: Double
        /// Why the run stopped early: `max-cost`, `quota`, `identical-failures`, `repeated-failures` (the
        /// same failure on `FailureCircuit.threshold` judgments in a row), `interrupted`; nil when it finished.
        public var stoppedBecause: String?
        /// One line per failed image: `image id: reason`.
        public var failures: [String]
        /// Images not asked because the store already holds a successful judgment with the very same
        /// request key (same image, checklist, prompt, sampling, endpoint and model): a request that
        /// has succeeded never goes out twice.
        public var alreadyJudged: Int = 0
        /// Images the privacy guard kept from this endpoint (origin real, endpoint neither loopback nor
        /// allowed): never sent, not requests, not failures; `refusals` says why, one line per image.
        public var refused: Int = 0
        public var refusals: [String] = []
        /// Images purged from the store (consent withdrawn) after the run was planned: not sent (or, when
        /// the purge came while the answer was on its way, the answer was not stored).
        public var withdrawn: Int = 0
    }

    public let store: Store
    public let client: JudgeClient
    /// Asked before each new request; true stops launching (Ctrl-C).
    public let shouldStop: @Sendable () -> Bool

    public init(store: Store, client: JudgeClient, shouldStop: @escaping @Sendable () -> Bool = { false }) {
        self.store = store
        self.client = client
        self.shouldStop = shouldStop
    }

    public func run(_ plan: JudgeRunPlan, maxCost: Double? = nil, progress: @escaping @Sendable (Progress) -> Void = { _ in })
        async throws -> Summary
    {
        let endpoint = client.endpoint
        let start = Date()
        let temperature = endpoint.sampling(
            temperature: client.options.samples > 1 ? client.options.sampleTemperature : 0, seed: 0).temperature
        let parameters = endpoint.withRequestSettings([
            "samples": .number(Double(client.options.samples)), "temperature": temperature.map(JSONValue.number) ?? .null,
            "max_tokens": .number(Double(endpoint.maxTokens)), "json_schema": .bool(endpoint.supportsJSONSchema),
            "max_long_edge": endpoint.maxLongEdge.map { .number(Double($0)) } ?? .null,
            "detail": .string(endpoint.detail.rawValue),
        ])
        var run = try store.beginRun(JudgeRunRecord(endpoint: endpoint, parameters: parameters))
        var summary = Summary(runID: run.id, endpoint: endpoint.name, model: endpoint.model, planned: plan.items.count,
                              judged: 0, failed: 0, heldBack: plan.heldBack.count, inputTokens: 0, outputTokens: 0,
                              cost: 0, seconds: 0, stoppedBecause: nil, failures: [])
        let refusals = plan.refusals(endpoint: endpoint)
        for item in plan.items {
            guard let reason = refusals[item.image.id] else { continue }
            summary.refused += 1
            summary.refusals.append("\(item.image.id): \(reason)")
        }
        let items = plan.items.filter { refusals[$0.image.id] == nil }
        let inFlight = max(1, endpoint.maxInFlight)
        await runBounded(items, inFlight: inFlight, work: { await judge($0) }) { item, result in
            record(item, result, into: &summary, runID: run.id!)
            progress(Progress(done: summary.judged + summary.failed + summary.alreadyJudged + summary.withdrawn,
                              failed: summary.failed, total: items.count,
                              inputTokens: summary.inputTokens, outputTokens: summary.outputTokens, cost: summary.cost))
            if summary.stoppedBecause == nil {
                if shouldStop() { summary.stoppedBecause = "interrupted" }
                else if let maxCost, summary.cost >= maxCost { summary.stoppedBecause = "max-cost" }
            }
            return summary.stoppedBecause == nil
        }
        summary.seconds = Date().timeIntervalSince(start)
        run.close(requests: summary.judged + summary.failed, succeeded: summary.judged, failed: summary.failed, cost: summary.cost,
                  stoppedBecause: summary.stoppedBecause)
        try store.finishRun(run)
        return summary
    }

    /// What asking about one item came to.
    private enum Asked: Sendable {
        case answered(JudgeOutcome)
        /// The store's successful judgment with the same request key; nothing was sent.
        case alreadyJudged
        /// Purged from the store after the plan was made; nothing (more) was sent.
        case withdrawn
        case failed(JudgeError)
    }

    /// Loads, re-encodes (no metadata) and resizes the image, then asks the judge, unless the store
    /// already has a successful judgment of the identical request.
    private func judge(_ item: JudgeRunPlan.Item) async -> Asked {
        do throws(JudgeError) {
            if try !stillStored(item) { return .withdrawn }
            let image = try JudgeImage.load(item.image, maxLongEdge: client.endpoint.maxLongEdge)
            let prepared = client.prepare(image: image, checklist: item.checklist, prompt: item.prompt)
            let key = prepared.requestKey, keys = prepared.sampleKeys
            var earlier: [Int: SampleOutcome] = [:]
            do {
                if try store.succeededJudgment(requestKey: key) != nil { return .alreadyJudged }
                if keys.count > 1 {
                    for (i, sampleKey) in keys.enumerated() {
                        if let stored = try store.succeededSample(requestKey: sampleKey, sampleIndex: i + 1) {
                            earlier[i] = Self.sample(stored.judgment, stored.verdicts)
                        }
                    }
                }
            } catch {
                return .failed(JudgeError(.store, "\(store.path): cannot look up request key \(key.prefix(12))", cause: error))
            }
            let outcome = await client.judge(
                prepared, earlier: earlier,
                beforeSend: { [store] in
                    // Consent can be withdrawn (rounds images purge) while a request waits for the rate
                    // limit or a retry: the image must still be stored when its bytes are about to leave.
                    do {
                        return try store.hasImage(id: item.image.id) ? nil
                            : JudgeError(.imageWithdrawn, "\(item.image.id): purged from the store during the run; not sent")
                    } catch {
                        return JudgeError(.imageWithdrawn, "\(item.image.id): cannot check that the image is still stored; "
                            + "not sent", cause: error)
                    }
                })
            if outcome.samples.contains(where: { $0.error?.code == .imageWithdrawn }) { return .withdrawn }
            return .answered(outcome)
        } catch {
            return .failed(error)
        }
    }

    private func stillStored(_ item: JudgeRunPlan.Item) throws(JudgeError) -> Bool {
        do { return try store.hasImage(id: item.image.id) } catch {
            throw JudgeError(.store, "\(store.path): cannot look up image \(item.image.id.prefix(12))", cause: error)
        }
    }

    /// A stored successful sample, as the client counts it in a majority.
    static func sample(_ judgment: JudgmentRecord, _ verdicts: [CriterionVerdictRecord]) -> SampleOutcome {
        SampleOutcome(
            status: .judged, requestKey: judgment.requestKey, canonicalRequest: judgment.canonicalRequest,
            responseText: judgment.responseText,
            verdicts: verdicts.map {
                CriterionVerdict(id: $0.criterionID, verdict: $0.verdict, evidence: $0.evidence ?? "",
                                 confidence: $0.confidence ?? 1)
            }, problems: [], usage: TokenUsage(), attempts: 0, latency: 0, repaired: false,
            storedJudgmentID: judgment.id)
    }

    private func record(_ item: JudgeRunPlan.Item, _ result: Asked, into summary: inout Summary, runID: Int64) {
        switch result {
        case .alreadyJudged:
            summary.alreadyJudged += 1
        case .withdrawn:
            summary.withdrawn += 1
        case .failed(let error):
            summary.failed += 1
            summary.failures.append("\(item.image.id): \(error.message)")
        case .answered(let outcome):
            do {
                _ = try store.addJudgments(JudgmentRows.make(outcome, item: item, runID: runID))
            } catch {
                if (try? store.hasImage(id: item.image.id)) == false {
                    // purged while its answer was on the way: the answer goes with the image
                    summary.withdrawn += 1
                    return
                }
                summary.failed += 1
                summary.failures.append("\(item.image.id): judged but not stored: \(error)")
                return
            }
            summary.inputTokens += outcome.usage.input
            summary.outputTokens += outcome.usage.output
            summary.cost += outcome.cost
            if outcome.status == .judged {
                summary.judged += 1
            } else {
                summary.failed += 1
                summary.failures.append("\(item.image.id): \(outcome.status.rawValue): \(outcome.error?.message ?? "no usable answer")")
            }
            // a quota error, or the failure circuit: the same failure on many judgments in a row
            if outcome.stopsRun { summary.stoppedBecause = outcome.error?.code == .quotaExceeded ? "quota" : "repeated-failures" }
            if outcome.error?.code == .identicalFailures { summary.stoppedBecause = "identical-failures" }
        }
    }
}
