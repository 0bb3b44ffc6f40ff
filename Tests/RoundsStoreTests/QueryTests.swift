import Foundation
import GRDB
import RoundsCore
import Testing

@testable import RoundsStore

@Suite struct QueryTests {
    @Test func pendingImagesSkipJudgedButRetryFailedAndOtherModels() throws {
        let t = try TempStore()
        defer { t.remove() }
        let images = (0..<5).map { Fixtures.image($0) } + [Fixtures.image(9, condition: Fixtures.psoriasis)]
        try t.store.addImages(images)
        let run = try Fixtures.run(in: t.store)
        let otherRun = try Fixtures.run(in: t.store, model: "other-model")
        try t.store.addJudgment(
            Fixtures.judgment(run: run, image: images[0].id), verdicts: Fixtures.verdicts([("a", .met)]))
        try t.store.addJudgment(Fixtures.judgment(run: run, image: images[1].id, error: "HTTP 500"), verdicts: [])
        try t.store.addJudgment(
            Fixtures.judgment(run: otherRun, image: images[2].id), verdicts: Fixtures.verdicts([("a", .met)]))
        let pending = try t.store.pendingImageIDs(
            checklistVersion: Fixtures.checklist.id, promptVersion: Fixtures.prompt.id, model: "gpt-x")
        #expect(pending == images[1...4].map(\.id).sorted())
        let realOnly = try t.store.pendingImageIDs(
            checklistVersion: Fixtures.checklist.id, promptVersion: Fixtures.prompt.id, model: "gpt-x", origin: .real)
        #expect(realOnly.isEmpty)
        let other = try t.store.pendingImageIDs(
            checklistVersion: Fixtures.checklist.id, promptVersion: Fixtures.prompt.id, model: "other-model")
        #expect(other.count == 4 && !other.contains(images[2].id))
        let e = try #require(throws: StoreError.self) {
            try t.store.pendingImageIDs(
                checklistVersion: SHA256.hex("nope"), promptVersion: Fixtures.prompt.id, model: "gpt-x")
        }
        #expect(e.code == .notFound)
    }

    @Test func rejudgingAppendsAndLatestWins() throws {
        let t = try TempStore()
        defer { t.remove() }
        let image = Fixtures.image(1)
        try t.store.addImages([image])
        let run = try Fixtures.run(in: t.store)
        try t.store.addJudgment(
            Fixtures.judgment(run: run, image: image.id),
            verdicts: Fixtures.verdicts([("border", .notMet), ("color", .met)]))
        try t.store.addJudgment(
            Fixtures.judgment(run: run, image: image.id),
            verdicts: Fixtures.verdicts([("border", .met), ("color", .uncertain)]))
        try t.store.addJudgment(Fixtures.judgment(run: run, image: image.id, error: "timeout"), verdicts: [])
        let latest = try t.store.latestVerdicts(checklistVersion: Fixtures.checklist.id)
        #expect(latest.map(\.criterionID) == ["border", "color"])
        #expect(latest.map(\.verdict) == [.met, .uncertain])
        #expect(latest.allSatisfy { $0.model == "gpt-x" })
        let key = Fixtures.judgment(run: run, image: image.id).requestKey
        #expect(try t.store.succeededJudgment(requestKey: key)?.responseText == "{}")
        #expect(try t.store.succeededJudgment(requestKey: SHA256.hex("never sent")) == nil)
        let all = try t.store.read("count") { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM criterionVerdict")!
        }
        #expect(all == 4)
        #expect(
            try t.store.latestVerdicts(checklistVersion: Fixtures.checklist.id, imageIDs: [SHA256.hex("none")]).isEmpty)
        #expect(try t.store.latestVerdicts(checklistVersion: Fixtures.checklist.id, model: "other").isEmpty)
    }

    @Test func pairsAndComparisons() throws {
        let t = try TempStore()
        defer { t.remove() }
        let a = Fixtures.image(1), b = Fixtures.image(2)
        try t.store.addImages([a, b])
        let run = try Fixtures.run(in: t.store)
        let pair = try t.store.addPair(
            PairCandidateRecord(imageA: a.id, imageB: b.id, condition: "dermatology/vitiligo"))
        let again = try t.store.addPair(
            PairCandidateRecord(imageA: a.id, imageB: b.id, condition: "dermatology/vitiligo"))
        #expect(pair.id == again.id)
        for (order, outcome) in [
            (PairComparisonRecord.Order.ab, PairComparisonRecord.Outcome.a), (.ba, .b), (.both, .inconsistent),
        ] {
            _ = try t.store.addComparison(
                PairComparisonRecord(
                    pairID: pair.id!, runID: run, checklistVersionID: Fixtures.checklist.id,
                    promptVersionID: Fixtures.prompt.id, presentedOrder: order, outcome: outcome))
        }
        let pairs = try t.store.pairs(condition: Fixtures.vitiligo)
        #expect(pairs.count == 1)
        #expect(pairs[0].comparisons.map(\.outcome) == [.a, .b, .inconsistent])
        #expect(try t.store.pairs(condition: Fixtures.psoriasis).isEmpty)
        #expect(throws: StoreError.self) {
            try t.store.addPair(PairCandidateRecord(imageA: a.id, imageB: a.id, condition: "dermatology/vitiligo"))
        }
    }

    @Test func lineageFollowsParents() throws {
        let t = try TempStore()
        defer { t.remove() }
        let base = try t.store.addCheckpoint(
            CheckpointRecord(path: "m0", sha256: SHA256.hex("m0"), objective: .pretrain))
        let rft = try t.store.addCheckpoint(
            CheckpointRecord(
                path: "m1", sha256: SHA256.hex("m1"), parentID: base.id, objective: .rft, signalPath: "w.csv"))
        let dpo = try t.store.addCheckpoint(
            CheckpointRecord(
                path: "m2", sha256: SHA256.hex("m2"), parentID: rft.id, objective: .dpo,
                hyperParameters: #"{"beta":5000}"#))
        #expect(try t.store.lineage(of: dpo.id!).map(\.path) == ["m2", "m1", "m0"])
        #expect(try t.store.lineage(of: base.id!).map(\.path) == ["m0"])
        let e = try #require(throws: StoreError.self) { try t.store.lineage(of: 999) }
        #expect(e.code == .notFound)
        #expect(throws: StoreError.self) {
            try t.store.addCheckpoint(
                CheckpointRecord(path: "m3", sha256: SHA256.hex("m3"), parentID: 999, objective: .rft))
        }
    }

    @Test func labelsPerRater() throws {
        let t = try TempStore()
        defer { t.remove() }
        let image = Fixtures.image(1)
        try t.store.addImages([image])
        try t.store.write("labels") { db in
            var l = HumanLabelRecord(rater: "dr-a", imageID: image.id, plausible: true)
            try l.insert(db)
            var c = HumanCriterionLabelRecord(labelID: l.id!, criterionID: "border", verdict: .notMet)
            try c.insert(db)
            var other = HumanLabelRecord(rater: "dr-b", imageID: image.id, plausible: false)
            try other.insert(db)
        }
        let a = try t.store.labels(rater: "dr-a")
        #expect(a.count == 1 && a[0].label.plausible == true && a[0].criteria == ["border": .notMet])
        #expect(try t.store.raters() == ["dr-a", "dr-b"])
        #expect(try t.store.labels(rater: "nobody").isEmpty)
    }

    /// A bulk import stamps many images in the same millisecond; the listing must still be the order
    /// they were added (not by id), or a round that trains on them would not repeat exactly.
    @Test func imagesAddedInOneInstantListInInsertionOrder() throws {
        let t = try TempStore()
        defer { t.remove() }
        let instant = Date(timeIntervalSince1970: 1_800_000_000)
        var images = (0..<12).map { n -> ImageRecord in
            var r = Fixtures.image(n, origin: .real)
            r.addedAt = instant
            return r
        }
        images.sort { $0.id > $1.id }  // added in descending id order: by id the listing would reverse
        try t.store.addImages(Array(images[..<6]))
        try t.store.addImages(Array(images[6...]))
        #expect(try t.store.images(origin: .real).map(\.id) == images.map(\.id))
        #expect(try t.store.images(condition: Fixtures.vitiligo, origin: .real, limit: 4).map(\.id) == images[..<4].map(\.id))
        var later = Fixtures.image(99, origin: .real)
        later.addedAt = instant.addingTimeInterval(-60)  // an earlier stamp still lists first
        try t.store.addImages([later])
        #expect(try t.store.images(origin: .real).first?.id == later.id)
    }
}
