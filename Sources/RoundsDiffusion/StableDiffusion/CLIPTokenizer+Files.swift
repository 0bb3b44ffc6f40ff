import Foundation
import RoundsCore

extension CLIPTokenizer {
    /// Loads a pipeline's `tokenizer/` folder: `vocab.json` + `merges.txt` (transformers 4) or
    /// `tokenizer.json` (transformers 5, and `tokenizers`' fast files), with the special tokens and
    /// `model_max_length` of `tokenizer_config.json` and `special_tokens_map.json` when present
    /// (CLIP's defaults otherwise: `<|startoftext|>`, `<|endoftext|>` as end and pad, 77).
    public init(directory: String) throws(DiffusionError) {
        let dir = URL(fileURLWithPath: directory)
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }

        var bos = "<|startoftext|>", eos = "<|endoftext|>", pad = "<|endoftext|>", maxLength = 77
        for name in ["special_tokens_map.json", "tokenizer_config.json"] where exists(name) {
            let object = try Self.object(path(name))
            func token(_ key: String) throws(DiffusionError) -> String? {
                guard let v = object[key], v != .null else { return nil }
                if let s = v.stringValue ?? v["content"]?.stringValue { return s }
                throw DiffusionError(.invalidConfig, "\(path(name)): \(key): expected a token string or {\"content\": …}, got \(v.canonicalString)")
            }
            bos = try token("bos_token") ?? bos
            eos = try token("eos_token") ?? eos
            pad = try token("pad_token") ?? pad
            if let m = object["model_max_length"]?.doubleValue, m == m.rounded(), m >= 2, m <= 4096 { maxLength = Int(m) }
        }

        var vocabulary: [String: Int], merges: [(String, String)], source: String
        if exists("vocab.json") && exists("merges.txt") {
            source = path("vocab.json")
            vocabulary = try Self.vocabulary(try Self.object(source), source: source)
            merges = try Self.merges(path("merges.txt"))
        } else if exists("tokenizer.json") {
            source = path("tokenizer.json")
            (vocabulary, merges) = try Self.tokenizerJSON(source)
        } else {
            throw DiffusionError(.io, "\(directory): no tokenizer files: expected vocab.json and merges.txt, or tokenizer.json")
        }
        try self.init(vocabulary: vocabulary, merges: merges, bos: bos, eos: eos, pad: pad, maxLength: maxLength, source: source)
    }

    private static func object(_ path: String) throws(DiffusionError) -> [String: JSONValue] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw DiffusionError(.io, "\(path): cannot read", cause: error)
        }
        let value: JSONValue
        do { value = try JSONValue(parsing: data) } catch {
            throw DiffusionError(.invalidConfig, "\(path): not valid JSON", cause: error)
        }
        guard let object = value.objectValue else { throw DiffusionError(.invalidConfig, "\(path): expected a JSON object") }
        return object
    }

    private static func vocabulary(_ object: [String: JSONValue], source: String) throws(DiffusionError) -> [String: Int] {
        var out: [String: Int] = [:]
        out.reserveCapacity(object.count)
        for (token, v) in object {
            guard let d = v.doubleValue, d == d.rounded(), d >= 0, d < 1e9 else {
                throw DiffusionError(.invalidConfig, "\(source): token '\(token)': id \(v.canonicalString) is not a non-negative integer")
            }
            out[token] = Int(d)
        }
        return out
    }

    private static func merges(_ path: String) throws(DiffusionError) -> [(String, String)] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw DiffusionError(.io, "\(path): cannot read as UTF-8", cause: error)
        }
        var out: [(String, String)] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let l = line.hasSuffix("\r") ? line.dropLast() : line
            if l.isEmpty || (i == 0 && l.hasPrefix("#version")) { continue }
            let parts = l.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw DiffusionError(.invalidConfig, "\(path):\(i + 1): expected two symbols separated by one space, got '\(l.prefix(80))'")
            }
            out.append((String(parts[0]), String(parts[1])))
        }
        return out
    }

    private static func tokenizerJSON(_ path: String) throws(DiffusionError) -> ([String: Int], [(String, String)]) {
        let object = try Self.object(path)
        guard let model = object["model"]?.objectValue else { throw DiffusionError(.invalidConfig, "\(path): model: missing") }
        let type = model["type"]?.stringValue ?? "BPE"
        guard type == "BPE" else {
            throw DiffusionError(.unsupported, "\(path): model.type: a CLIP tokenizer is BPE, got '\(type)'")
        }
        if let suffix = model["end_of_word_suffix"]?.stringValue, suffix != "</w>" {
            throw DiffusionError(.unsupported, "\(path): model.end_of_word_suffix: CLIP uses '</w>', got '\(suffix)'")
        }
        guard let vocab = model["vocab"]?.objectValue else { throw DiffusionError(.invalidConfig, "\(path): model.vocab: missing") }
        var vocabulary = try vocabulary(vocab, source: path + " model.vocab")
        guard let list = model["merges"]?.arrayValue else { throw DiffusionError(.invalidConfig, "\(path): model.merges: missing") }
        var merges: [(String, String)] = []
        merges.reserveCapacity(list.count)
        for (i, m) in list.enumerated() {
            // `tokenizers` writes "a b" before 0.20 and ["a", "b"] since
            if let s = m.stringValue {
                let parts = s.split(separator: " ", omittingEmptySubsequences: false)
                if parts.count == 2 { merges.append((String(parts[0]), String(parts[1]))); continue }
            } else if let a = m.arrayValue, a.count == 2, let x = a[0].stringValue, let y = a[1].stringValue {
                merges.append((x, y))
                continue
            }
            throw DiffusionError(.invalidConfig, "\(path): model.merges[\(i)]: expected \"a b\" or [\"a\", \"b\"], got \(m.canonicalString)")
        }
        for added in object["added_tokens"]?.arrayValue ?? [] {
            if let content = added["content"]?.stringValue, let id = added["id"]?.doubleValue { vocabulary[content] = Int(id) }
        }
        return (vocabulary, merges)
    }
}
