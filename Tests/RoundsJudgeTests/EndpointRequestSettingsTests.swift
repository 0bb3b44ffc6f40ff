import Foundation
import RoundsCore
import RoundsJudge
import RoundsTestSupport
import Testing

/// What goes into a body for each endpoint setting: sampling parameters only when asked for, the token
/// limit's field, the Anthropic API version, `extra_body`, and the fallback when structured output is refused.
@Suite struct EndpointRequestSettingsTests {
    private func sentBody(_ endpoint: EndpointConfig, server: StandInServer, options: JudgeOptions = JudgeOptions(),
                          apiKey: String? = nil) async throws -> (JudgeOutcome, [JSONValue]) {
        let client = JudgeClient(endpoint: endpoint, apiKey: apiKey.map(APIKey.init), transport: Fixtures.sharedTransport,
                                 options: options, retryPolicy: Fixtures.retry, clock: VirtualClock())
        let outcome = await client.judge(image: Fixtures.image(3), checklist: Fixtures.checklist)
        return (outcome, try server.requests.map { try JSONValue(parsing: $0.bodyText) })
    }

    @Test func anthropicSendsNoSamplingParameterAndTheCurrentAPIVersion() async throws {
        try await withStandIn { server in
            let endpoint = Fixtures.endpoint(server, provider: .anthropic)
            #expect(endpoint.sentSamplingParameters.isEmpty)
            let (outcome, bodies) = try await sentBody(endpoint, server: server, options: JudgeOptions(samples: 3))
            #expect(outcome.status == .judged)
            #expect(bodies.count == 3)
            for body in bodies {
                #expect(body["temperature"] == nil && body["seed"] == nil && body["top_p"] == nil)
                #expect(body["max_tokens"] == 256)
                #expect(body["tool_choice"] == ["type": "tool", "name": "checklist_verdicts"])
            }
            #expect(server.requests.allSatisfy { $0.header("anthropic-version") == "2026-10-21" })
            // What is not sent is not claimed in the stored outcome either.
            #expect(outcome.samples.allSatisfy { $0.temperature == nil && $0.seed == nil })
        }
    }

    @Test func anthropicSendsTemperatureAndAnAPIVersionWhenTheEndpointAsks() async throws {
        try await withStandIn { server in
            var endpoint = Fixtures.endpoint(server, provider: .anthropic)
            endpoint.samplingParameters = [.temperature]
            endpoint.apiVersion = "2023-06-01"
            let (_, single) = try await sentBody(endpoint, server: server)
            #expect(single.first?["temperature"] == 0)
            #expect(server.requests.first?.header("anthropic-version") == "2023-06-01")
        }
        try await withStandIn { server in
            var endpoint = Fixtures.endpoint(server, provider: .anthropic)
            endpoint.samplingParameters = [.temperature]
            let (_, bodies) = try await sentBody(endpoint, server: server, options: JudgeOptions(samples: 2, sampleTemperature: 0.7))
            #expect(bodies.map { $0["temperature"] } == [0.7, 0.7])
            #expect(bodies.allSatisfy { $0["seed"] == nil })
        }
    }

    @Test func anthropicWithThinkingOffersTheToolWithoutForcingIt() async throws {
        try await withStandIn { server in
            var endpoint = Fixtures.endpoint(server, provider: .anthropic)
            endpoint.maxTokens = 4096
            endpoint.extraBody = ["thinking": ["type": "enabled", "budget_tokens": 2048]]
            let (outcome, bodies) = try await sentBody(endpoint, server: server)
            #expect(outcome.status == .judged, "\(outcome.error?.message ?? "")")
            #expect(outcome.verdicts.map(\.verdict) == [.met, .met, .met])
            let body = try #require(bodies.first)
            #expect(body["tool_choice"] == ["type": "auto"])
            #expect(body["tools"]?.arrayValue?.count == 1)
            #expect(body["thinking"] == ["type": "enabled", "budget_tokens": 2048])
            #expect(bodies.count == 1)
        }
    }

