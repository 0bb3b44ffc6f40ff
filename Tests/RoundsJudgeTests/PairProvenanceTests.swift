import Foundation
import RoundsCore
import RoundsJudge
import RoundsStore
import RoundsTestSupport
import Testing

/// `rounds judge --pairs`: each order's comparison is traceable to its request (key, canonical request,
/// answer, model), and a pair that keeps coming back indeterminate waits for `--retry-failed`.
@Suite struct PairProvenanceTests {
    static func pairFixture() throws -> (BatchJudgingTests.Fixture, Int64) {
        let f = try BatchJudgingTests.fixture(count: 2)
        let pair = try f.store.addPair(PairCandidateRecord(imageA: f.imageIDs[0], imageB: f.imageIDs[1],
                                                           condition: "dermatology/vitiligo"))
        return (f, pair.id!)
    }

    func plan(_ f: BatchJudgingTests.Fixture, retryFailed: Bool = false) throws -> PairRunPlan {
        try PairRunPlan.make(store: f.store, catalog: f.catalog, prompts: f.prompts, model: "judge-model",
                             retryFailed: retryFailed, maxFailedAttempts: 2)
    }

    @Test func eachOrderStoresItsRequestKeyCanonicalRequestAnswerAndModel() async throws {
        let (f, pairID) = try Self.pairFixture()
        defer { f.remove() }
        try await withStandIn { server in
            server.respond { _, _ in .answer(#"{"criteria": [], "overall": "tie", "reason": "equally faithful"}"#) }
            let client = JudgeClient(endpoint: Fixtures.endpoint(server), apiKey: nil, transport: Fixtures.sharedTransport,
                                     clock: VirtualClock())
            let summary = try await PairRunner(store: f.store, client: client).run(try plan(f))
            #expect(summary.judged == 1, "\(summary.failures)")
            let rows = try f.store.rawRecords(
                PairComparisonRecord.self, "SELECT * FROM pairComparison WHERE pairID = ? ORDER BY presentedOrder", [pairID])
            #expect(rows.map(\.presentedOrder) == [.ab, .ba, .both])
            let sent = server.requests.filter { $0.path == "/v1/chat/completions" }
            #expect(sent.count == 2)
            for order in rows where order.presentedOrder != .both {
                let key = try #require(order.requestKey)
                let canonical = try #require(order.canonicalRequest)
                // The canonical request names both images by id and carries no pixels.
                #expect(canonical.contains(f.imageIDs[0]) && canonical.contains(f.imageIDs[1]))
                #expect(!canonical.contains("base64,iVBOR"))
                #expect(order.responseText?.contains("\"overall\": \"tie\"") == true)
                #expect(order.answeredModel == "judge-model")
                #expect(order.attempts == 1 && order.error == nil)
                // The key is the CLI.md request key of what went over the wire.
                let expected: JSONValue = ["base_url": .string(server.baseURL), "model": "judge-model",
                                           "body": try JSONValue(parsing: canonical)]
                #expect(key == expected.canonicalHash)
            }
            #expect(Set(rows.compactMap(\.requestKey)).count == 2, "the two orders are different requests")
            #expect(rows[2].requestKey == nil && rows[2].outcome == .tie)
        }
    }

    @Test func aPairIndeterminateTooOftenWaitsForRetryFailed() async throws {
        let (f, pairID) = try Self.pairFixture()
        defer { f.remove() }
        try await withStandIn { server in
            server.respond { _, _ in .answer("no idea") }
            let client = JudgeClient(endpoint: Fixtures.endpoint(server), apiKey: nil, transport: Fixtures.sharedTransport,
                                     clock: VirtualClock())
            for round in 1...2 {
                let p = try plan(f)
                #expect(p.items.count == 1 && p.heldBack.isEmpty, "round \(round)")
                let summary = try await PairRunner(store: f.store, client: client).run(p)
                #expect(summary.failed == 1)
            }
            let held = try plan(f)
            #expect(held.items.isEmpty && held.heldBack == [pairID])
            #expect(try plan(f, retryFailed: true).items.count == 1)
            let both = try f.store.rawRecords(PairComparisonRecord.self, "SELECT * FROM pairComparison WHERE presentedOrder = 'both'")
            #expect(both.count == 2 && both.allSatisfy { $0.outcome == .indeterminate })
            #expect(both.allSatisfy { ($0.error ?? "").contains("A first: unparseable") })
            let orders = try f.store.rawRecords(PairComparisonRecord.self, "SELECT * FROM pairComparison WHERE presentedOrder <> 'both'")
            #expect(orders.allSatisfy { $0.responseText == "no idea" && $0.error?.hasPrefix("unparseable") == true })
        }
    }
}
