import Foundation
import RoundsCore

/// Request checks the real APIs make, so a malformed request fails here as it would there.
enum StandInValidation {
    struct Rejection: Error {
        var status: Int
        var type: String
        var message: String
    }

    static func openAI(_ body: JSON?) throws(Rejection) {
        guard let body, body.objectValue != nil else { throw bad("We could not parse the JSON body of your request.") }
        guard let model = body["model"]?.stringValue, !model.isEmpty else {
            throw bad("you must provide a model parameter")
        }
        guard let messages = body["messages"]?.arrayValue, !messages.isEmpty else {
            throw bad("'messages' is a required property and must be a non-empty array")
        }
        for (i, message) in messages.enumerated() {
            guard let role = message["role"]?.stringValue, ["system", "developer", "user", "assistant", "tool"].contains(role) else {
                throw bad("messages[\(i)].role: invalid value")
            }
            switch message["content"] {
            case .string?: continue
            case .array(let parts)?:
                for (j, part) in parts.enumerated() {
                    let at = "messages[\(i)].content[\(j)]"
                    switch part["type"]?.stringValue {
                    case "text"?:
                        guard part["text"]?.stringValue != nil else { throw bad("\(at).text: expected a string") }
                    case "image_url"?:
                        guard role == "user" else { throw bad("\(at): image_url is only allowed in user messages") }
                        guard let url = part["image_url"]?["url"]?.stringValue else { throw bad("\(at).image_url.url: expected a string") }
                        if let detail = part["image_url"]?["detail"] {
                            guard let d = detail.stringValue, ["low", "high", "auto"].contains(d) else {
                                throw bad("\(at).image_url.detail: expected low, high or auto")
                            }
                        }
                        try checkDataURL(url, at: at)
                    case let other:
                        throw bad("\(at).type: Invalid content part type '\(other ?? "none")'; expected text or image_url")
                    }
                }
            default: throw bad("messages[\(i)].content: expected a string or an array of parts")
            }
        }
        // OpenAI's reasoning models refuse `max_tokens` and sampling parameters.
        let name = model.split(separator: "/").last.map { $0.lowercased() } ?? ""
        let reasoning = (name.hasPrefix("gpt-5") && !name.hasPrefix("gpt-5-chat"))
            || (name.count > 1 && name.first == "o" && name.dropFirst().first!.isNumber)
        if reasoning {
            if body["max_tokens"] != nil {
                throw Rejection(status: 400, type: "invalid_request_error", message:
                    "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.")
            }
            for parameter in ["temperature", "top_p", "seed"] where body[parameter] != nil {
                throw Rejection(status: 400, type: "invalid_request_error", message:
                    "Unsupported parameter: '\(parameter)' is not supported with this model.")
            }
        }
        if body["stream"]?.boolValue == true {
            throw bad("the stand-in does not stream")
        }
        if let format = body["response_format"] {
            guard let type = format["type"]?.stringValue, ["text", "json_object", "json_schema"].contains(type) else {
                throw bad("response_format.type: invalid value")
            }
            if type == "json_schema" {
                guard format["json_schema"]?["name"]?.stringValue != nil, format["json_schema"]?["schema"]?.objectValue != nil else {
                    throw bad("response_format.json_schema: name and schema are required")
                }
            }
        }
    }

    static func anthropic(_ body: JSON?, headers: [(name: String, value: String)]) throws(Rejection) {
        guard headers.contains(where: { $0.name.lowercased() == "anthropic-version" }) else {
            throw Rejection(status: 400, type: "invalid_request_error", message: "anthropic-version: header is required")
        }
        guard let body, body.objectValue != nil else { throw bad("invalid JSON body") }
        guard let model = body["model"]?.stringValue, !model.isEmpty else { throw bad("model: Field required") }
        guard let maxTokens = body["max_tokens"]?.doubleValue, maxTokens >= 1 else { throw bad("max_tokens: Field required") }
        guard let messages = body["messages"]?.arrayValue, !messages.isEmpty else { throw bad("messages: Field required") }
        for (i, message) in messages.enumerated() {
            guard let role = message["role"]?.stringValue, ["user", "assistant"].contains(role) else {
                throw bad("messages.\(i).role: Input should be 'user' or 'assistant'")
            }
            switch message["content"] {
            case .string?: continue
            case .array(let blocks)?:
                for (j, block) in blocks.enumerated() {
                    let at = "messages.\(i).content.\(j)"
                    switch block["type"]?.stringValue {
                    case "text"?:
                        guard block["text"]?.stringValue != nil else { throw bad("\(at).text: Field required") }
                    case "image"?:
                        guard block["source"]?["type"]?.stringValue == "base64",
                            let media = block["source"]?["media_type"]?.stringValue,
                            let data = block["source"]?["data"]?.stringValue
                        else { throw bad("\(at).source: expected type base64 with media_type and data") }
                        guard ["image/png", "image/jpeg", "image/gif", "image/webp"].contains(media) else {
                            throw bad("\(at).source.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'")
                        }
                        try checkImage(base64: data, mediaType: media, at: "\(at).source.data")
                    case let other:
                        throw bad("\(at).type: Input tag '\(other ?? "none")' found does not match any of the expected tags")
                    }
                }
            default: throw bad("messages.\(i).content: Input should be a valid string or list")
            }
        }
        // Extended thinking allows only `auto` and `none` tool choices.
        if let thinking = body["thinking"]?["type"]?.stringValue, thinking != "disabled",
           let forced = body["tool_choice"]?["type"]?.stringValue, forced == "tool" || forced == "any" {
            throw bad("Thinking may not be enabled when tool_choice forces tool use.")
        }
        if let choice = body["tool_choice"], choice["type"]?.stringValue == "tool" {
            let name = choice["name"]?.stringValue
            guard let tools = body["tools"]?.arrayValue, tools.contains(where: { $0["name"]?.stringValue == name }) else {
                throw bad("tool_choice: tool '\(name ?? "")' not found in tools")
            }
        }
    }

    static func checkDataURL(_ url: String, at: String) throws(Rejection) {
        guard url.hasPrefix("data:") else { throw bad("\(at).image_url.url: the stand-in accepts only data: URLs") }
        guard let comma = url.firstIndex(of: ",") else { throw bad("\(at).image_url.url: Invalid image URL") }
        let header = url[url.index(url.startIndex, offsetBy: 5)..<comma]
        guard header.hasSuffix(";base64") else { throw bad("\(at).image_url.url: expected a base64 data URL") }
        let media = String(header.dropLast(7))
        guard media == "image/png" || media == "image/jpeg" else {
            throw bad("\(at).image_url.url: unsupported image type '\(media)'")
        }
        try checkImage(base64: String(url[url.index(after: comma)...]), mediaType: media, at: "\(at).image_url.url")
    }

    static func checkImage(base64: String, mediaType: String, at: String) throws(Rejection) {
        guard !base64.hasPrefix("data:"), let data = Data(base64Encoded: base64) else {
            throw bad("\(at): Invalid base64 image data")
        }
        let bytes = [UInt8](data.prefix(8))
        let isPNG = bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let isJPEG = bytes.starts(with: [0xFF, 0xD8, 0xFF])
        switch mediaType {
        case "image/png": guard isPNG else { throw bad("\(at): The image data is not a valid PNG") }
        case "image/jpeg": guard isJPEG else { throw bad("\(at): The image data is not a valid JPEG") }
        default: guard isPNG || isJPEG else { throw bad("\(at): The image data is not a supported image") }
        }
    }

    private static func bad(_ message: String) -> Rejection {
        Rejection(status: 400, type: "invalid_request_error", message: message)
    }
}
