import Foundation
@testable import RoundsBench
import Testing

/// `rounds bench judge`'s own stand-in: the judge client gets every answer, and the checked mode
/// refuses what the real API would.
@Suite struct JudgeStandInTests {
    @Test(.timeLimit(.minutes(1)))
    func theJudgeBenchmarkGetsEveryAnswerFromTheStandIn() async throws {
        let server = try await JudgeStandIn.start(latencySeconds: 0.001, answer: JudgeBenchmark.answer, checked: true)
        var config = JudgeBenchmark.Config()
        config.requests = 6
        config.inFlight = 2
        config.latencySeconds = 0.001
        config.imageSize = 32
        let report = try await JudgeBenchmark(config: config).run(baseURL: "http://127.0.0.1:\(server.port)/v1")
        await server.stop()
        #expect(report.rounds.succeeded == 6 && report.rounds.requests == 6)
        #expect(report.peerNote?.contains("peer skipped") == true)
    }

    @Test func checkedModeRefusesWhatTheRealAPIWould() {
        #expect(JudgeStandIn.check(Data("not json".utf8)) == "We could not parse the JSON body of your request.")
        #expect(JudgeStandIn.check(Data(#"{"messages": [{"role": "user", "content": "hi"}]}"#.utf8))
            == "you must provide a model parameter")
        #expect(JudgeStandIn.check(Data(#"{"model": "m", "messages": []}"#.utf8))?.contains("'messages'") == true)
        let badImage = #"{"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "http://x/y.png"}}]}]}"#
        #expect(JudgeStandIn.check(Data(badImage.utf8)) == "messages[0].content[0].image_url.url: not a base64 image data URL")
        let good = #"{"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}]}]}"#
        #expect(JudgeStandIn.check(Data(good.utf8)) == nil)
    }
}
