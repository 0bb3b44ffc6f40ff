import Foundation
import RoundsCore
import RoundsImaging
import Testing
@testable import RoundsSimulator
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite struct SimulatorServerTests {
    static func dataURL(_ spec: LesionSpec) throws -> String {
        let canvas = LesionRenderer().render(spec)
        let image = try RGBImage(width: canvas.width, height: canvas.height, pixels: canvas.bytes)
        return "data:image/png;base64," + Data(try PNGCodec.encode(image)).base64EncodedString()
    }

    static func request(images: [String], ids: [String], schema: Bool = true) -> JSONValue {
        var parts: [JSONValue] = [["type": "text", "text": .string("Check: " + ids.joined(separator: ", "))]]
        parts += images.map { ["type": "image_url", "image_url": ["url": .string($0)]] }
        var body: [String: JSONValue] = ["model": "rounds-simulator", "seed": 3,
                                         "messages": [["role": "user", "content": .array(parts)]]]
        if schema {
            body["response_format"] = ["type": "json_schema", "json_schema": ["name": "verdicts", "schema": [
                "type": "object", "properties": ["criteria": ["type": "array", "items": ["type": "object",
                    "properties": ["id": ["type": "string", "enum": .array(ids.map { .string($0) })]]]]]]]]
        }
        return .object(body)
    }

    let handler = SimulatorRequestHandler(judge: SimulatorJudge(settings: try! SimulatorSettings(flipRate: 0, uncertainRate: 0)),
                                          log: { _ in })
    let ids = SyntheticCondition.targetLesion.criteria.map(\.rawValue)

    @Test func answersOneImageWithEveryRequestedCriterion() throws {
        let url = try Self.dataURL(try LesionSpec(condition: .targetLesion, tone: .dark, size: 32, seed: 4, failing: [.redRim]))
        for schema in [true, false] {
            let (status, body) = handler.handle(body: Array(Self.request(images: [url], ids: ids, schema: schema).canonicalString.utf8))
            #expect(status == 200)
            let content = try #require(body["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue)
            let answer = try JSONValue(parsing: content)
            let verdicts = try #require(answer["criteria"]?.arrayValue)
            #expect(verdicts.compactMap { $0["id"]?.stringValue } == ids)
            #expect(verdicts.first { $0["id"]?.stringValue == "red-rim" }?["verdict"]?.stringValue == "not_met")
            #expect(verdicts.filter { $0["verdict"]?.stringValue == "met" }.count == 4)
            #expect(body["usage"]?["total_tokens"]?.doubleValue ?? 0 > 0)
        }
    }

    @Test func answersAPairWithAPreference() throws {
        let good = try Self.dataURL(try LesionSpec(condition: .targetLesion, tone: .tan, size: 32, seed: 1))
        let bad = try Self.dataURL(try LesionSpec(condition: .targetLesion, tone: .tan, size: 32, seed: 1, failing: [.paleRing, .darkCentre]))
        let (status, body) = handler.handle(body: Array(Self.request(images: [bad, good], ids: ids).canonicalString.utf8))
        #expect(status == 200)
        let answer = try JSONValue(parsing: try #require(body["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue))
        #expect(answer["overall"]?.stringValue == "B")
        let better = try #require(answer["criteria"]?.arrayValue).compactMap { $0["better"]?.stringValue }
        #expect(better.contains("B") && better.allSatisfy { ["A", "B", "both", "neither"].contains($0) })
    }

    @Test(arguments: [
        ("not json", "not JSON"),
        (#"{"messages": [{"role": "user", "content": "x"}]}"#, "missing 'model'"),
        (#"{"model": "m", "messages": []}"#, "missing 'messages'"),
        (#"{"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,@@@"}}, {"type": "text", "text": "red-rim"}]}]}"#, "base64 data: URL"),
        (#"{"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,aGVsbG8="}}, {"type": "text", "text": "red-rim"}]}]}"#, "could not be decoded"),
        (#"{"model": "m", "messages": [{"role": "user", "content": [{"type": "audio"}]}]}"#, "must be text or image_url"),
    ])
    func badRequestsAre400WithAReason(body: String, reason: String) throws {
        let (status, json) = handler.handle(body: Array(body.utf8))
        #expect(status == 400)
        #expect(json["error"]?["message"]?.stringValue?.contains(reason) == true, "\(json.canonicalString)")
    }

    @Test func streamingRequestsAre400InOpenAIsErrorFormat() throws {
        let url = try Self.dataURL(try LesionSpec(condition: .targetLesion, tone: .dark, size: 32, seed: 4))
        guard case .object(var body) = Self.request(images: [url], ids: ids) else { Issue.record("not an object"); return }
        body["stream"] = true
        let (status, json) = handler.handle(body: Array(JSONValue.object(body).canonicalString.utf8))
        #expect(status == 400)
        let error = try #require(json["error"]?.objectValue)
        #expect(Set(error.keys) == ["message", "type", "param", "code"])
        #expect(error["type"] == "invalid_request_error")
        #expect(error["param"] == "stream")
        #expect(error["code"] == "unsupported_parameter")
        #expect(error["message"]?.stringValue?.contains("does not stream") == true)
        // `stream: false` is a plain request.
        body["stream"] = false
        #expect(handler.handle(body: Array(JSONValue.object(body).canonicalString.utf8)).0 == 200)
    }

    @Test func unknownCriteriaAre400() throws {
        let url = try Self.dataURL(try LesionSpec(condition: .targetLesion, tone: .dark, size: 32, seed: 4))
        let (status, json) = handler.handle(body: Array(Self.request(images: [url], ids: ["malar-rash"]).canonicalString.utf8))
        #expect(status == 400)
        #expect(json["error"]?["message"]?.stringValue?.contains("malar-rash") == true)
    }

    @Test func servesOverLoopbackHTTP() async throws {
        let server = try await SimulatorServer.start(settings: try SimulatorSettings())
        defer { Task { await server.stop() } }
        #expect(server.baseURL.hasPrefix("http://127.0.0.1:"))
        let url = try Self.dataURL(try LesionSpec(condition: .targetLesion, tone: .light, size: 32, seed: 2))
        var request = URLRequest(url: URL(string: server.baseURL + "/chat/completions")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(Self.request(images: [url], ids: ids).canonicalString.utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        let body = try JSONValue(parsing: data)
        #expect(body["model"]?.stringValue == "rounds-simulator")
        await server.stop()
    }
}
