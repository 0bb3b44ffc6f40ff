import Foundation
import RoundsCore
import RoundsStore

/// `rounds judge --batch collect [--run RUN]`: polls each open batch and, once it has finished, reads its
/// output and error files and stores one judgment per submitted line, joined on `custom_id`.
///
/// Answers go through the same parsing as live ones (`JudgeClient.batchOutcome`): an unreadable answer
/// becomes indeterminate verdicts with the error stored, so the image stays pending. Lines of a batch
/// that failed, expired or was cancelled without a result are stored as failed judgments naming the
/// batch's status. A batch's judgments, its lines' links to them and its run's closing are written in
/// one transaction, and a collected batch is never read again, so collecting twice stores nothing twice.
public struct JudgeBatchCollector: Sendable {
    /// What happened to one batch.
    public struct BatchReport: Sendable, Codable {
        public var runID: Int64
        public var batchID: String
        public var status: String
        /// The batch had finished and its results are now stored.
        public var collected: Bool
        /// The batch had been collected before: nothing was read or stored.
        public var alreadyCollected: Bool
        public var requests: Int
        public var judged: Int
        public var failed: Int
        public var inputTokens: Int
        public var outputTokens: Int
        public var cost: Double
        /// Per-line problems: `custom_id <key> (image <id>): reason`, and lines naming unknown custom_ids.
        public var failures: [String]
    }

    public struct Summary: Sendable, Codable {
        public var batches: [BatchReport]
        public var judged: Int { batches.reduce(0) { $0 + $1.judged } }
        public var failed: Int { batches.reduce(0) { $0 + $1.failed } }
        /// Batches still running at the provider.
        public var pending: Int { batches.filter { !$0.collected && !$0.alreadyCollected }.count }

