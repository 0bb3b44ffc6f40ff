import Foundation
import HTTPTypes
import RoundsChecklists
import RoundsCore
import RoundsStore
import Testing

@testable import RoundsStudio

@Suite("Studio labelling: queue, blind first, the judge revealed after answering, undo, concurrent raters")
struct StudioLabelTests {
    static let queue = "condition=synthetic/scaly-plaque"

    func answers(_ f: StudioFixture, _ image: Int, _ verdicts: [Verdict]) -> [(String, String)] {
        var fields = [("image", f.images[image].id), ("queue", Self.queue)]
        for (c, v) in zip(f.checklist.criteria, verdicts) { fields.append(("criterion:\(c.id)", v.rawValue)) }
        fields.append(("plausibility", "plausible"))
        return fields
    }

    @Test("the queue opens the first unlabelled image; the page is blind until the rater answers, then shows the judge beside it")
    func blindThenRevealed() async throws {
        let f = try StudioFixture()
        defer { f.remove() }
        try f.judge(evidence: "the plaque is clearly red")
        let client = StudioClient(f.studio())
        let queue = try await client.get("/label/queue?\(Self.queue)")
        #expect(queue.status == .seeOther)
        #expect(queue.location?.contains("id=\(f.images[0].id)") == true)
        let blind = try await client.follow(queue)
        #expect(blind.status == .ok)
        #expect(blind.body.contains("id=\"label-form\""))
        #expect(!blind.body.contains("the plaque is clearly red"))
        #expect(!blind.body.contains("test-judge"))
        #expect(blind.body.contains("<kbd>M</kbd>"))
        // Image 0 under the judge: criterion c met when c is even. The rater says met everywhere.
        let verdicts = Array(repeating: Verdict.met, count: f.checklist.criteria.count)
        let saved = try await client.post("/label/image", answers(f, 0, verdicts))
        #expect(saved.status == .seeOther)
        let revealed = try await client.follow(saved)
        #expect(revealed.body.contains("the plaque is clearly red"))
        #expect(revealed.body.contains("test-judge"))
        let odd = f.checklist.criteria.indices.filter { $0 % 2 == 1 }.count
        #expect(revealed.body.components(separatedBy: "class=\"disagree\"").count - 1 == odd)
        #expect(revealed.body.contains("id=\"next-image\""))
        #expect(revealed.body.contains("id=\(f.images[1].id)"))
        // Stored as labels import stores them: humanLabel + humanCriterionLabel, with the rater's name.
        let labels = try f.store.labels(rater: "dr-a")
        #expect(labels.count == 1)
        #expect(labels[0].label.imageID == f.images[0].id)
        #expect(labels[0].label.plausible == true)
        #expect(labels[0].label.source == "studio")
        #expect(labels[0].criteria.count == f.checklist.criteria.count)
        #expect(labels[0].criteria.values.allSatisfy { $0 == .met })
    }

    @Test("undo removes the label just made and the image is blind again; a label someone else made cannot be undone")
    func undo() async throws {
        let f = try StudioFixture()
        defer { f.remove() }
        let client = StudioClient(f.studio())
        _ = try await client.get("/")
        _ = try await client.post("/label/image", answers(f, 1, [.notMet, .uncertain]))
        let id = try #require(try f.store.labels(rater: "dr-a").first?.label.id)
        let other = StudioClient(f.studio(rater: "dr-z"))
        _ = try await other.get("/")
        #expect(try await other.post("/label/undo", [("label", "\(id)"), ("image", f.images[1].id), ("queue", Self.queue)]).status == .notFound)
        let undone = try await client.post("/label/undo", [("label", "\(id)"), ("image", f.images[1].id), ("queue", Self.queue)])
        #expect(undone.status == .seeOther)
        #expect(try f.store.labels(rater: "dr-a").isEmpty)
        #expect(try await client.follow(undone).body.contains("id=\"label-form\""))
    }

    @Test("filters narrow the queue: origin, split, skin tone and judge run; the queue ends with a finished page")
    func filters() async throws {
        let f = try StudioFixture()
        defer { f.remove() }
        let client = StudioClient(f.studio())
        let real = try await client.get("/label/queue?\(Self.queue)&origin=real")
        #expect(real.location?.contains("id=\(f.images[1].id)") == true)
        let test = try await client.get("/label/queue?\(Self.queue)&split=test&origin=synthetic")
        #expect(test.location?.contains("id=\(f.images[2].id)") == true)
        let skin = try await client.get("/label/queue?\(Self.queue)&skin=V")
        #expect(skin.location?.contains("id=\(f.images[0].id)") == true)
        let noRun = try await client.get("/label/queue?\(Self.queue)&run=5")
        #expect(noRun.status == .ok)
        #expect(noRun.body.contains("queue finished"))
        _ = try await client.post("/label/image", answers(f, 0, [.met]))
        let done = try await client.get("/label/queue?\(Self.queue)&skin=V")
        #expect(done.body.contains("queue finished"))
        let index = try await client.get("/label")
        #expect(index.body.contains("Scaly plaque"))
    }

    @Test("bad answers are refused naming the field: a verdict that is not one, a stray criterion, nothing answered, another condition's image")
    func badAnswers() async throws {
        let f = try StudioFixture()
        defer { f.remove() }
        let client = StudioClient(f.studio())
        _ = try await client.get("/")
        let c = f.checklist.criteria[0].id
        let bad = try await client.post("/label/image", [("image", f.images[0].id), ("queue", Self.queue), ("criterion:\(c)", "maybe")])
        #expect(bad.status == .badRequest)
        #expect(bad.body.contains("criterion \(c)"))
        let stray = try await client.post("/label/image", [("image", f.images[0].id), ("queue", Self.queue), ("criterion:nope", "met")])
        #expect(stray.status == .badRequest)
        #expect(stray.body.contains("criterion:nope"))
        let empty = try await client.post("/label/image", [("image", f.images[0].id), ("queue", Self.queue)])
        #expect(empty.status == .badRequest)
        let wrong = try await client.post(
            "/label/image", [("image", f.images[0].id), ("queue", "condition=synthetic/target-lesion"), ("plausibility", "plausible")])
        #expect(wrong.status == .badRequest)
        #expect(wrong.body.contains("not synthetic/target-lesion"))
        #expect(try f.store.labels(rater: "dr-a").isEmpty)
    }

    @Test("two browsers: the same answer sent twice is one label; two raters at once each keep theirs")
    func concurrentRaters() async throws {
        let f = try StudioFixture(count: 6)
        defer { f.remove() }
        let a = StudioClient(f.studio(rater: "dr-a"))
        let a2 = StudioClient(f.studio(rater: "dr-a"))
        let b = StudioClient(f.studio(rater: "dr-b"))
        for c in [a, a2, b] { _ = try await c.get("/") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<6 {
                let fa = answers(f, i, [.met, .notMet]), fb = answers(f, i, [.notMet, .met])
                group.addTask { _ = try await a.post("/label/image", fa) }
                group.addTask { _ = try await a2.post("/label/image", fa) }
                group.addTask { _ = try await b.post("/label/image", fb) }
            }
            try await group.waitForAll()
        }
        let mine = try f.store.labels(rater: "dr-a")
        let theirs = try f.store.labels(rater: "dr-b")
        #expect(mine.count == 6)
        #expect(Set(mine.map(\.label.imageID)).count == 6)
        #expect(theirs.count == 6)
        #expect(theirs.allSatisfy { $0.criteria[f.checklist.criteria[0].id] == .notMet })
    }
}
