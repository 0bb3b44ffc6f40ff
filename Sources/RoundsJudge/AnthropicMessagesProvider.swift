import RoundsCore

/// Anthropic Messages (`POST {base}/messages`, `x-api-key`, `anthropic-version` from the endpoint's
/// `api_version`, by default the one the official SDK sends).
///
/// Images go as base64 blocks (no `data:` prefix) before the text. Structured output is a forced tool
/// whose `input_schema` is the verdict schema; the tool's input comes back as the answer text. With
/// extended thinking on (`extra_body.thinking`) the API refuses a forced tool, so the tool is offered
/// with `tool_choice: auto` and the prompt's instructions carry the format: the answer is read from the
/// tool input or, failing that, parsed from the text. `temperature` goes only when the endpoint's
/// `sampling_parameters` name it (current models refuse it); there is no seed in this API.
public struct AnthropicMessagesProvider: JudgeProvider {
    public init() {}

    public func body(for request: JudgeRequest, endpoint: EndpointConfig, imageData: (JudgeImage) -> String) -> JSONValue {
        var messages: [JSONValue] = []
        var blocks: [JSONValue] = request.images.map { image in
            [
                "type": "image",
                "source": ["type": "base64", "media_type": .string(image.mediaType), "data": .string(imageData(image))],
            ]
        }
        blocks.append(["type": "text", "text": .string(request.user)])
        messages.append(["role": "user", "content": .array(blocks)])
        // The repair turn repeats the first turn, images included: the model must see what it is asked about.
        if let repair = request.repair {
            messages.append(["role": "assistant", "content": .string(repair.previousAnswer)])
            messages.append(["role": "user", "content": .string(repair.instruction)])
        }
        var body: [String: JSONValue] = [
            "model": .string(endpoint.model),
            "max_tokens": .number(Double(request.sampling.maxTokens)),
            "messages": .array(messages),
        ]
        if !request.system.isEmpty { body["system"] = .string(request.system) }
        if let t = request.sampling.temperature { body["temperature"] = .number(min(t, 1)) }
        if endpoint.supportsJSONSchema, let schema = request.schema {
            body["tools"] = [
                [
                    "name": .string(request.schemaName),
                    "description": "Record the verdict and evidence for every criterion of the checklist.",
                    "input_schema": schema,
                ]
            ]
            let forced: JSONValue = ["type": "tool", "name": .string(request.schemaName)]
            let offered: JSONValue = ["type": "auto"]
            body["tool_choice"] = endpoint.thinkingEnabled ? offered : forced
        }
        endpoint.applyingExtraBody(to: &body)
        return .object(body)
    }

    public func httpRequest(body: [UInt8], endpoint: EndpointConfig, apiKey: APIKey?) -> HTTPRequestData {
        let base = endpoint.baseURL.hasSuffix("/") ? String(endpoint.baseURL.dropLast()) : endpoint.baseURL
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"), ("anthropic-version", endpoint.anthropicVersion),
        ]
        if let key = apiKey { headers.append(("x-api-key", key.value)) }
        return HTTPRequestData(
            url: base + "/messages", headers: headers, body: body, connectTimeout: endpoint.connectTimeout,
            totalTimeout: endpoint.requestTimeout)
    }

    public func parseResponse(_ response: HTTPResponseData, url: String) throws -> JudgeResponse {
        let raw = response.bodyText
        let reader = ResponseReader(url: url)
        guard let json = try? JSONValue(parsing: raw) else { throw reader.fail("not JSON", raw) }
        guard let content = json["content"]?.arrayValue else { throw reader.fail("no content array", raw) }
        var texts: [String] = []
        var toolInput: JSONValue?
        for block in content {
            switch block["type"]?.stringValue {
            case "text"?: texts.append(block["text"]?.stringValue ?? "")
            case "tool_use"?: toolInput = block["input"]
            default: continue
            }
        }
        let finish: FinishReason
        switch json["stop_reason"]?.stringValue {
        case "end_turn"?, "stop_sequence"?, nil: finish = .stop
        case "max_tokens"?: finish = .length
        case "refusal"?: finish = .refusal
        case "tool_use"?: finish = .toolUse
        default: finish = .other
        }
        let text = toolInput?.canonicalString ?? texts.joined()
        let usage = TokenUsage(untrustedInput: json["usage"]?["input_tokens"], output: json["usage"]?["output_tokens"])
        return JudgeResponse(
            text: text, refusal: finish == .refusal ? (texts.joined().isEmpty ? "refused" : texts.joined()) : nil,
            finishReason: finish, usage: usage, model: json["model"]?.stringValue, rawBody: raw)
    }

    public func parseError(_ response: HTTPResponseData) -> ProviderErrorBody { ProviderErrorBody.parse(response.body) }
}
