import FlyingFox
import Foundation
import RoundsCore
import Synchronization

/// OpenAI Files and Batch API on the stand-in: `POST /v1/files` (multipart, purpose `batch`),
/// `POST /v1/batches`, `GET /v1/batches/{id}`, `GET /v1/files/{id}/content`.
///
/// A batch runs when created: each JSONL line's body goes through the same validation and behaviours as
/// a live `chat/completions` request (hang and close-mid-body become 500 here). Successful lines go to
/// the output file, failed ones to the error file, in the Batch API's line shape
/// `{"id","custom_id","response":{"status_code","request_id","body"},"error":null}`. With
/// `holdBatches(true)` batches stay `in_progress` until `releaseBatches()`.
struct StandInBatchStore {
    struct File {
        var id: String
        var purpose: String
        var filename: String
        var content: [UInt8]
    }

    struct Batch {
        var id: String
        var inputFileID: String
        var endpoint: String
        var window: String
        var status: String
        var outputFileID: String?
        var errorFileID: String?
        var total: Int
        var completed: Int
        var failed: Int
        /// Batch-level errors (`errors.data[].message`), as a failed validation reports.
        var errors: [String] = []

        var isFinished: Bool { ["completed", "failed", "expired", "cancelled"].contains(status) }
    }

    var files: [String: File] = [:]
    var batches: [String: Batch] = [:]
    var hold = false
    var nextID = 1

    mutating func makeID(_ prefix: String) -> String {
        defer { nextID += 1 }
        return "\(prefix)-standin-\(nextID)"
    }

    static func fileObject(_ f: File) -> JSON {
        ["id": .string(f.id), "object": "file", "bytes": .number(Double(f.content.count)), "created_at": 1_700_000_000,
         "filename": .string(f.filename), "purpose": .string(f.purpose)]
    }

    static func batchObject(_ b: Batch) -> JSON {
        [
            "id": .string(b.id), "object": "batch", "endpoint": .string(b.endpoint),
            "input_file_id": .string(b.inputFileID), "completion_window": .string(b.window), "status": .string(b.status),
            "errors": b.errors.isEmpty ? nil : ["object": "list", "data": .array(b.errors.map {
                ["code": "invalid_request", "message": .string($0), "param": nil, "line": nil]
            })],
            "output_file_id": b.outputFileID.map { .string($0) } ?? nil, "error_file_id": b.errorFileID.map { .string($0) } ?? nil,
            "created_at": 1_700_000_000,
            "request_counts": ["total": .number(Double(b.total)), "completed": .number(Double(b.completed)), "failed": .number(Double(b.failed))],
        ]
    }
}

extension StateBox {
    func json(_ status: Int, _ value: JSON) -> HTTPResponse {
        HTTPResponse(statusCode: HTTPStatusCode(status, phrase: "Status \(status)"), headers: [.contentType: "application/json"],
                     body: Data(value.canonicalString.utf8))
    }

    func invalid(_ message: String, status: Int = 400) -> HTTPResponse {
        json(status, ["error": ["message": .string(message), "type": "invalid_request_error", "param": nil, "code": nil]])
    }

    func record(_ request: FlyingFox.HTTPRequest, body: [UInt8]) -> RecordedRequest {
        let recorded = RecordedRequest(
            method: request.method.rawValue, path: request.path, query: request.query.map { ($0.name, $0.value) },
            headers: request.headers.map { ($0.key.rawValue, $0.value) }, body: body, status: 0)
        lock.withLock { $0.requests.append(recorded) }
        return recorded
    }

    /// With an expected key, a request without it gets 401, echoing what was sent (as careless servers do).
    func unauthorized(_ recorded: RecordedRequest) -> HTTPResponse? {
        guard let expected = lock.withLock({ $0.expectedKey }) else { return nil }
        let sent = recorded.header("authorization").map { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : $0 }
            ?? recorded.header("api-key")
        guard sent != expected else { return nil }
        return json(401, ["error": ["message": .string("Incorrect API key provided: \(sent ?? "(none)")."),
                                    "type": "invalid_request_error", "param": nil, "code": "invalid_api_key"]])
    }

