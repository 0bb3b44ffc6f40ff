import Foundation
import RoundsCore
import Yams

/// Reads `endpoints.yaml`: a list of judge endpoints under `endpoints:`.
///
/// ```yaml
/// endpoints:
///   - name: local-vllm
///     provider: openai            # openai | anthropic
///     base_url: http://127.0.0.1:8000/v1
///     model: Qwen/Qwen2.5-VL-7B-Instruct
///     api_key_env: VLLM_KEY        # optional; the NAME of a variable, never the key
///     max_in_flight: 16
///     requests_per_minute: 600
///     tokens_per_minute: 200000
///     price_per_input_token: 0
///     price_per_output_token: 0
///     allow_real_images: false
///     supports_json_schema: true
///     detail: low                  # low | high | auto
///     max_long_edge: 1024
///     api_version: 2024-10-21      # openai: Azure-style deployments only; anthropic: anthropic-version
///     connect_timeout: 10          # seconds
///     request_timeout: 120
///     max_tokens: 1024
///     max_tokens_field: max_tokens # or max_completion_tokens (OpenAI reasoning models)
///     sampling_parameters: [temperature, seed]   # what to send; [] for none
///     extra_body:                  # added to every body as is
///       guided_decoding_backend: xgrammar
/// ```
/// Defaults that depend on the provider and model: Anthropic sends no sampling parameter and
/// `anthropic-version: 2026-10-21`; OpenAI's reasoning models (o-series, GPT-5) send none and use
/// `max_completion_tokens`; other OpenAI-compatible endpoints send `temperature` and `seed`.
/// Every problem is reported as `path:line:column: endpoints[i].field: expected …, got …`.
public enum EndpointsFile {
    static let knownKeys = [
        "name", "provider", "base_url", "model", "api_key_env", "max_in_flight", "requests_per_minute",
        "tokens_per_minute", "price_per_input_token", "price_per_output_token", "allow_real_images",
        "supports_json_schema", "detail", "max_long_edge", "api_version", "connect_timeout", "request_timeout",
        "max_tokens", "max_tokens_field", "sampling_parameters", "extra_body",
    ]

