import Foundation
import HTTPTypes
import RoundsBroker
import RoundsChecklists
import RoundsCore
import RoundsStore
import Testing

@testable import RoundsStudio

@Suite("Studio pairs, agreement and results")
struct StudioReviewTests {
    @Test("a pair shows both images; the pick is stored as the rater's preference and the next pair opens")
    func pairs() async throws {
        let f = try StudioFixture()
        defer { f.remove() }
        let p1 = try f.store.addPair(PairCandidateRecord(imageA: f.images[0].id, imageB: f.images[2].id, condition: f.condition.description))
        let p2 = try f.store.addPair(PairCandidateRecord(imageA: f.images[1].id, imageB: f.images[3].id, condition: f.condition.description))
        let client = StudioClient(f.studio())
        let index = try await client.get("/pairs")
        #expect(index.body.contains("/pairs/\(p1.id!)"))
        let page = try await client.get("/pairs/\(p1.id!)")
        #expect(page.body.contains("/image/\(f.images[0].id)") && page.body.contains("/image/\(f.images[2].id)"))
        #expect(page.body.contains("<kbd>A</kbd>"))
        let picked = try await client.post("/pairs/\(p1.id!)", [("choice", "b")])
        #expect(picked.location == "/pairs/\(p2.id!)")
        _ = try await client.post("/pairs/\(p1.id!)", [("choice", "b")])
        let tie = try await client.post("/pairs/\(p2.id!)", [("choice", "tie")])
        #expect(tie.location == "/pairs")
        let stored = try f.store.humanPairPreferences()
        #expect(stored.map(\.choice) == [.b, .tie])
        #expect(stored.allSatisfy { $0.rater == "dr-a" })
        #expect(try await client.post("/pairs/\(p2.id!)", [("choice", "c")]).status == .badRequest)
    }

    @Test("agreement shows the same κ as rounds agreement, rater against rater, the trust gate, and links each disagreement")
    func agreement() async throws {
        let f = try StudioFixture()
        defer { f.remove() }
        try f.judge()
        let criteria = f.checklist.criteria.map(\.id)
        let a = StudioClient(f.studio(rater: "dr-a"))
        let b = StudioClient(f.studio(rater: "dr-b"))
        for c in [a, b] { _ = try await c.get("/") }
        for (i, image) in f.images.enumerated() {
            var fields = [("image", image.id), ("queue", "condition=\(f.condition)")]
            // dr-a agrees with the judge except on criterion 0 of image 0; dr-b says met everywhere.
            for (k, id) in criteria.enumerated() {
                let judge: Verdict = (i + k) % 2 == 0 ? .met : .notMet
                let mine: Verdict = i == 0 && k == 0 ? .notMet : judge
                fields.append(("criterion:\(id)", mine.rawValue))
            }
            _ = try await a.post("/label/image", fields)
            _ = try await b.post("/label/image", [("image", image.id), ("queue", "condition=\(f.condition)")] + criteria.map { ("criterion:\($0)", "met") })
        }
        let page = try await a.get("/agreement")
        #expect(page.status == .ok)
        let expected = try AgreementJob(rater: "dr-a", run: nil, options: AgreementOptions()).run(store: f.store, catalog: f.catalog)
        for c in expected.report.criteria {
            #expect(page.body.contains("<td>\(c.criterion)</td><td class=\"\(expected.report.flagged[c.criterion] == nil ? "" : "kappa-low")\">\(AgreementRoutes.number(c.kappa.value))</td>"))
        }
        #expect(page.body.contains("dr-a ↔ dr-b"))
        #expect(page.body.contains("Trust gate"))
        #expect(page.body.contains("/label/image?id=\(f.images[0].id)"))
        let bad = try await a.get("/agreement?run=zero")
        #expect(bad.status == .badRequest)
    }

    @Test("results list runs and show a run's verdicts with evidence per image, and stored alignment scores")
    func results() async throws {
        let f = try StudioFixture()
        defer { f.remove() }
        let run = try f.judge(evidence: "scale covers 20% of the plaque")
        try f.store.addAlignmentScores([AlignmentScoreRecord(imageID: f.images[0].id, dimension: "fidelity", score: 0.75, computedBy: "test")])
        let client = StudioClient(f.studio())
        let index = try await client.get("/results")
        #expect(index.body.contains("/results/\(run)"))
        let page = try await client.get("/results/\(run)")
        #expect(page.body.contains("scale covers 20% of the plaque"))
        #expect(page.body.contains("\(f.images.count) image(s) judged"))
        #expect(page.body.contains("0.750"))
    }
}
