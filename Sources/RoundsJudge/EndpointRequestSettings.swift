import RoundsCore

/// A sampling parameter Rounds can put into a request body.
public enum SamplingParameter: String, Sendable, Hashable, CaseIterable, Codable {
    case temperature
    case seed
}

/// The body field that carries the answer's token limit.
public enum TokenLimitField: String, Sendable, Hashable, CaseIterable, Codable {
    /// `max_tokens`: Anthropic, and OpenAI-compatible servers (vLLM, Ollama, llama.cpp, LiteLLM).
    case maxTokens = "max_tokens"
    /// `max_completion_tokens`: OpenAI's reasoning models (o-series, GPT-5 family) refuse `max_tokens`.
    case maxCompletionTokens = "max_completion_tokens"
}

extension EndpointConfig {
    /// The `anthropic-version` the official Anthropic SDK sends today (anthropic 2.17).
    public static let defaultAnthropicVersion = "2026-10-21"

    /// Body keys Rounds builds itself and `extra_body` may not replace: the model and the conversation
    /// are what the request key and the verdict parser rely on, and Rounds reads no streams.
    public static let reservedBodyKeys: Set<String> = ["model", "messages", "stream", "system"]

    /// Whether the model is one of OpenAI's reasoning models, which refuse `max_tokens`, `temperature`
    /// and the other sampling parameters (o1, o3, o4-mini, gpt-5, gpt-5-mini, …).
    public static func isOpenAIReasoningModel(_ model: String) -> Bool {
        let name = (model.split(separator: "/").last.map(String.init) ?? model).lowercased()
        if name.hasPrefix("gpt-5") { return !name.hasPrefix("gpt-5-chat") }
        guard name.first == "o", name.count >= 2 else { return false }
        return name.dropFirst().first!.isNumber
    }

    /// The sampling parameters this endpoint's requests carry: those the configuration names, else the
    /// provider's default. Anthropic gets none by default (current Claude models refuse `temperature`
    /// and the API has no seed), OpenAI's reasoning models none, other OpenAI-compatible endpoints both.
    public var sentSamplingParameters: Set<SamplingParameter> {
        if let configured = samplingParameters { return configured }
        switch provider {
        case .anthropic: return []
        case .openai: return Self.isOpenAIReasoningModel(model) ? [] : [.temperature, .seed]
        }
    }

    /// The token-limit field of this endpoint's requests: the configured one, else
    /// `max_completion_tokens` for OpenAI's reasoning models and `max_tokens` for everything else.
    public var sentTokenLimitField: TokenLimitField {
        if let configured = tokenLimitField { return configured }
        return provider == .openai && Self.isOpenAIReasoningModel(model) ? .maxCompletionTokens : .maxTokens
    }

    /// The `anthropic-version` header of an Anthropic endpoint: `api_version`, else the SDK's current one.
    public var anthropicVersion: String { apiVersion ?? Self.defaultAnthropicVersion }

    /// Whether Anthropic extended thinking is switched on through `extra_body` (`thinking.type` other
    /// than `disabled`): such requests refuse a forced `tool_choice`.
    public var thinkingEnabled: Bool {
        guard let type = extraBody["thinking"]?["type"]?.stringValue else { return false }
        return type != "disabled"
    }

    /// A request's sampling as this endpoint sends it: the parameters it does not send are nil, so the
    /// body leaves them out and the stored outcome does not claim them.
    func sampling(temperature: Double, seed: Int) -> SamplingParameters {
        let sent = sentSamplingParameters
        return SamplingParameters(
            temperature: sent.contains(.temperature) ? temperature : nil, seed: sent.contains(.seed) ? seed : nil,
            maxTokens: maxTokens)
    }

    /// A run's stored parameters with the request settings that shape every body: which sampling
    /// parameters and token-limit field were sent, the API version and `extra_body`.
    func withRequestSettings(_ parameters: [String: JSONValue]) -> JSONValue {
        var all = parameters
        all["sampling_parameters"] = .array(sentSamplingParameters.map(\.rawValue).sorted().map(JSONValue.string))
        all["token_limit_field"] = .string(sentTokenLimitField.rawValue)
        if provider == .anthropic { all["anthropic_version"] = .string(anthropicVersion) }
        if !extraBody.isEmpty { all["extra_body"] = .object(extraBody) }
        return .object(all)
    }

    /// Adds `extra_body` to a body Rounds built; `extra_body` wins over Rounds' own optional keys (as the
    /// official SDKs' `extra_body` does), never over the reserved ones (refused when the file is read).
    func applyingExtraBody(to body: inout [String: JSONValue]) {
        for (key, value) in extraBody where !Self.reservedBodyKeys.contains(key) { body[key] = value }
    }
}
