import Foundation
import RoundsCore
import RoundsStore

/// `rounds judge --pending --batch submit`: writes a planned run's requests as Batch API JSONL, uploads
/// it, creates the batch and records it (run row, batch row, one row per line) so `--batch collect` can
/// store every result with the same provenance as a live judgment.
///
/// Each line is `{"custom_id": <request key>, "method": "POST", "url": "/v1/chat/completions", "body": …}`
/// with exactly the body a live request sends, so a batch result and a live answer to the same question
/// share their request key. The run row is opened before anything is uploaded and carries the batch in
/// its parameters' `mode`, so a batch created at the provider is never without a record for long.
public struct JudgeBatchSubmitter: Sendable {
    public struct Summary: Sendable, Codable {
        public var runID: Int64?
        public var batchID: String?
        public var inputFileID: String?
        public var jsonlPath: String?
        public var endpoint: String
        public var model: String
        public var planned: Int
        /// Lines submitted.
        public var requests: Int
        /// Images not submitted (unreadable, privacy guard), one line each: `image id: reason`.
        public var failures: [String]
    }

    public let store: Store
    public let client: JudgeClient
    public let api: OpenAIBatchAPI

    public init(store: Store, client: JudgeClient, api: OpenAIBatchAPI) {
        self.store = store
        self.client = client
        self.api = api
    }

    /// Submits the plan as one batch; with nothing to ask, records nothing and returns `requests == 0`.
    ///
    /// - Parameter jsonlFolder: where the JSONL is written (`rounds-batch-<run id>.jsonl`), kept for reference.
    public func submit(_ plan: JudgeRunPlan, jsonlFolder: String) async throws -> Summary {
        let endpoint = client.endpoint
        var summary = Summary(endpoint: endpoint.name, model: endpoint.model, planned: plan.items.count, requests: 0,
                              failures: [])
        var lines: [UInt8] = []
        var items: [JudgeBatchItemRecord] = []
        var seen: Set<String> = []
        for item in plan.items {
            if case .refused(let reason) = PrivacyGuard.decide(origin: item.image.origin, endpoint: endpoint) {
                summary.failures.append("\(item.image.id): not sent: \(reason)")
                continue
            }
            let image: JudgeImage
            do throws(JudgeError) {
                image = try JudgeImage.load(item.image, maxLongEdge: endpoint.maxLongEdge)
            } catch {
                summary.failures.append("\(item.image.id): \(error.message)")
                continue
            }
            let prepared = client.preparedImageRequest(image: image, checklist: item.checklist, prompt: item.prompt)
            guard seen.insert(prepared.key).inserted else { continue }
            lines += Array(#"{"custom_id":"\#(prepared.key)","method":"POST","url":"/v1/chat/completions","body":"#.utf8)
            lines += prepared.wireBody
            lines += Array("}\n".utf8)
            let criteria = JSONValue.array(item.checklist.criteria.map { ["id": .string($0.id), "text": .string($0.text)] })
            items.append(JudgeBatchItemRecord(
                batchID: 0, customID: prepared.key, imageID: item.image.id, checklistVersionID: item.checklist.version ?? "",
                promptVersionID: item.prompt.version ?? "", canonicalRequest: prepared.canonicalBody,
                criteria: criteria.canonicalString))
        }
        guard !items.isEmpty else { return summary }

        let parameters = endpoint.withRequestSettings([
            "mode": "batch", "samples": 1,
            "temperature": endpoint.sampling(temperature: 0, seed: 0).temperature.map(JSONValue.number) ?? .null,
            "max_tokens": .number(Double(endpoint.maxTokens)), "json_schema": .bool(endpoint.supportsJSONSchema),
            "max_long_edge": endpoint.maxLongEdge.map { .number(Double($0)) } ?? .null,
            "detail": .string(endpoint.detail.rawValue),
        ])
        var run = try store.beginRun(JudgeRunRecord(endpoint: endpoint, parameters: parameters))
        let runID = run.id!
        summary.runID = runID
        let path = URL(fileURLWithPath: jsonlFolder).appendingPathComponent("rounds-batch-\(runID).jsonl").path
        do {
            try FileManager.default.createDirectory(atPath: jsonlFolder, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: path, contents: Data(lines)) else {
                throw JudgeError(.runPlan, "\(path): cannot write the batch file")
            }
            summary.jsonlPath = path
            let fileID = try await api.upload(jsonl: lines, filename: "rounds-batch-\(runID).jsonl")
            summary.inputFileID = fileID
            let batch = try await api.createBatch(inputFileID: fileID, metadata: ["rounds_run": String(runID)])
            summary.batchID = batch.id
            do {
                _ = try store.addJudgeBatch(
                    JudgeBatchRecord(runID: runID, providerBatchID: batch.id, inputFileID: fileID, jsonlPath: path,
                                     jsonlSHA256: SHA256.hex(lines), status: batch.status, requestCount: items.count),
                    items: items)
            } catch {
                throw JudgeError(.runPlan, "batch \(batch.id) was created at \(endpoint.baseURL) but could not be recorded "
                    + "in the store (\(error)); cancel it there (POST /batches/\(batch.id)/cancel), its results cannot be "
                    + "collected", cause: error)
            }
        } catch {
            run.close(requests: 0, succeeded: 0, failed: 0, cost: 0, stoppedBecause: "batch-failed")
            run.status = .failed
            try? store.finishRun(run)
            throw error
        }
        summary.requests = items.count
        return summary
    }
}
