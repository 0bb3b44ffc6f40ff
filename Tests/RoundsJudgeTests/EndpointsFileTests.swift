import RoundsCore
import RoundsJudge
import Testing

@Suite struct EndpointsFileTests {
    @Test func readsEveryField() throws {
        let yaml = """
            endpoints:
              - name: local
                provider: openai
                base_url: http://127.0.0.1:8000/v1
                model: qwen-vl
              - name: claude
                provider: anthropic
                base_url: https://api.anthropic.com/v1
                model: claude-x
                api_key_env: ANTHROPIC_API_KEY
                max_in_flight: 4
                requests_per_minute: 50
                tokens_per_minute: 40000
                price_per_input_token: 0.000003
                price_per_output_token: 0.000015
                allow_real_images: true
                supports_json_schema: false
                detail: high
                max_long_edge: 768
                request_timeout: 60
            """
        let endpoints = try EndpointsFile.parse(yaml, path: "endpoints.yaml")
        #expect(endpoints.map(\.name) == ["local", "claude"])
        #expect(endpoints[0].maxInFlight == 8 && endpoints[0].apiKeyEnv == nil && !endpoints[0].allowRealImages)
        let c = endpoints[1]
        #expect(c.provider == .anthropic && c.maxInFlight == 4 && c.requestsPerMinute == 50 && c.tokensPerMinute == 40000)
        #expect(c.allowRealImages && !c.supportsJSONSchema && c.detail == .high && c.maxLongEdge == 768 && c.requestTimeout == 60)
        #expect(abs(c.cost(of: TokenUsage(input: 1000, output: 100)) - 0.0045) < 1e-12)
        #expect(try EndpointsFile.find("claude", in: endpoints, path: "endpoints.yaml").model == "claude-x")
        let missing = #expect(throws: JudgeError.self) { try EndpointsFile.find("claud", in: endpoints, path: "endpoints.yaml") }
        #expect(missing?.message.contains("did you mean claude") == true)
    }

    @Test(arguments: [
        ("endpoints:\n  - name: a\n    provider: openia\n    base_url: http://h/v1\n    model: m\n",
         "e.yaml:3:15: endpoints[0].provider: expected openai or anthropic, got 'openia'"),
        ("endpoints:\n  - name: a\n    provider: openai\n    base_url: ftp://h/v1\n    model: m\n",
         "e.yaml:4:15: endpoints[0].base_url: expected an http(s) URL"),
        ("endpoints:\n  - name: a\n    provider: openai\n    base_url: http://h/v1\n",
         "e.yaml:2:5: endpoints[0].model: missing (required)"),
        ("endpoints:\n  - name: a\n    provider: openai\n    base_url: http://h/v1\n    model: m\n    max_in_flight: many\n",
         "e.yaml:6:20: endpoints[0].max_in_flight: expected a whole number ≥ 1, got 'many'"),
        ("endpoints:\n  - name: a\n    provider: openai\n    base_url: http://h/v1\n    model: m\n    modle: x\n",
         "e.yaml:6:5: endpoints[0].modle: unknown field (did you mean model?)"),
        ("endpoints:\n  - name: a\n    provider: openai\n    base_url: http://h/v1\n    model: m\n    allow_real_images: maybe\n",
         "e.yaml:6:24: endpoints[0].allow_real_images: expected true or false, got 'maybe'"),
        ("endpoints:\n  - name: a\n    provider: openai\n    base_url: http://h/v1\n    model: m\n  - name: a\n    provider: openai\n    base_url: http://h/v1\n    model: m\n",
         "e.yaml:6:5: endpoints[1].name: duplicate name 'a' (first at line 2)"),
        ("endpoints:\n  - name: a\n    provider: openai\n    base_url: http://h/v1\n    model: m\n    api_key: sk-live-123456789\n",
         "e.yaml:6:5: endpoints[0].api_key: keys are never written in files"),
        ("endpoints:\n  - name: a\n    provider: openai\n    base_url: http://h /v1\n    model: m\n",
         "e.yaml:4:15: endpoints[0].base_url: the base URL contains a space"),
        ("endpoints:\n  - name: a\n    provider: openai\n    base_url: \"http://h\\t/v1\"\n    model: m\n",
         "e.yaml:4:15: endpoints[0].base_url: the base URL contains a tab"),
        ("endpoints:\n  - name: a\n    provider: openai\n    base_url: http://u:sk-live-123456789@x@h/v1\n    model: m\n",
         "e.yaml:4:15: endpoints[0].base_url: the base URL must not contain '@'"),
        ("endpoints: 3\n", "e.yaml:1:12: endpoints: expected a list of endpoints, got '3'"),
        ("endpoints:\n  - name: a\n    provider: openai\n    base_url: http://h/v1\n    model: m\n    sampling_parameters: temperature\n", "e.yaml:6:26: endpoints[0].sampling_parameters: expected a list"),
        ("endpoints:\n  - name: a\n    provider: openai\n    base_url: http://h/v1\n    model: m\n    sampling_parameters: [temperature, top_q]\n", "e.yaml:6:40: endpoints[0].sampling_parameters: expected temperature or seed, got 'top_q'"),
        ("endpoints:\n  - name: a\n    provider: anthropic\n    base_url: http://h/v1\n    model: m\n    sampling_parameters: [seed]\n", "e.yaml:6:27: endpoints[0].sampling_parameters: Anthropic's Messages API has no seed"),
        ("endpoints:\n  - name: a\n    provider: openai\n    base_url: http://h/v1\n    model: m\n    max_tokens_field: max_new_tokens\n", "e.yaml:6:23: endpoints[0].max_tokens_field: expected max_tokens or max_completion_tokens, got 'max_new_tokens'"),
        ("endpoints:\n  - name: a\n    provider: anthropic\n    base_url: http://h/v1\n    model: m\n    max_tokens_field: max_completion_tokens\n", "e.yaml:6:23: endpoints[0].max_tokens_field: Anthropic's Messages API takes max_tokens only"),
        ("endpoints:\n  - name: a\n    provider: openai\n    base_url: http://h/v1\n    model: m\n    extra_body: [1, 2]\n", "e.yaml:6:17: endpoints[0].extra_body: expected a mapping of body fields, got a list"),
        ("endpoints:\n  - name: a\n    provider: openai\n    base_url: http://h/v1\n    model: m\n    extra_body:\n      model: other\n", "e.yaml:7:7: endpoints[0].extra_body.model: Rounds builds 'model' itself"),
        ("endpoints:\n  - name: a\n    provider: openai\n    base_url: http://h/v1\n    model: m\n    extra_body:\n      stream: true\n", "e.yaml:7:7: endpoints[0].extra_body.stream: Rounds builds 'stream' itself"),
        ("endpoints:\n  - name: a\n    provider: openai\n    base_url: http://h/v1\n    model: m\n    extra_body:\n      options: {x: .inf}\n", "e.yaml:7:20: endpoints[0].extra_body.options.x: expected a finite number"),
        ("endpoints:\n  - name: [a\n", "e.yaml: line"),
        ("", "e.yaml: the file is empty"),
    ])
    func badEntriesNameFileLineAndField(yaml: String, expected: String) {
        let error = #expect(throws: JudgeError.self) { try EndpointsFile.parse(yaml, path: "e.yaml") }
        #expect(error?.message.hasPrefix(expected) == true, "\(error?.message ?? "no error")")
        #expect(error?.message.contains("sk-live-123456789") == false)
    }