    public static func load(path: String) throws -> [EndpointConfig] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw JudgeError(.invalidConfig, "\(path): cannot read endpoints file", cause: error)
        }
        return try parse(text, path: path)
    }

    public static func parse(_ text: String, path: String) throws -> [EndpointConfig] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw JudgeError(.invalidConfig, "\(path): \(describe(error))")
        } catch {
            throw JudgeError(.invalidConfig, "\(path): not valid YAML", cause: error)
        }
        guard let root else { throw JudgeError(.invalidConfig, "\(path): the file is empty; expected 'endpoints:' with a list") }
        let list: Node
        if let mapping = root.mapping {
            guard let e = mapping["endpoints"] else {
                throw problem(path, root, "top level", "expected an 'endpoints:' key")
            }
            list = e
        } else {
            list = root
        }
        guard let items = list.sequence else {
            throw problem(path, list, "endpoints", "expected a list of endpoints, got \(kind(of: list))")
        }
        var endpoints: [EndpointConfig] = []
        var firstLine: [String: Int] = [:]
        for (i, item) in items.enumerated() {
            let endpoint = try parseEndpoint(item, index: i, path: path)
            if let line = firstLine[endpoint.name] {
                throw problem(path, item, "endpoints[\(i)].name", "duplicate name '\(endpoint.name)' (first at line \(line))")
            }
            firstLine[endpoint.name] = item.mark?.line ?? 0
            endpoints.append(endpoint)
        }
        return endpoints
    }

    /// The endpoint named `name`, or an error listing the known names.
    public static func find(_ name: String, in endpoints: [EndpointConfig], path: String) throws -> EndpointConfig {
        if let e = endpoints.first(where: { $0.name == name }) { return e }
        let names = endpoints.map(\.name)
        let close = names.filter { EditDistance.levenshtein($0, name) <= 2 }
        let hint = close.isEmpty ? "" : " (did you mean \(close.joined(separator: " or "))?)"
        throw JudgeError(.invalidConfig, "\(path): no endpoint named '\(name)'\(hint); known: \(names.joined(separator: ", "))")
    }

    private static func parseEndpoint(_ node: Node, index i: Int, path: String) throws -> EndpointConfig {
        guard let mapping = node.mapping else {
            throw problem(path, node, "endpoints[\(i)]", "expected a mapping of fields, got \(kind(of: node))")
        }
        var fields: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else { throw problem(path, keyNode, "endpoints[\(i)]", "expected a text key") }
            if key == "api_key" {
                throw problem(path, keyNode, "endpoints[\(i)].api_key",
                              "keys are never written in files; put the key in an environment variable and name it with api_key_env")
            }
            guard knownKeys.contains(key) else {
                let close = knownKeys.filter { EditDistance.levenshtein($0, key) <= 3 }
                let hint = close.isEmpty ? "" : " (did you mean \(close.joined(separator: " or "))?)"
                throw problem(path, keyNode, "endpoints[\(i)].\(key)", "unknown field\(hint)")
            }
            fields[key] = value
        }
        let r = FieldReader(path: path, prefix: "endpoints[\(i)]", fields: fields, node: node)
        let name = try r.string("name", required: true)!
        let providerText = try r.string("provider", required: true)!
        guard let provider = ProviderKind(rawValue: providerText) else {
            throw problem(path, fields["provider"]!, "endpoints[\(i)].provider", "expected openai or anthropic, got '\(providerText)'")
        }
        let baseURL = try r.string("base_url", required: true)!
        do { try EndpointConfig.validateBaseURL(baseURL, field: "base_url") } catch let e as JudgeError {
            throw problem(path, fields["base_url"]!, "endpoints[\(i)].base_url", e.message.replacingOccurrences(of: "base_url: ", with: ""))
        }
        let model = try r.string("model", required: true)!
        let keyEnv = try r.string("api_key_env")
        if let env = keyEnv {
            do { try EndpointConfig.validateEnvName(env, field: "api_key_env") } catch let e as JudgeError {
                throw problem(path, fields["api_key_env"]!, "endpoints[\(i)].api_key_env", e.message.replacingOccurrences(of: "api_key_env: ", with: ""))
            }
        }
        var detail = ImageDetail.auto
        if let d = try r.string("detail") {
            guard let parsed = ImageDetail(rawValue: d) else {
                throw problem(path, fields["detail"]!, "endpoints[\(i)].detail", "expected low, high or auto, got '\(d)'")
            }
            detail = parsed
        }
        let settings = try requestSettings(r, provider: provider, index: i)
        return EndpointConfig(
            name: name, provider: provider, baseURL: baseURL, model: model, apiKeyEnv: keyEnv,
            maxInFlight: try r.int("max_in_flight", min: 1) ?? 8,
            requestsPerMinute: try r.number("requests_per_minute", positive: true),
            tokensPerMinute: try r.number("tokens_per_minute", positive: true),
            inputPricePerToken: try r.number("price_per_input_token") ?? 0,
            outputPricePerToken: try r.number("price_per_output_token") ?? 0,
            allowRealImages: try r.bool("allow_real_images") ?? false,
            supportsJSONSchema: try r.bool("supports_json_schema") ?? true,
            detail: detail,
            maxLongEdge: try r.int("max_long_edge", min: 16) ?? 1024,
            apiVersion: try r.string("api_version"),
            connectTimeout: try r.number("connect_timeout", positive: true) ?? 10,
            requestTimeout: try r.number("request_timeout", positive: true) ?? 120,
            maxTokens: try r.int("max_tokens", min: 16) ?? 1024,
            samplingParameters: settings.sampling, tokenLimitField: settings.tokenField, extraBody: settings.extraBody)
    }

    /// `sampling_parameters`, `max_tokens_field` and `extra_body`, checked against the provider.
    private static func requestSettings(_ r: FieldReader, provider: ProviderKind, index i: Int) throws
        -> (sampling: Set<SamplingParameter>?, tokenField: TokenLimitField?, extraBody: [String: JSONValue])
    {
        let path = r.path
        var sampling: Set<SamplingParameter>?
        if let node = r.fields["sampling_parameters"] {
            guard let items = node.sequence else {
                throw problem(path, node, "endpoints[\(i)].sampling_parameters",
                              "expected a list such as [temperature, seed] or [], got \(kind(of: node))")
            }
            var set = Set<SamplingParameter>()
            for item in items {
                guard let text = item.string, let parameter = SamplingParameter(rawValue: text) else {
                    throw problem(path, item, "endpoints[\(i)].sampling_parameters",
                                  "expected temperature or seed, got \(kind(of: item))")
                }
                if parameter == .seed && provider == .anthropic {
                    throw problem(path, item, "endpoints[\(i)].sampling_parameters",
                                  "Anthropic's Messages API has no seed; only temperature can be sent")
                }
                set.insert(parameter)
            }
            sampling = set
        }
        var tokenField: TokenLimitField?
        if let text = try r.string("max_tokens_field") {
            guard let field = TokenLimitField(rawValue: text) else {
                throw problem(path, r.fields["max_tokens_field"]!, "endpoints[\(i)].max_tokens_field",
                              "expected max_tokens or max_completion_tokens, got '\(text)'")
            }
            if field == .maxCompletionTokens && provider == .anthropic {
                throw problem(path, r.fields["max_tokens_field"]!, "endpoints[\(i)].max_tokens_field",
                              "Anthropic's Messages API takes max_tokens only")
            }
            tokenField = field
        }
        var extraBody: [String: JSONValue] = [:]
        if let node = r.fields["extra_body"] {
            guard let mapping = node.mapping else {
                throw problem(path, node, "endpoints[\(i)].extra_body", "expected a mapping of body fields, got \(kind(of: node))")
            }
            for (keyNode, value) in mapping {
                guard let key = keyNode.string, !key.isEmpty else {
                    throw problem(path, keyNode, "endpoints[\(i)].extra_body", "expected a text key")
                }
                if EndpointConfig.reservedBodyKeys.contains(key) {
                    throw problem(path, keyNode, "endpoints[\(i)].extra_body.\(key)",
                                  "Rounds builds '\(key)' itself; extra_body may not replace "
                                  + EndpointConfig.reservedBodyKeys.sorted().joined(separator: ", "))
                }
                extraBody[key] = try json(value, path: path, field: "endpoints[\(i)].extra_body.\(key)")
            }
        }
        return (sampling, tokenField, extraBody)
    }

    /// A YAML value as JSON: plain scalars by YAML's core schema (null, booleans, numbers), quoted ones
    /// as text, sequences and mappings recursively.
    static func json(_ node: Node, path: String, field: String) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style != .plain { return .string(scalar.string) }
            if ["~", "null", "Null", "NULL"].contains(scalar.string) { return .null }
            if let b = node.bool { return .bool(b) }
            if let n = node.int { return .number(Double(n)) }
            if let d = node.float {
                guard d.isFinite else { throw problem(path, node, field, "expected a finite number, got '\(scalar.string)'") }
                return .number(d)
            }
            return .string(scalar.string)
        case .sequence(let items):
            return .array(try items.enumerated().map { try json($0.element, path: path, field: "\(field)[\($0.offset)]") })
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (keyNode, value) in mapping {
                guard let key = keyNode.string else { throw problem(path, keyNode, field, "expected a text key") }
                object[key] = try json(value, path: path, field: "\(field).\(key)")
            }
            return .object(object)
        case .alias:
            throw problem(path, node, field, "YAML aliases are not supported here; write the value out")
        }
    }

    static func problem(_ path: String, _ node: Node, _ field: String, _ message: String) -> JudgeError {
        let location = InputLocation(path: path, line: node.mark?.line, column: node.mark?.column)
        return JudgeError(.invalidConfig, "\(location): \(field): \(message)")
    }

    static func kind(of node: Node) -> String {
        switch node {
        case .scalar(let s): return "'\(s.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return "line \(mark.line), column \(mark.column): \(problem)"
        default: return "not valid YAML: \(error)"
        }
    }
}

