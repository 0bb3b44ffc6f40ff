import Foundation
import RoundsAlignment
import RoundsChecklists
import RoundsCore
import RoundsStore
import Testing

@Suite("CAS over the store")
struct CASJobTests {
    func job(_ f: CASStoreFixture, weights: CASWeights = .equal, allowMissing: Bool = false, k: Int = 3) -> CASJob {
        CASJob(
            targets: [f.near, f.far], reference: f.reals, referenceLabel: "split:test",
            options: CASJobOptions(weights: weights, allowMissing: allowMissing, k: k, replicates: 200))
    }

    @Test("without --allow-missing an unavailable weighted dimension is an error naming it and why")
    func missingIsAnError() throws {
        let f = try CASStoreFixture()
        defer { f.remove() }
        try f.judgeAll()
        let error = try #require(throws: AlignmentError.self) { try job(f).run(store: f.store, catalog: f.catalog) }
        #expect(error.message.contains("label_consistency for 10 image(s)"))
        #expect(error.message.contains("no condition classifier given (--classifier DIR)"))
        #expect(!error.message.contains("checklist_fidelity"))
        #expect(try f.store.rawRows("SELECT COUNT(*) FROM alignmentScore")[0][0] as Int == 0)
    }

    @Test("the dimensions follow the verdicts and features; CAS is their mean over the measured ones")
    func dimensionsAndMean() throws {
        let f = try CASStoreFixture()
        defer { f.remove() }
        try f.judgeAll()
        let result = try job(f, allowMissing: true).run(store: f.store, catalog: f.catalog)
        let by = Dictionary(uniqueKeysWithValues: result.images.map { ($0.image.id, $0) })
        let far = try #require(by[f.far.id])
        let weights = f.checklist.criteria.map(\.weight)
        let expected = (weights.reduce(0, +) - weights[0]) / weights.reduce(0, +)
        #expect(abs(far.dimensions[.checklistFidelity]! - expected) < 1e-12)
        #expect(far.dimensions[.plausibility] == 0)
        #expect(far.dimensions[.proximity] == 0)
        #expect(far.dimensions[.labelConsistency] == nil)
        #expect(far.unavailable[.labelConsistency]?.contains("classifier") == true)
        #expect(abs(far.score!.score - expected / 3) < 1e-12)
        #expect(far.score!.provenance.weights[.labelConsistency] == 0)
        #expect(far.judgeRun == f.run)
        let near = try #require(by[f.near.id])
        #expect(near.dimensions[.checklistFidelity] == 1)
        #expect(near.dimensions[.plausibility] == 1)

        // Proximity agrees with ProximityReference on the same features (reference images leave-one-out).
        let features = try FeatureMatrix(rows: try f.reals.map { try PixelFeatures.vector(path: $0.path, imageID: $0.id) })
        let ball = try ProximityReference(real: features, k: 3)
        let loo = try ball.scores(features, selfIndex: Array(0..<f.reals.count))
        for (i, real) in f.reals.enumerated() {
            #expect(by[real.id]!.dimensions[.proximity] == loo[i])
            #expect(by[real.id]!.isReference && by[real.id]!.group == "real")
        }
        let nearFeature = try FeatureMatrix(rows: [try PixelFeatures.vector(path: f.near.path, imageID: f.near.id)])
        #expect(near.dimensions[.proximity] == (try ball.scores(nearFeature))[0])
    }

    @Test("scores are stored per dimension plus cas, naming the run, checklist, reference hash and gaps")
    func storedWithProvenance() throws {
        let f = try CASStoreFixture()
        defer { f.remove() }
        try f.judgeAll()
        let result = try job(f, allowMissing: true).run(store: f.store, catalog: f.catalog)
        let rows = try f.store.rawRecords(AlignmentScoreRecord.self, "SELECT * FROM alignmentScore")
        #expect(rows.count == 10 * 4)  // three measured dimensions + cas for each of the 10 images
        let cas = try #require(rows.first { $0.imageID == f.far.id && $0.dimension == "cas" })
        #expect(cas.computedBy.contains(ClinicalAlignmentScore.version))
        #expect(cas.computedBy.contains("judge-run=\(f.run)"))
        #expect(cas.computedBy.contains("checklist=\(f.checklist.version)"))
        #expect(cas.computedBy.contains("artefacts=\(f.artefacts.version)"))
        #expect(cas.computedBy.contains("unavailable=label_consistency"))
        #expect(cas.reference == "split:test sha256:\(result.referenceHash)")
        #expect(!rows.contains { $0.dimension == CASDimension.labelConsistency.rawValue })
    }

    @Test("zero weight on the unavailable dimension needs no --allow-missing; the tail uses real CAS")
    func explicitWeightsAndTail() throws {
        let f = try CASStoreFixture()
        defer { f.remove() }
        try f.judgeAll()
        let weights = try CASWeights([.checklistFidelity: 1, .plausibility: 1, .proximity: 1])
        let result = try job(f, weights: weights).run(store: f.store, catalog: f.catalog, save: false)
        let tail = try #require(result.tails.first)
        #expect(result.tails.count == 1 && tail.group == "gen-a")
        let estimate = try #require(tail.conditions[f.condition.description])
        let realCAS = result.images.filter(\.isReference).map { $0.score!.score }
        #expect(estimate.realCount == f.reals.count && estimate.generatedCount == 2)
        #expect(abs(estimate.threshold - (try Percentile.linear(realCAS, 10))) < 1e-12)
        #expect(estimate.share >= 0.5)  // the far image is below every real image
        let json = result.json.canonicalString
        #expect(json.contains("\"label_consistency\":null"))
        #expect(result.table.contains("unavailable: label_consistency for 10 image(s)"))
        #expect(try f.store.rawRows("SELECT COUNT(*) FROM alignmentScore")[0][0] as Int == 0)
    }

    @Test("unjudged images make fidelity unavailable; too few reals make proximity unavailable")
    func unavailableReasons() throws {
        let f = try CASStoreFixture(reals: 3)
        defer { f.remove() }
        let error = try #require(throws: AlignmentError.self) {
            try job(f, weights: try CASWeights([.checklistFidelity: 1, .proximity: 1])).run(store: f.store, catalog: f.catalog)
        }
        #expect(error.message.contains("checklist_fidelity for 5 image(s) (not judged against the current checklist)"))
        #expect(error.message.contains("3 real reference image(s) of dermatology/acne; proximity with k = 3 needs 5"))
        let result = try job(f, allowMissing: true).run(store: f.store, catalog: f.catalog, save: false)
        #expect(result.images.allSatisfy { $0.score == nil && $0.unscoredReason != nil })
        #expect(result.tails.isEmpty)
    }

    @Test("a reference image that is not real, or an empty reference, is an error")
    func badReference() throws {
        let f = try CASStoreFixture()
        defer { f.remove() }
        var bad = job(f, allowMissing: true)
        bad.reference = f.reals + [f.far]
        bad.targets = [f.near]
        let error = try #require(throws: AlignmentError.self) { try bad.run(store: f.store, catalog: f.catalog) }
        #expect(error.message.contains("origin synthetic"))
        bad.reference = []
        #expect(throws: AlignmentError.self) { try bad.run(store: f.store, catalog: f.catalog) }
        #expect(throws: AlignmentError.self) { try CASSelection.images(["nope.png"], store: f.store) }
        #expect(throws: AlignmentError.self) { try CASSelection.images(judgedIn: 99, store: f.store) }
    }
}
