import Foundation
import RoundsCore
import RoundsJudge
import RoundsTestSupport
import Testing

@Suite struct JudgeClientTests {
    @Test(arguments: [ProviderKind.openai, .anthropic])
    func garbageGetsOneRepairThenIndeterminate(provider: ProviderKind) async throws {
        try await withStandIn { server in
            server.script([.answer("The lesion looks fine to me."), .answer("Still no JSON, sorry.")])
            let outcome = await Fixtures.client(server, provider: provider).judge(image: Fixtures.image(), checklist: Fixtures.checklist)
            #expect(outcome.status == .unparseable)
            #expect(server.requests.count == 2)
            #expect(outcome.samples[0].repaired)
            #expect(outcome.verdicts.allSatisfy { $0.verdict == .indeterminate && $0.reason != nil })
            #expect(!outcome.isCacheable)
            // The repair request carries the previous answer, asks again, and sends the image again: a
            // model asked to correct its verdicts about a picture must still see the picture.
            let repair = try JSONValue(parsing: server.requests[1].bodyText)
            let messages = try #require(repair["messages"]?.arrayValue)
            #expect(messages.contains { $0["role"] == "assistant" && $0["content"] == "The lesion looks fine to me." })
            #expect(messages.last?["content"]?.stringValue?.contains("location, lesion, color") == true)
            let firstUser = try #require(messages.first { $0["role"] == "user" })
            #expect(firstUser["content"]?.arrayValue?.count == 2, "the image and the prompt, as in the first turn")
            #expect(server.requests[1].bodyText.contains(Data(Fixtures.image().bytes).base64EncodedString()))
            #expect(server.requests[0].bodyText.contains(Data(Fixtures.image().bytes).base64EncodedString()))
            // What the parser found wrong is kept with the outcome (and stored with the judgment).
            #expect(outcome.samples[0].problems.contains { $0.contains("after repair") }, "\(outcome.samples[0].problems)")
        }
    }

    @Test func repairThatWorksGivesVerdicts() async throws {
        try await withStandIn { server in
            server.script([.answer("```json\n{\"criteria\": [}\n```"), .verdicts(default: "not_met")])
            let outcome = await Fixtures.client(server).judge(image: Fixtures.image(), checklist: Fixtures.checklist)
            #expect(outcome.status == .judged)
            #expect(outcome.verdicts.map(\.verdict) == [.notMet, .notMet, .notMet])
            #expect(outcome.attempts == 2)
            #expect(outcome.isCacheable)
        }
    }

    @Test(arguments: [ProviderKind.openai, .anthropic])
    func refusalIsRecordedNotRepairedNotCached(provider: ProviderKind) async throws {
        try await withStandIn { server in
            server.script([.refusal])
            let outcome = await Fixtures.client(server, provider: provider).judge(image: Fixtures.image(), checklist: Fixtures.checklist)
            #expect(outcome.status == .refused)
            #expect(server.requests.count == 1)
            #expect(outcome.samples[0].refusal?.contains("can't help") == true)
            #expect(outcome.verdicts.allSatisfy { $0.verdict == .indeterminate && $0.reason == "the model refused" })
            #expect(!outcome.isCacheable)
        }
    }

    @Test(arguments: [ProviderKind.openai, .anthropic])
    func truncationIsRecordedNotCached(provider: ProviderKind) async throws {
        try await withStandIn { server in
            server.script([.truncatedAnswer])
            let outcome = await Fixtures.client(server, provider: provider).judge(image: Fixtures.image(), checklist: Fixtures.checklist)
            #expect(outcome.status == .truncated)
            #expect(outcome.verdicts.allSatisfy { $0.verdict == .indeterminate })
            #expect(!outcome.isCacheable)
        }
    }

    @Test func samplesUseDistinctSeedsAndVote() async throws {
        try await withStandIn { server in
            server.respond { request, _ in
                let seed = (try? JSONValue(parsing: request.bodyText))?["seed"]?.doubleValue ?? -1
                // Seeds 10, 11, 12: "color" is met twice and not_met once; "lesion" varies three ways.
                let lesion = ["met", "not_met", "uncertain"][Int(seed) - 10]
                return .verdicts(default: "met", overrides: ["color": seed == 12 ? "not_met" : "met", "lesion": lesion])
            }
            let outcome = await Fixtures.client(server, options: JudgeOptions(samples: 3, sampleTemperature: 0.8, baseSeed: 10))
                .judge(image: Fixtures.image(), checklist: Fixtures.checklist)
            let bodies = try server.requests.map { try JSONValue(parsing: $0.bodyText) }
            #expect(Set(bodies.compactMap { $0["seed"]?.doubleValue }) == [10, 11, 12])
            #expect(bodies.allSatisfy { $0["temperature"] == 0.8 })
            #expect(outcome.samples.count == 3)
            #expect(Set(outcome.samples.map(\.requestKey)).count == 3)
            #expect(outcome.verdicts[0].verdict == .met && outcome.verdicts[0].confidence == 1)
            #expect(outcome.verdicts[1].verdict == .uncertain)  // three-way tie
            #expect(outcome.verdicts[2].verdict == .met)
            #expect(abs(outcome.verdicts[2].confidence - 2.0 / 3) < 1e-9)
            #expect(outcome.status == .judged)
        }
    }

