import Foundation
import RoundsCore
import RoundsJudge
import RoundsTestSupport
import Testing

@Suite struct ProviderRequestTests {
    @Test func openAIBodyHasDataURLDetailSchemaAndSampling() async throws {
        try await withStandIn { server in
            let client = Fixtures.client(server, options: JudgeOptions(baseSeed: 42))
            let outcome = await client.judge(image: Fixtures.image(1), checklist: Fixtures.checklist)
            #expect(outcome.status == .judged)
            let sent = try #require(server.requests.first)
            #expect(sent.path == "/v1/chat/completions")
            #expect(sent.header("content-type") == "application/json")
            let body = try JSONValue(parsing: sent.bodyText)
            #expect(body["model"] == "judge-model")
            #expect(body["temperature"] == 0)
            #expect(body["seed"] == 42)
            #expect(body["max_tokens"] == 256)
            let messages = try #require(body["messages"]?.arrayValue)
            #expect(messages[0]["role"] == "system")
            let parts = try #require(messages[1]["content"]?.arrayValue)
            #expect(parts[0]["type"] == "image_url")
            let url = try #require(parts[0]["image_url"]?["url"]?.stringValue)
            #expect(url == "data:image/png;base64," + Data(Fixtures.image(1).bytes).base64EncodedString())
            #expect(parts[0]["image_url"]?["detail"] == "low")
            #expect(parts[1]["type"] == "text")
            #expect(parts[1]["text"]?.stringValue?.contains("- location: Around mouth") == true)
            let format = try #require(body["response_format"])
            #expect(format["type"] == "json_schema")
            #expect(format["json_schema"]?["strict"] == true)
            #expect(format["json_schema"]?["schema"]?["properties"]?["criteria"]?["items"]?["properties"]?["id"]?["enum"]
                    == ["location", "lesion", "color"])
            // The canonical request keeps the image id instead of the pixels.
            #expect(outcome.canonicalRequest.contains("data:image/png;base64," + Fixtures.image(1).imageID))
            #expect(!outcome.canonicalRequest.contains(Data(Fixtures.image(1).bytes).base64EncodedString()))
            #expect(outcome.verdicts.map(\.verdict) == [.met, .met, .met])
            #expect(outcome.usage.input > 0 && outcome.cost > 0)
        }
    }

    @Test func anthropicBodyHasHeadersImageBlockFirstAndForcedTool() async throws {
        try await withStandIn(expectedKey: "sk-ant-test-key-0001") { server in
            let client = Fixtures.client(server, provider: .anthropic, apiKey: "sk-ant-test-key-0001")
            let outcome = await client.judge(image: Fixtures.image(2), checklist: Fixtures.checklist)
            #expect(outcome.status == .judged)
            #expect(outcome.verdicts.count == 3)
            let sent = try #require(server.requests.first)
            #expect(sent.path == "/v1/messages")
            #expect(sent.header("x-api-key") == "sk-ant-test-key-0001")
            #expect(sent.header("anthropic-version") == EndpointConfig.defaultAnthropicVersion)
            #expect(sent.header("authorization") == nil)
            let body = try JSONValue(parsing: sent.bodyText)
            #expect(body["seed"] == nil)
            #expect(body["system"]?.stringValue != nil)
            let blocks = try #require(body["messages"]?.arrayValue?.first?["content"]?.arrayValue)
            #expect(blocks[0]["type"] == "image")
            #expect(blocks[0]["source"]?["type"] == "base64")
            #expect(blocks[0]["source"]?["media_type"] == "image/png")
            #expect(blocks[0]["source"]?["data"]?.stringValue == Data(Fixtures.image(2).bytes).base64EncodedString())
            #expect(blocks[1]["type"] == "text")
            #expect(body["tool_choice"] == ["type": "tool", "name": "checklist_verdicts"])
            #expect(body["tools"]?.arrayValue?.first?["input_schema"]?["type"] == "object")
        }
    }

    @Test func withoutSchemaSupportNoResponseFormatIsSent() async throws {
        try await withStandIn { server in
            var endpoint = Fixtures.endpoint(server)
            endpoint.supportsJSONSchema = false
            let client = JudgeClient(endpoint: endpoint, apiKey: nil, transport: Fixtures.sharedTransport, clock: VirtualClock())
            let outcome = await client.judge(image: Fixtures.image(), checklist: Fixtures.checklist)
            #expect(outcome.status == .judged)  // the stand-in reads the ids from the prompt
            let body = try JSONValue(parsing: try #require(server.requests.first).bodyText)
            #expect(body["response_format"] == nil)
        }
    }

    @Test func azureStyleUsesApiVersionQueryAndApiKeyHeader() {
        var endpoint = EndpointConfig(name: "az", provider: .openai, baseURL: "https://x.openai.azure.com/openai/deployments/gpt4o/",
                                      model: "gpt-4o", apiVersion: "2024-10-21")
        let request = OpenAIChatProvider().httpRequest(body: [], endpoint: endpoint, apiKey: APIKey("azure-key-123456"))
        #expect(request.url == "https://x.openai.azure.com/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21")
        #expect(request.header("api-key") == "azure-key-123456")
        #expect(request.header("authorization") == nil)
        endpoint.apiVersion = nil
        let plain = OpenAIChatProvider().httpRequest(body: [], endpoint: endpoint, apiKey: APIKey("k-12345678"))
        #expect(plain.header("authorization") == "Bearer k-12345678")
    }

    @Test func standInRejectsBadRequestsAsTheRealAPIs() async throws {
        try await withStandIn { server in
            let transport = Fixtures.sharedTransport
            func send(_ path: String, _ body: String, headers: [(name: String, value: String)] = []) async throws -> HTTPResponseData {
                try await transport.send(HTTPRequestData(url: server.baseURL + path, headers: [("Content-Type", "application/json")] + headers,
                                                         body: Array(body.utf8), connectTimeout: 2, totalTimeout: 5))
            }
            let noModel = try await send("/chat/completions", #"{"messages":[{"role":"user","content":"hi"}]}"#)
            #expect(noModel.status == 400)
            #expect(ProviderErrorBody(message: "").message.isEmpty)
            #expect(OpenAIChatProvider().parseError(noModel).message.contains("model"))
            let badPart = try await send("/chat/completions", #"{"model":"m","messages":[{"role":"user","content":[{"type":"image","url":"x"}]}]}"#)
            #expect(badPart.status == 400)
            #expect(OpenAIChatProvider().parseError(badPart).message.contains("Invalid content part type"))
            let notPNG = try await send("/chat/completions",
                #"{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,aGVsbG8="}}]}]}"#)
            #expect(notPNG.status == 400)
            let badBase64 = try await send("/chat/completions",
                #"{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/jpeg;base64,!!!"}}]}]}"#)
            #expect(badBase64.status == 400)
            let noVersion = try await send("/messages", #"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#)
            #expect(noVersion.status == 400)
            let prefixed = try await send("/messages",
                #"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"data:image/png;base64,iVBORw0KGgo="}}]}]}"#,
                headers: [("anthropic-version", "2023-06-01")])
            #expect(prefixed.status == 400)
            #expect(AnthropicMessagesProvider().parseError(prefixed).type == "invalid_request_error")
        }
    }

    @Test(arguments: [
        (#"{"error":{"message":"bad","type":"invalid_request_error","param":null,"code":"invalid_value"}}"#, "bad", "invalid_request_error", "invalid_value"),
        (#"{"error":{"code":500,"message":"llama.cpp failed","type":"server_error"}}"#, "llama.cpp failed", "server_error", "500"),
        (#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#, "Overloaded", "overloaded_error", nil),
        (#"{"error":"model 'x' not found"}"#, "model 'x' not found", nil, nil),
        ("<html>502</html>", "<html>502</html>", nil, nil),
    ] as [(String, String, String?, String?)])
    func errorBodiesAreRead(body: String, message: String, type: String?, code: String?) {
        let parsed = OpenAIChatProvider().parseError(HTTPResponseData(status: 500, body: Array(body.utf8)))
        #expect(parsed.message == message)
        #expect(parsed.type == type)
        #expect(parsed.code == code)
    }

    @Test func requestKeyDependsOnImageIDEndpointAndModelNotOnBytes() {
        let request = { (image: JudgeImage) in
            JudgeRequest(system: "s", user: "u", images: [image], schema: VerdictSchema.schema(for: Fixtures.checklist))
        }
        let endpoint = EndpointConfig(name: "e", provider: .openai, baseURL: "http://127.0.0.1:1/v1", model: "m")
        let a = Fixtures.image(1)
        var reencoded = a
        reencoded.bytes += [9, 9, 9]  // same picture, other encoding: same image id
        let p = OpenAIChatProvider()
        let k1 = PreparedRequest(request(a), endpoint: endpoint, provider: p)
        let k2 = PreparedRequest(request(reencoded), endpoint: endpoint, provider: p)
        #expect(k1.key == k2.key)
        #expect(k1.wireBody != k2.wireBody)
        #expect(k1.key.count == 64)
        var other = endpoint
        other.model = "m2"
        #expect(PreparedRequest(request(a), endpoint: other, provider: p).key != k1.key)
        other = endpoint
        other.baseURL = "http://127.0.0.1:2/v1"
        #expect(PreparedRequest(request(a), endpoint: other, provider: p).key != k1.key)
        #expect(PreparedRequest(request(Fixtures.image(2)), endpoint: endpoint, provider: p).key != k1.key)
        // The wire body is the canonical body with the base64 in place of the image id.
        let wire = String(decoding: k1.wireBody, as: UTF8.self)
        #expect(wire == k1.canonicalBody.replacingOccurrences(of: a.imageID, with: Data(a.bytes).base64EncodedString()))
        #expect((try? JSONValue(parsing: wire)) != nil)
    }
}
