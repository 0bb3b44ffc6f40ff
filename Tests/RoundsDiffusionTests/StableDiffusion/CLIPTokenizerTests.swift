import Foundation
import RoundsCore
import Testing

@testable import RoundsDiffusion

/// Token ids against transformers' `CLIPTokenizer` on the fixtures of `Tools/make_sd_fixtures.py`: the
/// SD1-style folder has `vocab.json` + `merges.txt` and pads with `<|endoftext|>`, the SD2-style one has
/// only `tokenizer.json` and pads with `!`.
@Suite struct CLIPTokenizerTests {
    static let sd = Fixture.directory.appendingPathComponent("sd")

    @Test(arguments: ["sd1", "sd2"])
    func matchesTransformers(pipeline: String) throws {
        let tokenizer = try CLIPTokenizer(directory: Self.sd.appendingPathComponent("\(pipeline)/tokenizer").path)
        let cases = try #require(try Fixture.load("sd/tokens.json")[pipeline]?["cases"]?.arrayValue)
        #expect(cases.count >= 10)
        for c in cases {
            let prompt = try #require(c["prompt"]?.stringValue)
            let expected = try #require(c["input_ids"]).ints
            #expect(tokenizer.encodePadded(prompt) == expected, "\(pipeline): \(prompt.debugDescription)")
            let untruncated = try #require(c["untruncated"]).ints
            #expect([tokenizer.bosID] + tokenizer.encode(prompt) + [tokenizer.eosID] == untruncated,
                    "\(pipeline) untruncated: \(prompt.debugDescription)")
        }
    }

    @Test func padTokenFollowsTheConfig() throws {
        let sd1 = try CLIPTokenizer(directory: Self.sd.appendingPathComponent("sd1/tokenizer").path)
        let sd2 = try CLIPTokenizer(directory: Self.sd.appendingPathComponent("sd2/tokenizer").path)
        #expect(sd1.padID == sd1.eosID)
        #expect(sd2.padID == sd2.vocabulary["!"])
        #expect(sd1.encodePadded("").count == 77)
    }

    @Test func addedTokensMatchWhole() throws {
        var t = try CLIPTokenizer(directory: Self.sd.appendingPathComponent("sd1/tokenizer").path)
        t.addToken("<vitiligo>", id: 4000)
        #expect(t.encode("a photo of <vitiligo> skin").contains(4000))
        #expect(t.encode("a photo of <vitiligo> skin").count == t.encode("a photo of x skin").count)
    }

    private func copyTokenizer(_ pipeline: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tok-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Self.sd.appendingPathComponent("\(pipeline)/tokenizer"), to: dir)
        return dir
    }

    @Test func badFilesNameTheFileAndLine() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("tok-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        expectDiffusionError(.io, mentioning: [empty.path, "vocab.json", "tokenizer.json"]) {
            _ = try CLIPTokenizer(directory: empty.path)
        }

        let dir = try copyTokenizer("sd1")
        defer { try? FileManager.default.removeItem(at: dir) }
        let merges = dir.appendingPathComponent("merges.txt")
        var text = try String(contentsOf: merges, encoding: .utf8)
        text = text.replacingOccurrences(of: "\n", with: "\nbroken-line-without-space\n", options: [], range: text.range(of: "\n"))
        try text.write(to: merges, atomically: true, encoding: .utf8)
        expectDiffusionError(.invalidConfig, mentioning: ["merges.txt:2", "broken-line-without-space"]) {
            _ = try CLIPTokenizer(directory: dir.path)
        }

        let dir2 = try copyTokenizer("sd2")
        defer { try? FileManager.default.removeItem(at: dir2) }
        let config = dir2.appendingPathComponent("tokenizer_config.json")
        try #"{"pad_token": "<|notatoken|>"}"#.write(to: config, atomically: true, encoding: .utf8)
        expectDiffusionError(.invalidConfig, mentioning: ["tokenizer.json", "pad_token", "<|notatoken|>"]) {
            _ = try CLIPTokenizer(directory: dir2.path)
        }
        try #"{"pad_token": 7}"#.write(to: config, atomically: true, encoding: .utf8)
        expectDiffusionError(.invalidConfig, mentioning: ["tokenizer_config.json", "pad_token"]) {
            _ = try CLIPTokenizer(directory: dir2.path)
        }
    }
}