/// Typed access to one endpoint's fields with errors that name file, line, field, expected and actual.
private struct FieldReader {
    // (fields and path are read by EndpointsFile.requestSettings too)
    let path: String
    let prefix: String
    let fields: [String: Node]
    let node: Node

    func string(_ key: String, required: Bool = false) throws -> String? {
        guard let n = fields[key] else {
            if required { throw EndpointsFile.problem(path, node, "\(prefix).\(key)", "missing (required)") }
            return nil
        }
        guard case .scalar(let s) = n, !s.string.isEmpty else {
            throw EndpointsFile.problem(path, n, "\(prefix).\(key)", "expected text, got \(EndpointsFile.kind(of: n))")
        }
        return s.string
    }

    func number(_ key: String, positive: Bool = false) throws -> Double? {
        guard let n = fields[key] else { return nil }
        guard case .scalar = n, let v = n.float ?? n.int.map(Double.init), v.isFinite, v >= 0, !positive || v > 0 else {
            let want = positive ? "a number above 0" : "a number ≥ 0"
            throw EndpointsFile.problem(path, n, "\(prefix).\(key)", "expected \(want), got \(EndpointsFile.kind(of: n))")
        }
        return v
    }

    func int(_ key: String, min: Int) throws -> Int? {
        guard let n = fields[key] else { return nil }
        guard case .scalar = n, let v = n.int, v >= min else {
            throw EndpointsFile.problem(path, n, "\(prefix).\(key)", "expected a whole number ≥ \(min), got \(EndpointsFile.kind(of: n))")
        }
        return v
    }

    func bool(_ key: String) throws -> Bool? {
        guard let n = fields[key] else { return nil }
        guard case .scalar = n, let v = n.bool else {
            throw EndpointsFile.problem(path, n, "\(prefix).\(key)", "expected true or false, got \(EndpointsFile.kind(of: n))")
        }
        return v
    }
}