    @Test func aRefusedForcedToolFallsBackToInstructionsAndParsing() async throws {
        try await withStandIn { server in
            // A model that thinks before answering and refuses any forced tool (as the Messages API does).
            server.respond { request, _ in
                let body = try? JSONValue(parsing: request.bodyText)
                if body?["tool_choice"]?["type"]?.stringValue == "tool" {
                    return .status(400, message: "Thinking may not be enabled when tool_choice forces tool use.")
                }
                return .verdicts(default: "not_met")
            }
            let endpoint = Fixtures.endpoint(server, provider: .anthropic)
            let client = JudgeClient(endpoint: endpoint, apiKey: nil, transport: Fixtures.sharedTransport,
                                     retryPolicy: Fixtures.retry, clock: VirtualClock())
            let key = client.requestKey(image: Fixtures.image(4), checklist: Fixtures.checklist)
            let first = await client.judge(image: Fixtures.image(4), checklist: Fixtures.checklist)
            #expect(first.status == .judged, "\(first.error?.message ?? "")")
            #expect(first.verdicts.map(\.verdict) == [.notMet, .notMet, .notMet])
            // Stored under the key a later run looks up, with the body actually sent and a note saying so.
            #expect(first.requestKey == key)
            #expect(!first.canonicalRequest.contains("tool_choice"))
            #expect(first.samples[0].problems.first?.contains("refused structured output") == true)
            #expect(server.requests.count == 2)
            // The rest of the run asks without the tool straight away.
            let second = await client.judge(image: Fixtures.image(5), checklist: Fixtures.checklist)
            #expect(second.status == .judged)
            #expect(server.requests.count == 3)
            let third = try JSONValue(parsing: server.requests[2].bodyText)
            #expect(third["tools"] == nil)
        }
    }

    @Test func otherBadRequestsDoNotTriggerTheFallback() async throws {
        try await withStandIn { server in
            server.respond { _, _ in .status(400, message: "messages.0.content.0.source: Invalid base64 image data") }
            let (outcome, _) = try await sentBody(Fixtures.endpoint(server, provider: .anthropic), server: server)
            #expect(outcome.status == .failed)
            #expect(server.requests.count == 1)
        }
    }

    @Test func openAIReasoningModelsGetMaxCompletionTokensAndNoSampling() async throws {
        try await withStandIn { server in
            var endpoint = Fixtures.endpoint(server)
            endpoint.model = "gpt-5-mini"
            let (outcome, bodies) = try await sentBody(endpoint, server: server, options: JudgeOptions(baseSeed: 9))
            // The stand-in refuses max_tokens and temperature for reasoning models, as OpenAI does.
            #expect(outcome.status == .judged, "\(outcome.error?.message ?? "")")
            let body = try #require(bodies.first)
            #expect(body["max_completion_tokens"] == 256)
            #expect(body["max_tokens"] == nil && body["temperature"] == nil && body["seed"] == nil)
        }
        for (model, reasoning) in [("o3", true), ("o4-mini", true), ("openai/gpt-5", true), ("gpt-5-chat-latest", false),
                                   ("gpt-4o", false), ("ollama-model", false), ("qwen2.5-vl", false)] {
            #expect(EndpointConfig.isOpenAIReasoningModel(model) == reasoning, "\(model)")
        }
    }

    @Test func openAIWithoutTheseSettingsSendsWhatItAlwaysSent() async throws {
        try await withStandIn { server in
            let (_, bodies) = try await sentBody(Fixtures.endpoint(server), server: server, options: JudgeOptions(baseSeed: 5))
            let body = try #require(bodies.first)
            #expect(body["max_tokens"] == 256 && body["temperature"] == 0 && body["seed"] == 5)
            #expect(body["max_completion_tokens"] == nil)
        }
    }

    @Test func perEndpointOmissionAndTokenField() async throws {
        try await withStandIn { server in
            var endpoint = Fixtures.endpoint(server)
            endpoint.samplingParameters = [.seed]
            endpoint.tokenLimitField = .maxCompletionTokens
            let (_, bodies) = try await sentBody(endpoint, server: server, options: JudgeOptions(baseSeed: 5))
            let body = try #require(bodies.first)
            #expect(body["temperature"] == nil && body["seed"] == 5)
            #expect(body["max_completion_tokens"] == 256 && body["max_tokens"] == nil)
        }
    }

    @Test func extraBodyIsPassedThroughAndChangesTheRequestKey() async throws {
        try await withStandIn { server in
            var endpoint = Fixtures.endpoint(server)
            let plainKey = JudgeClient(endpoint: endpoint, apiKey: nil).requestKey(image: Fixtures.image(3), checklist: Fixtures.checklist)
            endpoint.extraBody = [
                "guided_decoding_backend": "xgrammar", "options": ["num_ctx": 8192], "top_k": 20,
                "chat_template_kwargs": ["enable_thinking": false],
            ]
            let (outcome, bodies) = try await sentBody(endpoint, server: server)
            #expect(outcome.status == .judged)
            let body = try #require(bodies.first)
            #expect(body["guided_decoding_backend"] == "xgrammar")
            #expect(body["options"] == ["num_ctx": 8192])
            #expect(body["top_k"] == 20)
            #expect(body["chat_template_kwargs"] == ["enable_thinking": false])
            #expect(body["response_format"]?["type"] == "json_schema")
            #expect(outcome.requestKey != plainKey)
        }
    }
}