    func uploadFile(_ request: FlyingFox.HTTPRequest) async -> HTTPResponse {
        let body = (try? await request.bodyData).map { [UInt8]($0) } ?? []
        let recorded = record(request, body: body)
        if let refusal = unauthorized(recorded) { return refusal }
        guard let parts = StandInMultipart.parse(body, contentType: recorded.header("content-type")) else {
            return invalid("expected multipart/form-data with fields 'purpose' and 'file'")
        }
        guard let purpose = parts.first(where: { $0.name == "purpose" }).map({ String(decoding: $0.body, as: UTF8.self) }) else {
            return invalid("'purpose' is a required field")
        }
        guard purpose == "batch" else { return invalid("purpose: the stand-in accepts only 'batch', got '\(purpose)'") }
        guard let file = parts.first(where: { $0.name == "file" }) else { return invalid("'file' is a required field") }
        if let problem = Self.checkBatchInput(file.body) { return invalid(problem) }
        let stored = lock.withLock { s -> StandInBatchStore.File in
            let f = StandInBatchStore.File(id: s.batchStore.makeID("file"), purpose: purpose, filename: file.filename ?? "upload.jsonl", content: file.body)
            s.batchStore.files[f.id] = f
            return f
        }
        return json(200, StandInBatchStore.fileObject(stored))
    }

