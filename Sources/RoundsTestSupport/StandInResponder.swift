import FlyingFox
import FlyingSocks
import Foundation
import RoundsCore

typealias JSON = RoundsCore.JSONValue

/// Turns a behaviour into an HTTP response in the request's wire protocol.
struct StandInResponder {
    let wire: WireProtocol
    let request: RecordedRequest
    let json: JSON?

    func respond(_ behavior: StandInBehavior, expectedKey: String?, validate: Bool = true) async -> HTTPResponse {
        if let expectedKey {
            let sent = request.header("x-api-key") ?? request.header("api-key")
                ?? request.header("authorization").map { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : $0 }
            guard sent == expectedKey else {
                return error(401, type: "authentication_error", code: "invalid_api_key",
                             message: "Incorrect API key provided: \(sent ?? "(none)").")
            }
        }
        if validate {
            do {
                switch wire {
                case .openAI: try StandInValidation.openAI(json)
                case .anthropic: try StandInValidation.anthropic(json, headers: request.headers)
                }
            } catch {
                return self.error(error.status, type: error.type, code: nil, message: error.message)
            }
        }
        return await perform(behavior)
    }

    private func perform(_ behavior: StandInBehavior) async -> HTTPResponse {
        switch behavior {
        case .verdicts(let verdict, let overrides):
            let ids = criterionIDs()
            let items: [JSON] = ids.map { id in
                ["id": .string(id), "verdict": .string(overrides[id] ?? verdict), "evidence": .string("seen in the image")]
            }
            return success(text: JSON.object(["criteria": .array(items)]).canonicalString, finish: .stop)
        case .answer(let text):
            return success(text: text, finish: .stop)
        case .refusal:
            return success(text: "I'm sorry, I can't help with assessing this image.", finish: .refusal)
        case .truncatedAnswer:
            return success(text: #"{"criteria": [{"id": "loc", "verdict": "me"#, finish: .length)
        case .rateLimited(let retryAfter, let retryAfterMs):
            var headers: HTTPHeaders = [:]
            if let r = retryAfter { headers[HTTPHeader("retry-after")] = r }
            if let r = retryAfterMs { headers[HTTPHeader("retry-after-ms")] = r }
            return error(429, type: wire == .openAI ? "requests" : "rate_limit_error", code: "rate_limit_exceeded",
                         message: "Rate limit reached; please try again later.", headers: headers)
        case .quotaExceeded:
            return error(429, type: "insufficient_quota", code: "insufficient_quota",
                         message: "You exceeded your current quota, please check your plan and billing details.")
        case .status(let status, let message):
            return error(status, type: status >= 500 ? "server_error" : "invalid_request_error", code: nil, message: message)
        case .overloaded:
            return error(529, type: "overloaded_error", code: nil, message: "Overloaded")
        case .hang:
            try? await Task.sleep(for: .seconds(3600))
            return HTTPResponse(statusCode: .serviceUnavailable)
        case .closeMidBody:
            let full = Array(successBody(text: "{}", finish: .stop).utf8)
            let half = Array(full.prefix(full.count / 2))
            return HTTPResponse(
                statusCode: .ok, headers: [.contentType: "application/json"],
                body: HTTPBodySequence(from: FailingBytes(bytes: half), count: full.count))
        case .garbageBody:
            return HTTPResponse(statusCode: .ok, headers: [.contentType: "text/html"], body: Data("<html><body>502 Bad Gateway</body></html>".utf8))
        case .truncatedBody:
            let full = successBody(text: "{}", finish: .stop)
            return HTTPResponse(statusCode: .ok, headers: [.contentType: "application/json"], body: Data(full.utf8.prefix(full.utf8.count / 2)))
        case .oddUsage(let prompt, let completion):
            let items: [JSON] = criterionIDs().map { ["id": .string($0), "verdict": "met", "evidence": "seen in the image"] }
            let text = JSON.object(["criteria": .array(items)]).canonicalString
            let body = successBody(text: text, finish: .stop, usageLiterals: (prompt, completion))
            return HTTPResponse(statusCode: .ok, headers: [.contentType: "application/json"], body: Data(body.utf8))
        case .slow(let seconds, let then):
            try? await Task.sleep(for: .seconds(seconds))
            return await perform(then)
        }
    }

    /// Criterion ids from the schema's `enum` (OpenAI `response_format`, Anthropic tool), else from
    /// prompt lines `- id: text`.
    func criterionIDs() -> [String] {
        let schema = json?["response_format"]?["json_schema"]?["schema"] ?? json?["tools"]?.arrayValue?.first?["input_schema"]
        if let ids = schema?["properties"]?["criteria"]?["items"]?["properties"]?["id"]?["enum"]?.arrayValue {
            return ids.compactMap(\.stringValue)
        }
        var texts: [String] = []
        for message in json?["messages"]?.arrayValue ?? [] {
            if let s = message["content"]?.stringValue { texts.append(s) }
            for part in message["content"]?.arrayValue ?? [] { if let t = part["text"]?.stringValue { texts.append(t) } }
        }
        return texts.joined(separator: "\n").split(separator: "\n").compactMap { line in
            guard line.hasPrefix("- "), let colon = line.firstIndex(of: ":") else { return nil }
            return String(line[line.index(line.startIndex, offsetBy: 2)..<colon])
        }
    }

    enum Finish { case stop, length, refusal }

    private func success(text: String, finish: Finish) -> HTTPResponse {
        HTTPResponse(statusCode: .ok, headers: [.contentType: "application/json"], body: Data(successBody(text: text, finish: finish).utf8))
    }

    /// The answer body; `usage` replaces the token counts with literal JSON number texts.
    private func successBody(text: String, finish: Finish, usageLiterals: (String, String)) -> String {
        var body = successBody(text: text, finish: finish)
        let (prompt, completion) = usageLiterals
        let names = wire == .openAI ? ("prompt_tokens", "completion_tokens") : ("input_tokens", "output_tokens")
        let promptTokens = 100 + request.body.count / 1000
        let outputTokens = max(1, text.utf8.count / 4)
        body = body.replacingOccurrences(of: "\"\(names.0)\":\(promptTokens)", with: "\"\(names.0)\":\(prompt)")
        body = body.replacingOccurrences(of: "\"\(names.1)\":\(outputTokens)", with: "\"\(names.1)\":\(completion)")
        return body
    }

    private func successBody(text: String, finish: Finish) -> String {
        let model = json?["model"] ?? "stand-in"
        let promptTokens = 100 + request.body.count / 1000
        let outputTokens = max(1, text.utf8.count / 4)
        switch wire {
        case .openAI:
            let message: JSON = finish == .refusal
                ? ["role": "assistant", "content": nil, "refusal": .string(text)]
                : ["role": "assistant", "content": .string(text), "refusal": nil]
            let reason: JSON = finish == .length ? "length" : "stop"
            let body: JSON = [
                "id": "chatcmpl-standin", "object": "chat.completion", "created": 1_700_000_000, "model": model,
                "choices": [["index": 0, "message": message, "finish_reason": reason]],
                "usage": ["prompt_tokens": .number(Double(promptTokens)), "completion_tokens": .number(Double(outputTokens)),
                          "total_tokens": .number(Double(promptTokens + outputTokens))],
            ]
            return body.canonicalString
        case .anthropic:
            // A forced tool is called; with `tool_choice: auto` the stand-in chooses the first tool offered.
            let forcedTool = json?["tool_choice"]?["name"]?.stringValue
                ?? (json?["tool_choice"]?["type"]?.stringValue == "auto" ? json?["tools"]?.arrayValue?.first?["name"]?.stringValue : nil)
            var content: [JSON] = [["type": "text", "text": .string(text)]]
            var stop: JSON = finish == .length ? "max_tokens" : (finish == .refusal ? "refusal" : "end_turn")
            if finish == .stop, let tool = forcedTool, let input = try? JSON(parsing: text), input.objectValue != nil {
                content = [["type": "tool_use", "id": "toolu_standin", "name": .string(tool), "input": input]]
                stop = "tool_use"
            }
            if let thinking = json?["thinking"]?["type"]?.stringValue, thinking != "disabled" {
                content.insert(["type": "thinking", "thinking": "Looking at each criterion.", "signature": "c3RhbmQtaW4="], at: 0)
            }
            let body: JSON = [
                "id": "msg_standin", "type": "message", "role": "assistant", "model": model, "content": .array(content),
                "stop_reason": stop, "stop_sequence": nil,
                "usage": ["input_tokens": .number(Double(promptTokens)), "output_tokens": .number(Double(outputTokens))],
            ]
            return body.canonicalString
        }
    }

    private func error(_ status: Int, type: String, code: String?, message: String, headers: HTTPHeaders = [:]) -> HTTPResponse {
        var headers = headers
        headers[.contentType] = "application/json"
        let body: JSON
        switch wire {
        case .openAI:
            body = ["error": ["message": .string(message), "type": .string(type), "param": nil, "code": code.map { .string($0) } ?? nil]]
        case .anthropic:
            body = ["type": "error", "error": ["type": .string(type), "message": .string(message)]]
        }
        return HTTPResponse(statusCode: HTTPStatusCode(status, phrase: "Status \(status)"), headers: headers, body: Data(body.canonicalString.utf8))
    }
}

/// Yields some bytes, then fails, so the server closes the connection mid-body.
struct FailingBytes: AsyncBufferedSequence, Sendable {
    typealias Element = UInt8
    let bytes: [UInt8]

    func makeAsyncIterator() -> Iterator { Iterator(bytes: bytes) }

    struct Iterator: AsyncBufferedIteratorProtocol {
        var bytes: [UInt8]
        var sent = false

        mutating func next() async throws -> UInt8? {
            guard !bytes.isEmpty else { throw StandInError("closing mid-body") }
            return bytes.removeFirst()
        }

        mutating func nextBuffer(suggested count: Int) async throws -> [UInt8]? {
            guard !sent else { throw StandInError("closing mid-body") }
            sent = true
            return bytes
        }
    }
}