    @Test func privacyGuardBlocksRealImagesOffLoopbackOnly() async throws {
        let remote = EndpointConfig(name: "cloud", provider: .openai, baseURL: "https://api.example.com/v1", model: "m")
        guard case .refused(let reason) = PrivacyGuard.decide(origin: .real, endpoint: remote) else {
            Issue.record("a real image must not go to a remote endpoint")
            return
        }
        #expect(reason.contains("api.example.com") && reason.contains("allow_real_images"))
        #expect(PrivacyGuard.decide(origin: .synthetic, endpoint: remote) == .allowed)
        var allowed = remote
        allowed.allowRealImages = true
        #expect(PrivacyGuard.decide(origin: .real, endpoint: allowed) == .allowed)
        for host in ["127.0.0.1", "127.8.9.10", "localhost", "[::1]"] {
            let local = EndpointConfig(name: "l", provider: .openai, baseURL: "http://\(host):8000/v1", model: "m")
            #expect(PrivacyGuard.decide(origin: .real, endpoint: local) == .allowed, "\(host)")
        }
        for host in ["128.0.0.1", "127.0.0.1.example.com", "10.0.0.1", "::2"] {
            #expect(!PrivacyGuard.isLoopback(host), "\(host)")
        }
        let adHoc = try EndpointConfig.adHoc(baseURL: "https://api.example.com/v1", model: "m", provider: .openai, allowRealImages: true)
        #expect(PrivacyGuard.decide(origin: .real, endpoint: adHoc) == .allowed)
        // The client never sends a blocked image.
        let client = JudgeClient(endpoint: remote, apiKey: nil, transport: FailingTransport(), clock: VirtualClock())
        let outcome = await client.judge(image: Fixtures.image(origin: .real), checklist: Fixtures.checklist)
        #expect(outcome.status == .blocked)
        #expect(outcome.error?.code == .privacyRefused)
        #expect(outcome.attempts == 0)
    }

    @Test func plantedKeyNeverAppearsInErrorsOrDescriptions() async throws {
        let key = "sk-planted-\(UUID().uuidString)"
        let env = ["ROUNDS_TEST_KEY": key]
        try await withStandIn(expectedKey: "the-right-key-000") { server in
            var produced: [String] = []
            let endpoint = Fixtures.endpoint(server, keyEnv: "ROUNDS_TEST_KEY")
            let apiKey = try endpoint.apiKey(from: env)
            produced += ["\(endpoint)", "\(String(describing: apiKey))", "\(String(reflecting: apiKey))", "\(apiKey as Any)"]
            for provider in ProviderKind.allCases {
                var e = endpoint
                e.provider = provider
                let client = JudgeClient(endpoint: e, apiKey: apiKey, transport: Fixtures.sharedTransport, clock: VirtualClock())
                let outcome = await client.judge(image: Fixtures.image(), checklist: Fixtures.checklist)
                #expect(outcome.status == .failed)
                #expect(outcome.error?.status == 401)
                let http = provider.implementation.httpRequest(body: [], endpoint: e, apiKey: apiKey)
                produced += [
                    "\(outcome.error!)", outcome.error!.detailedDescription(), "\(outcome)", String(reflecting: outcome),
                    outcome.canonicalRequest, "\(http)", "\(e)",
                ]
            }
            // The server did receive the key (so the test is meaningful) and echoed it in its 401 body.
            #expect(server.requests.contains { $0.header("authorization") == "Bearer " + key })
            #expect(server.requests.contains { $0.header("x-api-key") == key })
            for text in produced { #expect(!text.contains(key)) }
            // A missing variable names the variable, not a value.
            let missing = #expect(throws: JudgeError.self) { try endpoint.apiKey(from: [:]) }
            #expect(missing?.message.contains("ROUNDS_TEST_KEY") == true)
        }
    }
}

/// A transport that must never be called.
struct FailingTransport: HTTPTransport {
    func send(_ request: HTTPRequestData) async throws -> HTTPResponseData {
        Issue.record("unexpected request to \(request.url)")
        throw JudgeError(.transport, "unexpected")
    }
}