    /// The Batch API's input checks: every line a JSON object with a unique `custom_id`, method POST,
    /// url `/v1/chat/completions`, and an object `body`.
    static func checkBatchInput(_ content: [UInt8]) -> String? {
        var seen: Set<String> = []
        let lines = String(decoding: content, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        guard !lines.isEmpty else { return "the batch file is empty" }
        for (i, line) in lines.enumerated() {
            guard let value = try? JSON(parsing: String(line)) else { return "line \(i + 1): not valid JSON" }
            guard let id = value["custom_id"]?.stringValue else { return "line \(i + 1): custom_id is required" }
            guard seen.insert(id).inserted else { return "line \(i + 1): duplicate custom_id '\(id)'" }
            guard value["method"]?.stringValue == "POST" else { return "line \(i + 1): method must be POST" }
            guard value["url"]?.stringValue == "/v1/chat/completions" else { return "line \(i + 1): url must be /v1/chat/completions" }
            guard value["body"]?.objectValue != nil else { return "line \(i + 1): body must be an object" }
        }
        return nil
    }

    func createBatch(_ request: FlyingFox.HTTPRequest) async -> HTTPResponse {
        let body = (try? await request.bodyData).map { [UInt8]($0) } ?? []
        if let refusal = unauthorized(record(request, body: body)) { return refusal }
        guard let value = try? JSON(parsing: Data(body)), let fileID = value["input_file_id"]?.stringValue else {
            return invalid("input_file_id is required")
        }
        guard value["endpoint"]?.stringValue == "/v1/chat/completions" else { return invalid("endpoint must be /v1/chat/completions") }
        guard value["completion_window"]?.stringValue == "24h" else { return invalid("completion_window must be 24h") }
        guard let input = lock.withLock({ $0.batchStore.files[fileID] }) else {
            return invalid("No such File object: \(fileID)", status: 404)
        }
        let lines = String(decoding: input.content, as: UTF8.self).split(separator: "\n").compactMap { try? JSON(parsing: String($0)) }
        var output: [String] = []
        var errors: [String] = []
        for (i, line) in lines.enumerated() {
            let lineBody = line["body"] ?? nil
            let bodyBytes = Array(lineBody.canonicalString.utf8)
            let recorded = RecordedRequest(method: "POST", path: "/v1/chat/completions", query: [], headers: [], body: bodyBytes, status: 0)
            let (scripted, responder) = lock.withLock { s in (s.script.isEmpty ? nil : s.script.removeFirst(), s.responder) }
            var behavior = scripted ?? responder?(recorded, i) ?? .verdicts()
            while case .slow(_, let then) = behavior { behavior = then }
            if case .hang = behavior { behavior = .status(500, message: "batch line failed") }
            if case .closeMidBody = behavior { behavior = .status(500, message: "batch line failed") }
            let response = await StandInResponder(wire: .openAI, request: recorded, json: lineBody).respond(behavior, expectedKey: nil)
            let status = response.statusCode.code
            let responseBody = (try? await response.bodyData).flatMap { try? JSON(parsing: $0) } ?? nil
            let entry: JSON = [
                "id": .string("batch_req_\(i)"), "custom_id": line["custom_id"] ?? nil,
                "response": ["status_code": .number(Double(status)), "request_id": .string("req_\(i)"), "body": responseBody],
                "error": nil,
            ]
            if (200..<300).contains(status) { output.append(entry.canonicalString) } else { errors.append(entry.canonicalString) }
        }
        let batch = lock.withLock { s -> StandInBatchStore.Batch in
            let outputFile = StandInBatchStore.File(id: s.batchStore.makeID("file"), purpose: "batch_output", filename: "output.jsonl",
                                                    content: Array(output.map { $0 + "\n" }.joined().utf8))
            s.batchStore.files[outputFile.id] = outputFile
            var errorID: String?
            if !errors.isEmpty {
                let errorFile = StandInBatchStore.File(id: s.batchStore.makeID("file"), purpose: "batch_output", filename: "errors.jsonl",
                                                       content: Array(errors.map { $0 + "\n" }.joined().utf8))
                s.batchStore.files[errorFile.id] = errorFile
                errorID = errorFile.id
            }
            let b = StandInBatchStore.Batch(
                id: s.batchStore.makeID("batch"), inputFileID: fileID, endpoint: "/v1/chat/completions", window: "24h",
                status: s.batchStore.hold ? "in_progress" : "completed", outputFileID: outputFile.id, errorFileID: errorID,
                total: lines.count, completed: output.count, failed: errors.count)
            s.batchStore.batches[b.id] = b
            return b
        }
        return json(200, Self.visible(batch))
    }

    /// Until a held batch finishes, its files are not announced.
    static func visible(_ b: StandInBatchStore.Batch) -> JSON {
        var shown = b
        if !b.isFinished {
            shown.outputFileID = nil
            shown.errorFileID = nil
            shown.completed = 0
            shown.failed = 0
        }
        return StandInBatchStore.batchObject(shown)
    }

    func getBatch(_ request: FlyingFox.HTTPRequest) async -> HTTPResponse {
        if let refusal = unauthorized(record(request, body: [])) { return refusal }
        let id = String(request.path.split(separator: "/").last ?? "")
        guard let batch = lock.withLock({ $0.batchStore.batches[id] }) else { return invalid("No such Batch object: \(id)", status: 404) }
        return json(200, Self.visible(batch))
    }

    func fileContent(_ request: FlyingFox.HTTPRequest) async -> HTTPResponse {
        if let refusal = unauthorized(record(request, body: [])) { return refusal }
        let parts = request.path.split(separator: "/")
        guard parts.count >= 4, parts.last == "content" else { return invalid("unknown path", status: 404) }
        let id = String(parts[parts.count - 2])
        guard let file = lock.withLock({ $0.batchStore.files[id] }) else { return invalid("No such File object: \(id)", status: 404) }
        return HTTPResponse(statusCode: .ok, headers: [.contentType: "application/octet-stream"], body: Data(file.content))
    }
}

extension StandInBatchStore {
    /// Ends every unfinished batch as `status`, as the real API reports it: `failed` has no files and
    /// carries `errors`; `expired` and `cancelled` keep the first `keptLines` output lines and move every
    /// other request to the error file with `response: null` and `error.code` `batch_<status>`.
    mutating func finishBatches(as status: String, keptLines: Int, errors: [String]) {
        for id in batches.keys.sorted() where !(batches[id]!.isFinished) {
            var b = batches[id]!
            b.status = status
            b.errors = errors
            if status == "failed" {
                b.outputFileID = nil
                b.errorFileID = nil
                b.completed = 0
                b.failed = 0
                batches[id] = b
                continue
            }
            let output = b.outputFileID.flatMap { files[$0] }.map { Self.lines($0.content) } ?? []
            let failed = b.errorFileID.flatMap { files[$0] }.map { Self.lines($0.content) } ?? []
            let kept = Array(output.prefix(keptLines))
            let dropped = (output.dropFirst(keptLines) + failed).compactMap { line -> String? in
                guard let customID = (try? JSON(parsing: line))?["custom_id"] else { return nil }
                let entry: JSON = [
                    "id": "batch_req_dropped", "custom_id": customID, "response": nil,
                    "error": ["code": .string("batch_\(status)"),
                              "message": "This request could not be executed before the completion window expired."],
                ]
                return entry.canonicalString
            }
            if let outputID = b.outputFileID { files[outputID]?.content = Array(kept.map { $0 + "\n" }.joined().utf8) }
            let errorFile = File(id: makeID("file"), purpose: "batch_output", filename: "errors.jsonl",
                                 content: Array(dropped.map { $0 + "\n" }.joined().utf8))
            files[errorFile.id] = errorFile
            b.errorFileID = errorFile.id
            b.completed = kept.count
            b.failed = dropped.count
            batches[id] = b
        }
    }

    static func lines(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
