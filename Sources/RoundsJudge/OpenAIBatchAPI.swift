import Foundation
import RoundsCore

/// OpenAI Files and Batches over one endpoint: upload a JSONL of requests (`POST /files`, purpose
/// `batch`), create a batch (`POST /batches`, endpoint `/v1/chat/completions`, window `24h`), poll it
/// (`GET /batches/{id}`) and download its output and error files (`GET /files/{id}/content`).
///
/// Reads and uploads are retried on transient failures as live requests are. Creating a batch is
/// retried only when the server certainly did not act on it (429, connection refused): a time-out after
/// sending could leave a batch created, and a second one would be paid twice. The key goes only into
/// the `Authorization` header and is scrubbed from every error message.
public struct OpenAIBatchAPI: Sendable {
    /// A batch as the provider describes it.
    public struct Batch: Sendable, Hashable {
        public var id: String
        /// `validating`, `in_progress`, `finalizing`, `completed`, `failed`, `expired`, `cancelling`, `cancelled`.
        public var status: String
        public var outputFileID: String?
        public var errorFileID: String?
        public var total: Int
        public var completed: Int
        public var failed: Int
        /// Batch-level errors (`errors.data[].message`), e.g. why validation failed.
        public var errors: [String]

        /// The batch will change no more.
        public var isFinished: Bool { ["completed", "failed", "expired", "cancelled"].contains(status) }
    }

    public let endpoint: EndpointConfig
    private let apiKey: APIKey?
    private let transport: any HTTPTransport
    private let retryPolicy: RetryPolicy
    private let clock: any JudgeClock
    private let redaction: Redaction

    /// - Throws: `JudgeError.invalidConfig` for endpoints without the Batch API (Anthropic, Azure-style).
    public init(endpoint: EndpointConfig, apiKey: APIKey?, transport: any HTTPTransport = CurlTransport(),
                retryPolicy: RetryPolicy = RetryPolicy(), clock: any JudgeClock = SystemClock()) throws {
        guard endpoint.provider == .openai, endpoint.apiVersion == nil else {
            throw JudgeError(.invalidConfig, "endpoint '\(endpoint.name)': --batch needs the OpenAI Batch API "
                + "(provider openai without api_version); this endpoint is \(endpoint.provider.rawValue)"
                + (endpoint.apiVersion != nil ? " with api_version" : ""))
        }
        self.endpoint = endpoint
        self.apiKey = apiKey
        self.transport = transport
        self.retryPolicy = retryPolicy
        self.clock = clock
        self.redaction = Redaction([apiKey?.value])
    }

    private var base: String { endpoint.baseURL.hasSuffix("/") ? String(endpoint.baseURL.dropLast()) : endpoint.baseURL }

    /// Uploads a batch input file; returns its file id.
    public func upload(jsonl: [UInt8], filename: String) async throws -> String {
        let boundary = "rounds-\(UUID().uuidString)"
        var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n".utf8)
        body += Array(("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\n"
            + "Content-Type: application/jsonl\r\n\r\n").utf8)
        body += jsonl
        body += Array("\r\n--\(boundary)--\r\n".utf8)
        let response = try await send("POST", "/files", body: body, contentType: "multipart/form-data; boundary=\(boundary)",
                                      retryAmbiguous: true)
        let json = try parse(response, "POST \(base)/files")
        guard let id = json["id"]?.stringValue, !id.isEmpty else {
            throw JudgeError(.invalidResponse, "POST \(base)/files: the answer has no file id: \(String(response.bodyText.prefix(200)))")
        }
        return id
    }

    /// Creates a batch over an uploaded input file.
    public func createBatch(inputFileID: String, metadata: [String: String] = [:]) async throws -> Batch {
        var request: [String: JSONValue] = [
            "input_file_id": .string(inputFileID), "endpoint": "/v1/chat/completions", "completion_window": "24h",
        ]
        if !metadata.isEmpty { request["metadata"] = .object(metadata.mapValues { .string($0) }) }
        let response = try await send("POST", "/batches", body: Array(JSONValue.object(request).canonicalString.utf8),
                                      contentType: "application/json", retryAmbiguous: false)
        return try batch(from: parse(response, "POST \(base)/batches"), what: "POST \(base)/batches")
    }

