import Foundation
import RoundsCore
import RoundsImaging

/// Turns one Chat Completions request body into the simulator's answer (status and JSON body).
///
/// One image: `{"criteria": [{"id", "verdict", "evidence"}]}` for the criteria the request names.
/// Two images (side by side, first is "A"): the judge-pair prompt's shape, `{"criteria": [{"id",
/// "better": "A|B|both|neither", "evidence"}], "overall": "A|B|tie", "reason"}`. Criterion ids come from the `response_format` JSON schema's `id` enum
/// when present, otherwise from the synthetic criterion ids that appear in the prompt text.
struct SimulatorRequestHandler: Sendable {
    let judge: SimulatorJudge
    let log: @Sendable (String) -> Void

    func handle(body: [UInt8]) -> (Int, JSONValue) {
        do {
            let request: JSONValue
            do {
                request = try JSONValue(parsing: Data(body))
            } catch {
                throw SimulatorError(.badRequest, "request body is not JSON: \(error)")
            }
            guard let model = request["model"]?.stringValue, !model.isEmpty else {
                throw SimulatorError(.badRequest, "missing 'model'")
            }
            // A streaming client reads a plain JSON answer as an empty stream; say so instead.
            if request["stream"]?.boolValue == true {
                return (400, Self.error(
                    "the simulator judge does not stream; send the request without 'stream: true' "
                        + "(with the OpenAI SDK: stream=False)", param: "stream", code: "unsupported_parameter"))
            }
            let (images, text) = try Self.contents(of: request)
            let ids = try Self.criterionIDs(request: request, text: text)
            let seed = Int(request["seed"]?.doubleValue ?? 0)
            let answer: JSONValue
            switch images.count {
            case 1:
                let answers = try judge.judge(images[0], criteria: ids, requestSeed: seed)
                answer = ["criteria": .array(answers.map {
                    ["id": .string($0.id), "verdict": .string($0.verdict.rawValue), "evidence": .string($0.evidence)]
                })]
            case 2:
                let result = try judge.compare(images[0], images[1], criteria: ids, requestSeed: seed)
                // The judge-pair prompt's answer shape: images named "A" and "B".
                let side = { (s: String) in s == "a" ? "A" : s == "b" ? "B" : s }
                answer = ["criteria": .array(result.perCriterion.map {
                              ["id": .string($0.id), "better": .string(side($0.better)), "evidence": "measured"]
                          }),
                          "overall": .string(side(result.preferred)), "reason": "simulator measurement"]
            default:
                throw SimulatorError(.badRequest, "expected one image (or two for a pair), got \(images.count)")
            }
            log("simulator judge: \(images.count) image(s), \(ids.count) criteria, seed \(seed)")
            return (200, Self.completion(model: model, content: answer.canonicalString, promptChars: text.count,
                                         images: images.count))
        } catch let error as SimulatorError {
            log("simulator judge: 400 \(error.message)")
            return (400, Self.error(error.message))
        } catch {
            return (500, ["error": ["message": .string("\(error)"), "type": "server_error", "param": nil, "code": nil]])
        }
    }

    /// OpenAI's error body: `{"error": {"message", "type", "param", "code"}}`.
    static func error(_ message: String, param: String? = nil, code: String? = nil) -> JSONValue {
        ["error": ["message": .string(message), "type": "invalid_request_error",
                   "param": param.map(JSONValue.string) ?? .null, "code": code.map(JSONValue.string) ?? .null]]
    }

    /// The decoded images (in order) and all text of the messages.
    static func contents(of request: JSONValue) throws(SimulatorError) -> ([Canvas], String) {
        guard let messages = request["messages"]?.arrayValue, !messages.isEmpty else {
            throw SimulatorError(.badRequest, "missing 'messages'")
        }
        var images: [Canvas] = []
        var text = ""
        for (i, message) in messages.enumerated() {
            if let s = message["content"]?.stringValue {
                text += s + "\n"
                continue
            }
            guard let parts = message["content"]?.arrayValue else {
                throw SimulatorError(.badRequest, "messages[\(i)].content must be a string or an array of parts")
            }
            for (j, part) in parts.enumerated() {
                switch part["type"]?.stringValue {
                case "text": text += (part["text"]?.stringValue ?? "") + "\n"
                case "image_url":
                    guard let url = part["image_url"]?["url"]?.stringValue else {
                        throw SimulatorError(.badRequest, "messages[\(i)].content[\(j)].image_url.url is missing")
                    }
                    images.append(try decodeDataURL(url, field: "messages[\(i)].content[\(j)]"))
                default:
                    throw SimulatorError(.badRequest, "messages[\(i)].content[\(j)].type must be text or image_url")
                }
            }
        }
        return (images, text)
    }

    static func decodeDataURL(_ url: String, field: String) throws(SimulatorError) -> Canvas {
        guard url.hasPrefix("data:image/"), let comma = url.firstIndex(of: ","),
              url[..<comma].hasSuffix(";base64"),
              let data = Data(base64Encoded: String(url[url.index(after: comma)...]))
        else {
            throw SimulatorError(.badRequest, "\(field): image_url must be a base64 data: URL of a PNG or JPEG image")
        }
        do {
            let (image, _) = try ImageFile.decode([UInt8](data), source: field)
            return Canvas(width: image.width, height: image.height, bytes: image.pixels)
        } catch {
            throw SimulatorError(.unreadableImage, "\(field): the image could not be decoded", cause: error)
        }
    }

    static func criterionIDs(request: JSONValue, text: String) throws(SimulatorError) -> [String] {
        let schemaIDs = request["response_format"]?["json_schema"]?["schema"]?["properties"]?["criteria"]?["items"]?[
            "properties"]?["id"]?["enum"]?.arrayValue?.compactMap(\.stringValue)
        if let schemaIDs, !schemaIDs.isEmpty { return schemaIDs }
        let all = SyntheticCondition.allCases.flatMap(\.criteria).map(\.rawValue)
        let words = Set(text.split { !($0.isLetter || $0.isNumber || $0 == "-") }.map(String.init))
        let found = all.filter { words.contains($0) }
        guard !found.isEmpty else {
            throw SimulatorError(.badRequest, "the request names no criterion of the synthetic domain")
        }
        return found
    }

    static func completion(model: String, content: String, promptChars: Int, images: Int) -> JSONValue {
        let promptTokens = promptChars / 4 + 85 * images
        let completionTokens = content.count / 4
        return [
            "id": .string("chatcmpl-sim-\(SHA256.hex(content).prefix(12))"),
            "object": "chat.completion",
            "created": .number(Date().timeIntervalSince1970.rounded()),
            "model": .string(model),
            "system_fingerprint": .string(SimulatorServer.modelName),
            "choices": [["index": 0, "message": ["role": "assistant", "content": .string(content)],
                         "finish_reason": "stop"]],
            "usage": ["prompt_tokens": .number(Double(promptTokens)), "completion_tokens": .number(Double(completionTokens)),
                      "total_tokens": .number(Double(promptTokens + completionTokens))],
        ]
    }
}
