// port of transformers 5's `CLIPTokenizer` (src/transformers/models/clip/tokenization_clip.py), which runs
// the `tokenizers` pipeline: NFC, `\s+` -> " ", lowercase, CLIP's split regex, byte-level, BPE with `</w>`
import Foundation

/// CLIP's byte-level BPE tokenizer, as Stable Diffusion pipelines call it: `<|startoftext|>`, at most
/// `maxLength - 2` text tokens, `<|endoftext|>`, then the pad token up to `maxLength` (77).
///
/// Text is normalised (Unicode NFC, every run of white space to one space, lowercased), split into
/// pieces by CLIP's pattern (`'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+`, the special tokens
/// kept whole), each piece's UTF-8 bytes mapped to GPT-2's printable characters, `</w>` appended to its
/// last one, and adjacent symbols merged lowest-rank first.
public struct CLIPTokenizer: Sendable {
    /// Token string -> id.
    public let vocabulary: [String: Int]
    /// `"a b"` (the two symbols, space-separated) -> merge rank (0 merges first).
    let ranks: [String: Int]
    public let bosID: Int, eosID: Int, padID: Int
    /// 77 for every Stable Diffusion tokenizer.
    public let maxLength: Int
    /// Added tokens (textual inversion) matched whole in the raw text, longest first, besides the special ones.
    public private(set) var addedTokens: [String: Int] = [:]

    public init(vocabulary: [String: Int], merges: [(String, String)], bos: String, eos: String, pad: String,
                maxLength: Int, source: String) throws(DiffusionError) {
        func id(_ token: String, _ role: String) throws(DiffusionError) -> Int {
            guard let i = vocabulary[token] else {
                throw DiffusionError(.invalidConfig, "\(source): \(role) '\(token)' is not in the vocabulary")
            }
            return i
        }
        guard maxLength >= 2 else {
            throw DiffusionError(.invalidConfig, "\(source): model_max_length \(maxLength) leaves no room for start and end tokens")
        }
        self.vocabulary = vocabulary
        var ranks: [String: Int] = [:]
        for (i, m) in merges.enumerated() where ranks[m.0 + " " + m.1] == nil { ranks[m.0 + " " + m.1] = i }
        self.ranks = ranks
        bosID = try id(bos, "bos_token")
        eosID = try id(eos, "eos_token")
        padID = try id(pad, "pad_token")
        self.maxLength = maxLength
        // transformers adds the special tokens (CLIP's own, and SD 2's pad "!") as whole-text tokens
        for special in [bos, eos, pad] { addedTokens[special] = vocabulary[special] }
    }

    /// Adds `token` as a whole-word token with `id` (a textual-inversion embedding's row).
    public mutating func addToken(_ token: String, id: Int) { addedTokens[token] = id }

    /// The ids of `text` padded or truncated to `maxLength`, as the pipeline's
    /// `tokenizer(prompt, padding="max_length", truncation=True)` gives them.
    public func encodePadded(_ text: String) -> [Int] {
        var ids = [bosID] + encode(text).prefix(maxLength - 2) + [eosID]
        ids += [Int](repeating: padID, count: maxLength - ids.count)
        return ids
    }

    /// The text's token ids, without start, end or padding, and not truncated.
    public func encode(_ text: String) -> [Int] {
        var out: [Int] = []
        for segment in splitAddedTokens(text) {
            switch segment {
            case .token(let id): out.append(id)
            case .text(let t):
                for piece in Self.pieces(Self.normalize(t)) { out += bpe(piece) }
            }
        }
        return out
    }

    private enum Segment { case text(String), token(Int) }

    /// Splits the raw text at added tokens (matched before normalisation, as `tokenizers` does).
    private func splitAddedTokens(_ text: String) -> [Segment] {
        guard !addedTokens.isEmpty else { return [.text(text)] }
        let tokens = addedTokens.keys.sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
        var segments: [Segment] = []
        var rest = Substring(text), pending = ""
        outer: while !rest.isEmpty {
            for t in tokens where rest.hasPrefix(t) {
                if !pending.isEmpty { segments.append(.text(pending)); pending = "" }
                segments.append(.token(addedTokens[t]!))
                rest = rest.dropFirst(t.count)
                continue outer
            }
            pending.append(rest.removeFirst())
        }
        if !pending.isEmpty { segments.append(.text(pending)) }
        return segments
    }

