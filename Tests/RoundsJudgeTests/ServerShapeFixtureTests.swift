import Foundation
import RoundsCore
import RoundsJudge
import Testing

/// Every server's documented answer shape (Fixtures/README.md says where each came from) read through
/// the provider's parser and the verdict parser.
@Suite struct ServerShapeFixtureTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func body(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent(path)))
    }

    struct Expected: Sendable, CustomTestStringConvertible {
        var file: String
        var provider: ProviderKind
        var usage: TokenUsage
        var model: String
        var testDescription: String { file }
    }

    static let answers: [Expected] = [
        Expected(file: "openai-chat-completion.json", provider: .openai, usage: TokenUsage(input: 1117, output: 46), model: "gpt-4o-2024-08-06"),
        Expected(file: "openai-reasoning-completion.json", provider: .openai, usage: TokenUsage(input: 1204, output: 590), model: "gpt-5-mini-2025-08-07"),
        Expected(file: "anthropic-tool-use.json", provider: .anthropic, usage: TokenUsage(input: 1480, output: 112), model: "claude-sonnet-4-5-20250929"),
        Expected(file: "anthropic-thinking-text.json", provider: .anthropic, usage: TokenUsage(input: 1502, output: 640), model: "claude-opus-4-5-20251101"),
        Expected(file: "anthropic-thinking-tool.json", provider: .anthropic, usage: TokenUsage(input: 1530, output: 701), model: "claude-opus-4-5-20251101"),
        Expected(file: "vllm-chat-completion.json", provider: .openai, usage: TokenUsage(input: 942, output: 62), model: "Qwen/Qwen2.5-VL-7B-Instruct"),
        Expected(file: "vllm-reasoning-completion.json", provider: .openai, usage: TokenUsage(input: 1010, output: 410), model: "Qwen/Qwen3-VL-8B-Thinking"),
        Expected(file: "ollama-openai-chat-completion.json", provider: .openai, usage: TokenUsage(input: 611, output: 70), model: "llava:13b"),
        Expected(file: "llamacpp-chat-completion.json", provider: .openai, usage: TokenUsage(input: 780, output: 66), model: "qwen2.5-vl-7b-instruct-q4_k_m.gguf"),
    ]

    @Test(arguments: ServerShapeFixtureTests.answers)
    func answerShapeGivesEveryVerdict(_ expected: Expected) throws {
        let response = try expected.provider.implementation.parseResponse(
            HTTPResponseData(status: 200, body: try Self.body("responses/" + expected.file)), url: "http://server/v1")
        #expect(!response.isRefusal && !response.isTruncated)
        #expect(response.usage == expected.usage)
        #expect(response.model == expected.model)
        let parsed = VerdictParser.parse(response.text, expected: Fixtures.checklist.criteria)
        #expect(parsed.isComplete, "\(parsed.problems)")
        #expect(parsed.verdicts.map(\.verdict) == [.met, .notMet, .uncertain])
    }

    @Test func openAIRefusalShapeIsARefusal() throws {
        let response = try OpenAIChatProvider().parseResponse(
            HTTPResponseData(status: 200, body: try Self.body("responses/openai-refusal.json")), url: "http://server/v1")
        #expect(response.isRefusal)
        #expect(response.refusal == "I'm sorry, I cannot assist with that request.")
    }

    @Test(arguments: [
        ("openai-unsupported-max-tokens.json", "Unsupported parameter: 'max_tokens'", "unsupported_parameter"),
        ("anthropic-temperature-deprecated.json", "`temperature` is deprecated", "invalid_request_error"),
        ("anthropic-thinking-forced-tool.json", "tool_choice forces tool use", "invalid_request_error"),
        ("vllm-bad-request.json", "maximum context length", "400"),
        ("ollama-openai-error.json", "not found, try pulling it first", "api_error"),
        ("llamacpp-error.json", "exceeds the available context size", "400"),
    ])
    func errorShapeGivesItsMessage(file: String, message: String, label: String) throws {
        let error = OpenAIChatProvider().parseError(HTTPResponseData(status: 400, body: try Self.body("errors/" + file)))
        #expect(error.message.contains(message), "\(error.message)")
        #expect(error.code == label || error.type == label, "\(error)")
    }

    /// Every file in the folders is covered by a test above, so a new fixture cannot sit unread.
    @Test func everyFixtureIsRead() throws {
        let listed = Set(Self.answers.map(\.file) + ["openai-refusal.json"])
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.appendingPathComponent("responses").path)
        #expect(Set(files) == listed)
        #expect(try FileManager.default.contentsOfDirectory(atPath: Self.folder.appendingPathComponent("errors").path).count == 6)
    }
}
