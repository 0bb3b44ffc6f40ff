import Foundation
import RoundsCore

/// Which wire protocol an endpoint speaks.
public enum ProviderKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// OpenAI Chat Completions; also vLLM, Ollama, llama.cpp server, LiteLLM and Azure OpenAI.
    case openai
    /// Anthropic Messages.
    case anthropic
}

/// OpenAI's image `detail`: how many tiles the model looks at.
public enum ImageDetail: String, Sendable, Hashable, CaseIterable, Codable {
    case low, high, auto
}

/// One judge endpoint: where it is, which model, its limits and prices.
///
/// The key itself is never part of the configuration: only the name of the environment variable that
/// holds it. `description` shows that name, never a value.
public struct EndpointConfig: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var provider: ProviderKind
    /// API root including its version path, e.g. `http://127.0.0.1:8000/v1`.
    public var baseURL: String
    public var model: String
    /// Environment variable holding the API key; nil for endpoints without keys (local servers).
    public var apiKeyEnv: String?
    public var maxInFlight: Int
    public var requestsPerMinute: Double?
    public var tokensPerMinute: Double?
    /// USD per input and per output token.
    public var inputPricePerToken: Double
    public var outputPricePerToken: Double
    /// Whether images of origin `real` may go to this endpoint when it is off loopback.
    public var allowRealImages: Bool
    /// Whether to send `response_format` json_schema (OpenAI) or force a tool (Anthropic).
    public var supportsJSONSchema: Bool
    public var detail: ImageDetail
    /// Long edge the caller resizes images to before sending; nil keeps the size.
    public var maxLongEdge: Int?
    /// OpenAI provider: an Azure-style deployment, sent as `?api-version=` with the key in an `api-key`
    /// header. Anthropic provider: the `anthropic-version` header (default `defaultAnthropicVersion`).
    public var apiVersion: String?
    public var connectTimeout: Double
    public var requestTimeout: Double
    public var maxTokens: Int
    /// The sampling parameters to send; nil for the provider's default (`sentSamplingParameters`).
    public var samplingParameters: Set<SamplingParameter>?
    /// The token-limit field to send; nil for the default for the model (`sentTokenLimitField`).
    public var tokenLimitField: TokenLimitField?
    /// Top-level body fields added as they are: server options such as vLLM's `guided_json`, Ollama's
    /// `options`, llama.cpp's `grammar`, Anthropic's `thinking`.
    public var extraBody: [String: JSONValue]

    public init(
        name: String, provider: ProviderKind, baseURL: String, model: String, apiKeyEnv: String? = nil,
        maxInFlight: Int = 8, requestsPerMinute: Double? = nil, tokensPerMinute: Double? = nil,
        inputPricePerToken: Double = 0, outputPricePerToken: Double = 0, allowRealImages: Bool = false,
        supportsJSONSchema: Bool = true, detail: ImageDetail = .auto, maxLongEdge: Int? = 1024,
        apiVersion: String? = nil, connectTimeout: Double = 10, requestTimeout: Double = 120, maxTokens: Int = 1024,
        samplingParameters: Set<SamplingParameter>? = nil, tokenLimitField: TokenLimitField? = nil,
        extraBody: [String: JSONValue] = [:]
    ) {
        self.name = name
        self.provider = provider
        self.baseURL = baseURL
        self.model = model
        self.apiKeyEnv = apiKeyEnv
        self.maxInFlight = maxInFlight
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.inputPricePerToken = inputPricePerToken
        self.outputPricePerToken = outputPricePerToken
        self.allowRealImages = allowRealImages
        self.supportsJSONSchema = supportsJSONSchema
        self.detail = detail
        self.maxLongEdge = maxLongEdge
        self.apiVersion = apiVersion
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.maxTokens = maxTokens
        self.samplingParameters = samplingParameters
        self.tokenLimitField = tokenLimitField
        self.extraBody = extraBody
    }

    /// An endpoint from the ad hoc flags `--base-url URL --model M --provider P [--api-key-env VAR]
    /// [--allow-real-images]`.
    ///
    /// - Throws: `JudgeError.invalidConfig` naming the flag when the URL is not http(s) or the model is empty.
    public static func adHoc(
        baseURL: String, model: String, provider: ProviderKind, apiKeyEnv: String? = nil,
        allowRealImages: Bool = false
    ) throws -> EndpointConfig {
        try validateBaseURL(baseURL, field: "--base-url")
        guard !model.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw JudgeError(.invalidConfig, "--model: expected a model name, got an empty string")
        }
        if let env = apiKeyEnv { try validateEnvName(env, field: "--api-key-env") }
        let defaultEnv = provider == .anthropic ? "ANTHROPIC_API_KEY" : nil
        return EndpointConfig(
            name: "ad-hoc", provider: provider, baseURL: baseURL, model: model, apiKeyEnv: apiKeyEnv ?? defaultEnv,
            allowRealImages: allowRealImages)
    }

    /// Reads the key from the environment.
    ///
    /// - Returns: nil when the endpoint names no variable.
    /// - Throws: `JudgeError.missingAPIKey` naming the variable (never a value) when it is unset or empty.
    public func apiKey(from environment: [String: String] = ProcessInfo.processInfo.environment) throws -> APIKey? {
        guard let env = apiKeyEnv else { return nil }
        guard let value = environment[env], !value.isEmpty else {
            throw JudgeError(.missingAPIKey, "endpoint '\(name)': environment variable \(env) is not set (it should hold the API key)")
        }
        return APIKey(value)
    }

    /// Estimated USD for a number of tokens.
    public func cost(of usage: TokenUsage) -> Double {
        Double(usage.input) * inputPricePerToken + Double(usage.output) * outputPricePerToken
    }

    public var description: String {
        "endpoint \(name) (\(provider.rawValue) \(baseURL), model \(model), key from \(apiKeyEnv.map { "$" + $0 } ?? "none"))"
    }

    /// An http(s) URL with a host, no query, fragment or credentials, and nothing libcurl would refuse
    /// later (`curl 3`, "URL using bad/illegal format"): no spaces, tabs or other control characters,
    /// no `@` (a user name or password in the URL would be stored with every run and sent in the clear;
    /// keys come from `api_key_env`).
    static func validateBaseURL(_ text: String, field: String) throws {
        if let bad = text.unicodeScalars.first(where: { $0.value <= 0x20 || $0.value == 0x7F || $0.properties.isWhitespace }) {
            let name = bad == " " ? "a space" : (bad == "\t" ? "a tab" : String(format: "the control character U+%04X", bad.value))
            throw JudgeError(.invalidConfig, "\(field): the base URL contains \(name) ('\(text.debugDescription.dropFirst().dropLast())'); "
                + "remove it or percent-encode it")
        }
        if text.contains("@") {
            throw JudgeError(.invalidConfig, "\(field): the base URL must not contain '@' (user names and passwords do not belong "
                + "in it; the key comes from api_key_env / --api-key-env); the URL is not repeated here in case it holds one")
        }
        if text.contains("#") {
            throw JudgeError(.invalidConfig, "\(field): the base URL must not have a fragment ('#'), got '\(text)'")
        }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host, !host.isEmpty
        else {
            throw JudgeError(.invalidConfig, "\(field): expected an http(s) URL such as http://127.0.0.1:8000/v1, got '\(text)'")
        }
        if url.query != nil {
            throw JudgeError(.invalidConfig, "\(field): the base URL must not have a query ('\(text)'); use api_version for Azure")
        }
    }

    static func validateEnvName(_ text: String, field: String) throws {
        let ok = !text.isEmpty && text.utf8.allSatisfy { c in
            (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 95
        } && !(text.first!.isNumber)
        guard ok else {
            throw JudgeError(.invalidConfig, "\(field): expected the NAME of an environment variable (letters, digits, _), got a value that is not one")
        }
    }
}

/// An API key. Its `description`, `debugDescription` and reflection never show the value.
public struct APIKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret, for building request headers only.
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "<redacted API key>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