    @Test func readsRequestSettingsWithProviderDefaults() throws {
        let yaml = """
            endpoints:
              - name: vllm
                provider: openai
                base_url: http://127.0.0.1:8000/v1
                model: Qwen/Qwen2.5-VL-7B-Instruct
                sampling_parameters: []
                max_tokens_field: max_completion_tokens
                extra_body:
                  guided_decoding_backend: xgrammar
                  top_k: 20
                  repetition_penalty: 1.05
                  skip_special_tokens: false
                  stop: ["</answer>", "'quoted'"]
                  tag: "20"
                  nothing: null
                  chat_template_kwargs: {enable_thinking: false}
              - name: o3
                provider: openai
                base_url: https://api.openai.com/v1
                model: o3
              - name: claude
                provider: anthropic
                base_url: https://api.anthropic.com/v1
                model: claude-opus-4-5
                api_version: 2025-01-01
                sampling_parameters: [temperature]
                extra_body:
                  thinking: {type: enabled, budget_tokens: 2048}
              - name: claude-default
                provider: anthropic
                base_url: https://api.anthropic.com/v1
                model: claude-sonnet-4-5
            """
        let e = try EndpointsFile.parse(yaml, path: "endpoints.yaml")
        #expect(e[0].sentSamplingParameters.isEmpty && e[0].sentTokenLimitField == .maxCompletionTokens)
        #expect(e[0].extraBody == [
            "guided_decoding_backend": "xgrammar", "top_k": 20, "repetition_penalty": 1.05, "skip_special_tokens": false,
            "stop": ["</answer>", "'quoted'"], "tag": "20", "nothing": .null, "chat_template_kwargs": ["enable_thinking": false],
        ])
        #expect(e[1].sentSamplingParameters.isEmpty && e[1].sentTokenLimitField == .maxCompletionTokens && e[1].extraBody.isEmpty)
        #expect(e[2].anthropicVersion == "2025-01-01" && e[2].sentSamplingParameters == [.temperature] && e[2].thinkingEnabled)
        #expect(e[3].anthropicVersion == "2026-10-21" && e[3].sentSamplingParameters.isEmpty && !e[3].thinkingEnabled)
        #expect(e[3].sentTokenLimitField == .maxTokens)
    }

    @Test func adHocFlagsAreChecked() throws {
        let e = try EndpointConfig.adHoc(baseURL: "http://127.0.0.1:8000/v1", model: "m", provider: .anthropic)
        #expect(e.apiKeyEnv == "ANTHROPIC_API_KEY")
        let badURL = #expect(throws: JudgeError.self) {
            try EndpointConfig.adHoc(baseURL: "127.0.0.1:8000", model: "m", provider: .openai)
        }
        #expect(badURL?.message.hasPrefix("--base-url: expected an http(s) URL") == true)
        let keyAsName = #expect(throws: JudgeError.self) {
            try EndpointConfig.adHoc(baseURL: "http://h/v1", model: "m", provider: .openai, apiKeyEnv: "sk-abc-123.xyz")
        }
        #expect(keyAsName?.message.contains("sk-abc-123.xyz") == false)
        #expect(throws: JudgeError.self) { try EndpointConfig.adHoc(baseURL: "http://h/v1", model: " ", provider: .openai) }
        for bad in ["http://127.0.0.1:8000/v1 ", "http://127.0.0.1:8000/\tv1", "http://a@b@127.0.0.1/v1", "http://h/v1#x"] {
            let error = #expect(throws: JudgeError.self) { try EndpointConfig.adHoc(baseURL: bad, model: "m", provider: .openai) }
            #expect(error?.message.hasPrefix("--base-url: ") == true, "\(bad): \(error?.message ?? "accepted")")
        }
    }
}
