import Foundation
import RoundsCore
import RoundsImaging
import RoundsStore

/// Runs a planned pair run: each pair is judged in both orders and three comparisons are stored as it
/// finishes — `ab` (A shown first), `ba` (B shown first, mapped back to A/B) and `both` (the combined
/// outcome) — so a killed run keeps what it finished and the next run asks only for the rest.
public struct PairRunner: Sendable {
    public struct Summary: Sendable, Codable {
        public var runID: Int64?
        public var endpoint: String
        public var model: String
        public var planned: Int
        /// Pairs with a usable combined outcome (a, b, tie or inconsistent).
        public var judged: Int
        /// Pairs whose combined outcome is indeterminate (they stay pending).
        public var failed: Int
        /// Combined outcomes by name (`a`, `b`, `tie`, `inconsistent`, `indeterminate`).
        public var outcomes: [String: Int]
        public var requireAgreement: Bool
        public var inputTokens: Int
        public var outputTokens: Int
        public var cost: Double
        public var seconds: Double
        public var stoppedBecause: String?
        /// One line per failed pair: `pair id: reason`.
        public var failures: [String]
    }

    public let store: Store
    public let client: JudgeClient
    public let requireAgreement: Bool
    public let shouldStop: @Sendable () -> Bool

    public init(store: Store, client: JudgeClient, requireAgreement: Bool = true,
                shouldStop: @escaping @Sendable () -> Bool = { false }) {
        self.store = store
        self.client = client
        self.requireAgreement = requireAgreement
        self.shouldStop = shouldStop
    }

    public func run(_ plan: PairRunPlan, maxCost: Double? = nil,
                    progress: @escaping @Sendable (JudgeRunner.Progress) -> Void = { _ in }) async throws -> Summary {
        let endpoint = client.endpoint
        let start = Date()
        let parameters = endpoint.withRequestSettings([
            "mode": "pairs", "orders": "both", "require_agreement": .bool(requireAgreement),
            "max_tokens": .number(Double(endpoint.maxTokens)), "json_schema": .bool(endpoint.supportsJSONSchema),
            "max_long_edge": endpoint.maxLongEdge.map { .number(Double($0)) } ?? .null,
        ])
        var run = try store.beginRun(JudgeRunRecord(endpoint: endpoint, parameters: parameters))
        var summary = Summary(
            runID: run.id, endpoint: endpoint.name, model: endpoint.model, planned: plan.items.count, judged: 0, failed: 0,
            outcomes: [:], requireAgreement: requireAgreement, inputTokens: 0, outputTokens: 0, cost: 0, seconds: 0,
            stoppedBecause: nil, failures: [])
        // Each pair is two requests in flight.
        let inFlight = max(1, endpoint.maxInFlight / 2)
        await runBounded(plan.items, inFlight: inFlight, work: { await judge($0) }) { item, result in
            record(item, result, into: &summary, runID: run.id!)
            progress(JudgeRunner.Progress(
                done: summary.judged + summary.failed, failed: summary.failed, total: plan.items.count,
                inputTokens: summary.inputTokens, outputTokens: summary.outputTokens, cost: summary.cost))
            if summary.stoppedBecause == nil {
                if shouldStop() { summary.stoppedBecause = "interrupted" }
                else if let maxCost, summary.cost >= maxCost { summary.stoppedBecause = "max-cost" }
            }
            return summary.stoppedBecause == nil
        }
        summary.seconds = Date().timeIntervalSince(start)
        run.close(requests: 2 * (summary.judged + summary.failed), succeeded: summary.judged, failed: summary.failed, cost: summary.cost,
                  stoppedBecause: summary.stoppedBecause)
        try store.finishRun(run)
        return summary
    }

    private func judge(_ item: PairRunPlan.Item) async -> Result<PairJudgment, JudgeError> {
        do throws(JudgeError) {
            let a = try load(item.imageA), b = try load(item.imageB)
            let request = JudgePairRequest(first: a, second: b, checklist: item.checklist, prompt: item.prompt)
            return .success(await client.comparePair(request, requireAgreement: requireAgreement))
        } catch {
            return .failure(error)
        }
    }

    private func load(_ record: ImageRecord) throws(JudgeError) -> JudgeImage {
        try JudgeImage.load(record, maxLongEdge: client.endpoint.maxLongEdge)
    }

    private func record(_ item: PairRunPlan.Item, _ result: Result<PairJudgment, JudgeError>, into summary: inout Summary,
                        runID: Int64) {
        let pairID = item.pair.id!
        let checklist = item.checklist.version ?? "", prompt = item.prompt.version ?? ""
        func row(_ order: PairComparisonRecord.Order, _ outcome: PairJudgment.Outcome, asked: PairOrderOutcome? = nil,
                 error: String? = nil) -> PairComparisonRecord {
            PairComparisonRecord(
                pairID: pairID, runID: runID, checklistVersionID: checklist, promptVersionID: prompt, presentedOrder: order,
                outcome: PairComparisonRecord.Outcome(rawValue: outcome.rawValue)!,
                requestKey: asked.flatMap { $0.requestKey.isEmpty ? nil : $0.requestKey },
                canonicalRequest: asked.flatMap { $0.canonicalRequest.isEmpty ? nil : $0.canonicalRequest },
                responseText: asked?.responseText, answeredModel: asked?.model, attempts: asked?.attempts,
                error: error ?? asked.flatMap(Self.errorText))
        }
        let judgment: PairJudgment
        switch result {
        case .failure(let error):
            // Nothing was asked (an unreadable file): recorded as indeterminate so the pair stays pending.
            summary.failed += 1
            summary.outcomes["indeterminate", default: 0] += 1
            summary.failures.append("pair \(pairID): \(error.message)")
            do { _ = try store.addComparison(row(.both, .indeterminate, error: "failed: \(error.message)")) } catch let storing {
                summary.failures.append("pair \(pairID): the failure was not stored: \(storing)")
            }
            return
        case .success(let j):
            judgment = j
        }
        let reasons = [("A first", judgment.forward), ("B first", judgment.swapped)].compactMap { name, o in
            o.status == .judged ? nil : "\(name): \(o.status.rawValue): \(o.error?.message ?? "no usable answer")"
        }
        do {
            let rows = [
                row(.ab, judgment.forwardOutcome, asked: judgment.forward),
                row(.ba, judgment.swappedOutcome, asked: judgment.swapped),
                row(.both, judgment.outcome, error: judgment.outcome == .indeterminate ? reasons.joined(separator: "; ") : nil),
            ]
            // One transaction: a killed run never leaves one order without the other.
            try store.addComparisons(rows, pairID: pairID)
        } catch {
            summary.failed += 1
            summary.failures.append("pair \(pairID): judged but not stored: \(error)")
            return
        }
        summary.inputTokens += judgment.usage.input
        summary.outputTokens += judgment.usage.output
        summary.cost += judgment.cost
        summary.outcomes[judgment.outcome.rawValue, default: 0] += 1
        if judgment.outcome == .indeterminate {
            summary.failed += 1
            summary.failures.append("pair \(pairID): " + reasons.joined(separator: "; "))
        } else {
            summary.judged += 1
        }
        if judgment.stopsRun { summary.stoppedBecause = "quota" }
    }

    /// Why one order gave no usable answer (nil when it did).
    private static func errorText(_ o: PairOrderOutcome) -> String? {
        o.status == .judged ? nil : "\(o.status.rawValue): \(o.error?.message ?? "no usable answer")"
    }
}
