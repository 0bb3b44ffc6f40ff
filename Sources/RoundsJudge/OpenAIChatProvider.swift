import RoundsCore

/// OpenAI Chat Completions (`POST {base}/chat/completions`), which vLLM, Ollama, llama.cpp server and
/// LiteLLM also speak.
///
/// Images go as `image_url` parts with `data:` URLs (Ollama accepts nothing else) and the endpoint's
/// `detail`. With `supportsJSONSchema` the answer is constrained by `response_format` json_schema with
/// `strict: true`. The token limit goes as `max_tokens` or, for reasoning models, `max_completion_tokens`;
/// `temperature` and `seed` only when the endpoint sends them (`sampling_parameters`); `extra_body`
/// adds server options (vLLM's guided decoding, Ollama's `options`, llama.cpp's `grammar`). An
/// Azure-style endpoint (`apiVersion` set) gets `?api-version=` and an `api-key` header instead of
/// `Authorization: Bearer`.
public struct OpenAIChatProvider: JudgeProvider {
    public init() {}

    public func body(for request: JudgeRequest, endpoint: EndpointConfig, imageData: (JudgeImage) -> String) -> JSONValue {
        var messages: [JSONValue] = []
        if !request.system.isEmpty { messages.append(["role": "system", "content": .string(request.system)]) }
        var parts: [JSONValue] = request.images.map { image in
            [
                "type": "image_url",
                "image_url": [
                    "url": .string("data:\(image.mediaType);base64,\(imageData(image))"),
                    "detail": .string(endpoint.detail.rawValue),
                ],
            ]
        }
        parts.append(["type": "text", "text": .string(request.user)])
        messages.append(["role": "user", "content": .array(parts)])
        // The repair turn repeats the first turn, images included: the model must see what it is asked about.
        if let repair = request.repair {
            messages.append(["role": "assistant", "content": .string(repair.previousAnswer)])
            messages.append(["role": "user", "content": .string(repair.instruction)])
        }
        var body: [String: JSONValue] = [
            "model": .string(endpoint.model),
            "messages": .array(messages),
            endpoint.sentTokenLimitField.rawValue: .number(Double(request.sampling.maxTokens)),
        ]
        if let t = request.sampling.temperature { body["temperature"] = .number(t) }
        if let s = request.sampling.seed { body["seed"] = .number(Double(s)) }
        if endpoint.supportsJSONSchema, let schema = request.schema {
            body["response_format"] = [
                "type": "json_schema",
                "json_schema": ["name": .string(request.schemaName), "schema": schema, "strict": true],
            ]
        }
        endpoint.applyingExtraBody(to: &body)
        return .object(body)
    }

    public func httpRequest(body: [UInt8], endpoint: EndpointConfig, apiKey: APIKey?) -> HTTPRequestData {
        let base = endpoint.baseURL.hasSuffix("/") ? String(endpoint.baseURL.dropLast()) : endpoint.baseURL
        var url = base + "/chat/completions"
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if let version = endpoint.apiVersion {
            url += "?api-version=" + (version.addingPercentEncodingForQuery())
            if let key = apiKey { headers.append(("api-key", key.value)) }
        } else if let key = apiKey {
            headers.append(("Authorization", "Bearer " + key.value))
        }
        return HTTPRequestData(
            url: url, headers: headers, body: body, connectTimeout: endpoint.connectTimeout,
            totalTimeout: endpoint.requestTimeout)
    }

    public func parseResponse(_ response: HTTPResponseData, url: String) throws -> JudgeResponse {
        let raw = response.bodyText
        let reader = ResponseReader(url: url)
        guard let json = try? JSONValue(parsing: raw) else { throw reader.fail("not JSON", raw) }
        guard let choice = json["choices"]?.arrayValue?.first else { throw reader.fail("no choices[0]", raw) }
        guard let message = choice["message"], message.objectValue != nil else {
            throw reader.fail("choices[0].message missing", raw)
        }
        let text: String
        switch message["content"] {
        case .string(let s)?: text = s
        case .array(let parts)?: text = parts.compactMap { $0["text"]?.stringValue }.joined()
        case .null?, nil: text = ""
        default: throw reader.fail("choices[0].message.content is neither text nor parts", raw)
        }
        let refusal = message["refusal"]?.stringValue
        let finish: FinishReason
        switch choice["finish_reason"]?.stringValue {
        case "stop"?, nil: finish = .stop
        case "length"?: finish = .length
        case "content_filter"?: finish = .refusal
        case "tool_calls"?, "function_call"?: finish = .toolUse
        default: finish = .other
        }
        let usage = TokenUsage(
            untrustedInput: json["usage"]?["prompt_tokens"], output: json["usage"]?["completion_tokens"])
        return JudgeResponse(
            text: text, refusal: refusal, finishReason: finish, usage: usage, model: json["model"]?.stringValue,
            rawBody: raw)
    }

    public func parseError(_ response: HTTPResponseData) -> ProviderErrorBody { ProviderErrorBody.parse(response.body) }
}

extension String {
    func addingPercentEncodingForQuery() -> String {
        var out = ""
        for b in utf8 {
            let c = Character(Unicode.Scalar(b))
            if c.isLetter && b < 128 || c.isNumber && b < 128 || "-._~".contains(c) {
                out.append(c)
            } else {
                out += "%" + String(b, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    fileprivate func leftPadded(to n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