    /// NFC, every run of white space to one space, lowercase.
    static func normalize(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var inSpace = false
        for s in text.precomposedStringWithCanonicalMapping.unicodeScalars {
            if s.properties.isWhitespace {
                if !inSpace { out.append(" ") }
                inSpace = true
            } else {
                out.append(s)
                inSpace = false
            }
        }
        return String(out).lowercased()
    }

    private enum ScalarClass { case space, letter, number, other }

    private static func classify(_ s: Unicode.Scalar) -> ScalarClass {
        if s.properties.isWhitespace { return .space }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return .other
        }
    }

    /// CLIP's split pattern over Unicode scalars: contractions, runs of letters, single digits, runs of
    /// anything else but white space (which separates pieces and is dropped).
    static func pieces(_ text: String) -> [[Unicode.Scalar]] {
        let s = Array(text.unicodeScalars)
        let contractions: [[Unicode.Scalar]] = ["s", "t", "re", "ve", "m", "ll", "d"].map { Array($0.unicodeScalars) }
        var out: [[Unicode.Scalar]] = []
        var i = 0
        while i < s.count {
            if s[i] == "'" {
                if let c = contractions.first(where: { i + $0.count < s.count && Array(s[(i + 1)...(i + $0.count)]) == $0 }) {
                    out.append(Array(s[i...(i + c.count)]))
                    i += c.count + 1
                    continue
                }
            }
            let cls = classify(s[i])
            var j = i + 1
            switch cls {
            case .space: i = j; continue
            case .number: break
            case .letter: while j < s.count, classify(s[j]) == .letter { j += 1 }
            case .other: while j < s.count, classify(s[j]) == .other { j += 1 }
            }
            out.append(Array(s[i..<j]))
            i = j
        }
        return out
    }

    /// GPT-2's reversible byte -> printable character map.
    static let byteEncoder: [String] = {
        var bs = Array(33...126) + Array(161...172) + Array(174...255)
        var cs = bs
        var n = 0
        for b in 0..<256 where !bs.contains(b) {
            bs.append(b)
            cs.append(256 + n)
            n += 1
        }
        var table = [String](repeating: "", count: 256)
        for (b, c) in zip(bs, cs) { table[b] = String(Unicode.Scalar(UInt32(c))!) }
        return table
    }()

    /// BPE of one piece: its bytes as symbols, `</w>` on the last, the lowest-ranked adjacent pair merged
    /// (every occurrence, left to right) until no pair has a rank.
    func bpe(_ piece: [Unicode.Scalar]) -> [Int] {
        var string = String.UnicodeScalarView()
        string.append(contentsOf: piece)
        var word = String(string).utf8.map { Self.byteEncoder[Int($0)] }
        guard !word.isEmpty else { return [] }
        word[word.count - 1] += "</w>"
        while word.count > 1 {
            var best: (rank: Int, pair: (String, String))? = nil
            for k in 0..<(word.count - 1) {
                if let r = ranks[word[k] + " " + word[k + 1]], r < best?.rank ?? .max { best = (r, (word[k], word[k + 1])) }
            }
            guard let (_, (a, b)) = best else { break }
            var merged: [String] = []
            merged.reserveCapacity(word.count)
            var k = 0
            while k < word.count {
                if k + 1 < word.count, word[k] == a, word[k + 1] == b {
                    merged.append(a + b)
                    k += 2
                } else {
                    merged.append(word[k])
                    k += 1
                }
            }
            word = merged
        }
        // Every byte symbol (with and without `</w>`) is in a CLIP vocabulary; an id missing anyway is the
        // unknown token, which CLIP's tokenizer sets to `<|endoftext|>`.
        return word.map { vocabulary[$0] ?? eosID }
    }
}