    /// The batch's current state.
    public func batch(id: String) async throws -> Batch {
        let path = "/batches/\(id.addingPercentEncodingForQuery())"
        let response = try await send("GET", path, retryAmbiguous: true)
        return try batch(from: parse(response, "GET \(base)\(path)"), what: "GET \(base)\(path)")
    }

    /// A file's bytes (an output or error JSONL).
    public func fileContent(id: String) async throws -> [UInt8] {
        try await send("GET", "/files/\(id.addingPercentEncodingForQuery())/content", retryAmbiguous: true).body
    }

    private func batch(from json: JSONValue, what: String) throws -> Batch {
        guard let id = json["id"]?.stringValue, let status = json["status"]?.stringValue else {
            throw JudgeError(.invalidResponse, "\(what): the answer is not a batch object (no id or status): "
                + String(json.canonicalString.prefix(200)))
        }
        let counts = json["request_counts"]
        let errors = (json["errors"]?["data"]?.arrayValue ?? []).map { e in
            [UntrustedCount.read(e["line"]).map { "line \($0)" }, e["code"]?.stringValue, e["message"]?.stringValue]
                .compactMap { $0 }.joined(separator: ": ")
        }
        return Batch(
            id: id, status: status, outputFileID: json["output_file_id"]?.stringValue,
            errorFileID: json["error_file_id"]?.stringValue, total: UntrustedCount.readOrZero(counts?["total"]),
            completed: UntrustedCount.readOrZero(counts?["completed"]), failed: UntrustedCount.readOrZero(counts?["failed"]),
            errors: errors.map(redaction.apply))
    }

    private func parse(_ response: HTTPResponseData, _ what: String) throws -> JSONValue {
        do { return try JSONValue(parsing: response.bodyText) } catch {
            throw JudgeError(.invalidResponse, redaction.apply("\(what): the answer is not JSON: \(String(response.bodyText.prefix(200)))"))
        }
    }

    /// One call with retries; a non-2xx answer becomes a `JudgeError` naming the URL and the provider's message.
    private func send(_ method: String, _ path: String, body: [UInt8] = [], contentType: String? = nil,
                      retryAmbiguous: Bool) async throws -> HTTPResponseData {
        var headers: [(name: String, value: String)] = []
        if let contentType { headers.append(("Content-Type", contentType)) }
        if let apiKey { headers.append(("Authorization", "Bearer " + apiKey.value)) }
        let request = HTTPRequestData(method: method, url: base + path, headers: headers, body: body,
                                      connectTimeout: endpoint.connectTimeout, totalTimeout: max(endpoint.requestTimeout, 300))
        let what = "\(method) \(base)\(path)"
        var generator = SystemRandomNumberGenerator()
        var attempt = 0
        while true {
            attempt += 1
            var failure: JudgeError
            do {
                let response = try await transport.send(request)
                if (200..<300).contains(response.status) { return response }
                let error = ProviderErrorBody.parse(response.body)
                failure = JudgeError(
                    error.isQuotaExceeded ? .quotaExceeded : .httpStatus, "\(what): HTTP \(response.status): \(error.message)",
                    status: response.status, retryAfter: RetryPolicy.retryAfter(from: response.headers, now: clock.date()),
                    providerCode: error.code ?? error.type)
            } catch let e as JudgeError {
                failure = e
            }
            failure = redaction.apply(failure)
            let certainlyUnsent = failure.status == 429 || failure.code == .connectionRefused
            guard RetryPolicy.disposition(of: failure) == .transient, retryAmbiguous || certainlyUnsent,
                  attempt < retryPolicy.maxAttempts
            else {
                if attempt > 1 { failure.message += "; after \(attempt) attempts" }
                throw failure
            }
            try await clock.sleep(seconds: retryPolicy.delay(afterAttempt: attempt, retryAfter: failure.retryAfter,
                                                             random: &generator))
        }
    }
}
