import FlyingFox
import FlyingSocks
import Foundation
import RoundsCore

/// Rounds' JSON (FlyingFox has a `JSONValue` of its own).
private typealias JSON = RoundsCore.JSONValue

/// The loopback OpenAI server `rounds bench judge` measures against: every chat completion is
/// answered after a fixed latency with the bench checklist's verdicts.
///
/// It is the benchmark's own, so the shipped binary does not link the tests' stand-ins
/// (RoundsTestSupport). Lean by default: requests are neither parsed nor recorded, so on a small
/// machine the server's CPU stays small beside the client's (what is measured). `checked` parses each
/// body and checks what the real API would refuse (model, messages, the image's data URL), answering
/// 400 as it would.
package final class JudgeStandIn: Sendable {
    package let port: UInt16
    private let server: HTTPServer
    private let runTask: Task<Void, any Error>

    private init(server: HTTPServer, port: UInt16, runTask: Task<Void, any Error>) {
        self.server = server
        self.port = port
        self.runTask = runTask
    }

    /// Starts listening on `127.0.0.1` (port chosen by the kernel).
    package static func start(latencySeconds: Double, answer: String, checked: Bool) async throws -> JudgeStandIn {
        let address = try sockaddr_in.inet(ip4: "127.0.0.1", port: 0)
        let server = HTTPServer(address: address, timeout: 60, logger: .disabled)
        let body = Data(completion(answer).utf8)
        await server.appendRoute("POST /v1/chat/completions") { (request: FlyingFox.HTTPRequest) in
            if checked, let problem = check(try await request.bodyData) {
                let error: JSON = ["error": ["message": .string(problem), "type": "invalid_request_error"]]
                return HTTPResponse(statusCode: .badRequest, headers: [.contentType: "application/json"],
                                    body: Data(error.canonicalString.utf8))
            }
            try await Task.sleep(nanoseconds: UInt64(latencySeconds * 1e9))
            return HTTPResponse(statusCode: .ok, headers: [.contentType: "application/json"], body: body)
        }
        let task = Task { try await server.run() }
        do { try await server.waitUntilListening(timeout: 60) } catch {
            task.cancel()
            throw error
        }
        guard case .ip4(_, let port)? = await server.listeningAddress else {
            await server.stop(timeout: 0)
            throw BenchError("the judge stand-in did not report an IPv4 address")
        }
        TCPNoDelay.set(onListenerAt: port)
        return JudgeStandIn(server: server, port: port, runTask: task)
    }

    /// Stops listening and waits for the accept loop to end.
    package func stop() async {
        await server.stop(timeout: 0)
        _ = try? await runTask.value
    }

    /// A Chat Completions answer carrying `text`.
    static func completion(_ text: String) -> String {
        let output = Double(max(1, text.utf8.count / 4))
        let message: JSON = ["role": "assistant", "content": .string(text), "refusal": nil]
        let choice: JSON = ["index": 0, "message": message, "finish_reason": "stop"]
        let usage: JSON = ["prompt_tokens": 100, "completion_tokens": .number(output), "total_tokens": .number(100 + output)]
        let body: JSON = [
            "id": "chatcmpl-bench", "object": "chat.completion", "created": 1_700_000_000, "model": "bench-model",
            "choices": .array([choice]), "usage": usage,
        ]
        return body.canonicalString
    }

    /// What the real API would refuse in `body`, or nil.
    static func check(_ body: Data) -> String? {
        guard let json = try? JSON(parsing: body), json.objectValue != nil else {
            return "We could not parse the JSON body of your request."
        }
        guard let model = json["model"]?.stringValue, !model.isEmpty else { return "you must provide a model parameter" }
        guard let messages = json["messages"]?.arrayValue, !messages.isEmpty else {
            return "'messages' is a required property and must be a non-empty array"
        }
        for (i, message) in messages.enumerated() {
            guard case .array(let parts)? = message["content"] else { continue }
            for (j, part) in parts.enumerated() where part["type"]?.stringValue == "image_url" {
                guard let url = part["image_url"]?["url"]?.stringValue, url.hasPrefix("data:image/"),
                      let comma = url.firstIndex(of: ","), url[..<comma].hasSuffix(";base64"),
                      Data(base64Encoded: String(url[url.index(after: comma)...])) != nil
                else { return "messages[\(i)].content[\(j)].image_url.url: not a base64 image data URL" }
            }
        }
        return nil
    }
}