        enum CodingKeys: String, CodingKey { case batches, judged, failed, pending }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(batches, forKey: .batches)
            try c.encode(judged, forKey: .judged)
            try c.encode(failed, forKey: .failed)
            try c.encode(pending, forKey: .pending)
        }
        public init(batches: [BatchReport]) { self.batches = batches }
        public init(from decoder: any Decoder) throws {
            self.batches = try decoder.container(keyedBy: CodingKeys.self).decode([BatchReport].self, forKey: .batches)
        }
    }

    public let store: Store
    public let client: JudgeClient
    public let api: OpenAIBatchAPI

    public init(store: Store, client: JudgeClient, api: OpenAIBatchAPI) {
        self.store = store
        self.client = client
        self.api = api
    }

    /// Collects every open batch of this endpoint's base URL and model, or only the batch of `runID`.
    ///
    /// - Throws: `JudgeError.runPlan` when `runID` has no batch or was submitted to another endpoint or model.
    public func collect(runID: Int64? = nil) async throws -> Summary {
        var batches: [JudgeBatchRecord]
        if let runID {
            guard let batch = try store.judgeBatch(runID: runID) else {
                throw JudgeError(.runPlan, "run \(runID) has no submitted batch (was it submitted with --batch submit?)")
            }
            let run = try runRecord(runID)
            guard run.baseURL == client.endpoint.baseURL, run.model == client.endpoint.model else {
                throw JudgeError(.runPlan, "run \(runID) was submitted to \(run.baseURL) (model \(run.model)), not to "
                    + "\(client.endpoint.baseURL) (model \(client.endpoint.model)); collect it with that endpoint")
            }
            if batch.collectedAt != nil {
                return Summary(batches: [BatchReport(
                    runID: runID, batchID: batch.providerBatchID, status: batch.status, collected: false, alreadyCollected: true,
                    requests: batch.requestCount, judged: 0, failed: 0, inputTokens: 0, outputTokens: 0, cost: 0, failures: [])])
            }
            batches = [batch]
        } else {
            batches = try store.openJudgeBatches().filter { batch in
                guard let run = try? runRecord(batch.runID) else { return false }
                return run.baseURL == client.endpoint.baseURL && run.model == client.endpoint.model
            }
        }
        var reports: [BatchReport] = []
        for batch in batches { reports.append(try await collect(batch)) }
        return Summary(batches: reports)
    }

    private func runRecord(_ id: Int64) throws -> JudgeRunRecord {
        guard let run = try store.judgeRun(id: id) else {
            throw JudgeError(.runPlan, "run \(id) is not in the store")
        }
        return run
    }

    private func collect(_ stored: JudgeBatchRecord) async throws -> BatchReport {
        var batch = stored
        let remote = try await api.batch(id: batch.providerBatchID)
        batch.status = remote.status
        batch.outputFileID = remote.outputFileID
        batch.errorFileID = remote.errorFileID
        batch.checkedAt = Date()
        var report = BatchReport(
            runID: batch.runID, batchID: batch.providerBatchID, status: remote.status, collected: false, alreadyCollected: false,
            requests: batch.requestCount, judged: 0, failed: 0, inputTokens: 0, outputTokens: 0, cost: 0, failures: [])
        guard remote.isFinished else {
            try store.updateJudgeBatchStatus(batch)
            return report
        }
        let items = try store.judgeBatchItems(batchID: batch.id!)
        let byKey = Dictionary(items.map { ($0.customID, $0) }, uniquingKeysWith: { first, _ in first })
        var lines: [(source: String, number: Int, text: Substring)] = []
        for (name, id) in [("output", remote.outputFileID), ("error", remote.errorFileID)] {
            guard let id else { continue }
            let content = try await api.fileContent(id: id)
            let text = String(decoding: content, as: UTF8.self)
            for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                lines.append((name, i + 1, line))
            }
        }
        var results: [(itemID: Int64, judgment: JudgmentRecord, verdicts: [CriterionVerdictRecord])] = []
        var answered: Set<String> = []
        for line in lines {
            let at = "\(line.source) file \(line.source == "output" ? remote.outputFileID ?? "" : remote.errorFileID ?? ""), line \(line.number)"
            guard let json = try? JSONValue(parsing: String(line.text)), let customID = json["custom_id"]?.stringValue else {
                report.failures.append("\(at): not a JSON object with a custom_id")
                continue
            }
            guard let item = byKey[customID] else {
                report.failures.append("\(at): custom_id \(customID) is not a request of this batch")
                continue
            }
            guard answered.insert(customID).inserted else {
                report.failures.append("\(at): custom_id \(customID) answered twice; the first answer is kept")
                continue
            }
            guard item.judgmentID == nil else { continue }
            let outcome = outcome(of: json, item: item, batch: batch, at: at)
            record(outcome, item: item, into: &report, results: &results, runID: batch.runID)
        }
        for item in items where item.judgmentID == nil && !answered.contains(item.customID) {
            let why = remote.status == "completed"
                ? "batch \(batch.providerBatchID) completed without a result for this line"
                : "batch \(batch.providerBatchID) \(remote.status)" + (remote.errors.isEmpty ? "" : ": " + remote.errors.joined(separator: "; "))
            let outcome = client.batchOutcome(
                status: nil, body: nil, error: JudgeError(.httpStatus, why, providerCode: "batch_\(remote.status)"),
                requestKey: item.customID, canonicalRequest: item.canonicalRequest, checklist: checklist(item))
            record(outcome, item: item, into: &report, results: &results, runID: batch.runID)
        }
        var run = try runRecord(batch.runID)
        run.close(requests: batch.requestCount, succeeded: report.judged, failed: report.failed, cost: report.cost,
                  stoppedBecause: nil)
        if ["failed", "expired", "cancelled"].contains(remote.status) { run.status = .failed }
        try store.storeJudgeBatchResults(batch: batch, results: results, closing: run)
        report.collected = true
        return report
    }

    /// One result line: `{"custom_id", "response": {"status_code", "body"} | null, "error": {"code", "message"} | null}`.
    private func outcome(of json: JSONValue, item: JudgeBatchItemRecord, batch: JudgeBatchRecord, at: String) -> JudgeOutcome {
        let response = json["response"].flatMap { $0 == .null ? nil : $0 }
        let status = UntrustedCount.read(response?["status_code"])
        var error: JudgeError?
        if let e = json["error"], e != .null {
            let code = e["code"]?.stringValue
            error = JudgeError(.httpStatus, "batch \(batch.providerBatchID): \(at): \(code.map { "\($0): " } ?? "")"
                + (e["message"]?.stringValue ?? e.canonicalString), providerCode: code)
        } else if response == nil {
            error = JudgeError(.invalidResponse, "batch \(batch.providerBatchID): \(at): neither response nor error")
        }
        return client.batchOutcome(status: status, body: response?["body"], error: error, requestKey: item.customID,
                                   canonicalRequest: item.canonicalRequest, checklist: checklist(item))
    }

    private func checklist(_ item: JudgeBatchItemRecord) -> JudgeChecklist {
        let criteria = ((try? JSONValue(parsing: item.criteria))?.arrayValue ?? []).compactMap { c -> JudgeCriterion? in
            guard let id = c["id"]?.stringValue else { return nil }
            return JudgeCriterion(id: id, text: c["text"]?.stringValue ?? "")
        }
        return JudgeChecklist(condition: "", version: item.checklistVersionID, criteria: criteria)
    }

    private func record(_ outcome: JudgeOutcome, item: JudgeBatchItemRecord, into report: inout BatchReport,
                        results: inout [(itemID: Int64, judgment: JudgmentRecord, verdicts: [CriterionVerdictRecord])],
                        runID: Int64) {
        var outcome = outcome
        // The Batch API bills half the live price per token.
        outcome.cost *= 0.5
        for row in JudgmentRows.make(outcome, imageID: item.imageID, checklistVersion: item.checklistVersionID,
                                     promptVersion: item.promptVersionID, runID: runID) {
            results.append((item.id!, row.judgment, row.verdicts))
        }
        report.inputTokens += outcome.usage.input
        report.outputTokens += outcome.usage.output
        report.cost += outcome.cost
        if outcome.status == .judged {
            report.judged += 1
        } else {
            report.failed += 1
            report.failures.append("custom_id \(item.customID) (image \(item.imageID)): \(outcome.status.rawValue): "
                + (outcome.error?.message ?? outcome.samples.first?.problems.first ?? "no usable answer"))
        }
    }
}
