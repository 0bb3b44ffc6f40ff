import Foundation
import RoundsAlignment
import RoundsCore
import RoundsImaging
import RoundsStore
import RoundsVision
import Testing

/// CAS with a condition classifier: label consistency is its probability of the intended condition,
/// proximity runs on its features, and every score names the classifier's version.
@Suite("CAS with a condition classifier")
struct CASClassifierTests {
    /// A classifier of acne (the fixture's photos) against a flat-blue "vitiligo", saved to disk.
    static func classifier(_ f: CASStoreFixture) throws -> (URL, ConditionClassifier) {
        let photos = try f.reals.map { LabelledImageFolder.modelInput(try ImageFile.load(path: $0.path).image, size: 8, channels: 3) }
        let blue = (0..<8).map { i in
            [Float](repeating: -1, count: 128) + [Float](repeating: 0.8 + 0.02 * Float(i), count: 64)
        }
        let classifier = try ConditionClassifier.train(
            images: photos + blue, labels: photos.map { _ in 0 } + blue.map { _ in 1 },
            conditions: ["dermatology/acne", "dermatology/vitiligo"], channels: 3, size: 8,
            options: ClassifierTrainingOptions(epochs: 6, batch: 8, learningRate: 5e-3, seed: 1, widths: [8, 8, 8]))
        let dir = f.folder.appendingPathComponent("classifier")
        try classifier.save(to: dir)
        return (dir, classifier)
    }

    @Test func labelConsistencyAndProximityComeFromTheClassifier() throws {
        let f = try CASStoreFixture()
        defer { f.remove() }
        try f.judgeAll()
        let (dir, classifier) = try Self.classifier(f)
        let job = CASJob(
            targets: [f.near, f.far], reference: f.reals, referenceLabel: "split:test",
            options: CASJobOptions(k: 3, replicates: 200, classifier: dir))
        let result = try job.run(store: f.store, catalog: f.catalog)
        #expect(result.features == "classifier:\(classifier.version)")
        let all = [f.near!, f.far!] + f.reals
        let inputs = try all.map { LabelledImageFolder.modelInput(try ImageFile.load(path: $0.path).image, size: 8, channels: 3) }
        let p = try classifier.probabilities(inputs)
        let by = Dictionary(uniqueKeysWithValues: result.images.map { ($0.image.id, $0) })
        for (image, row) in zip(all, p) {
            let measured = try #require(by[image.id]?.dimensions[.labelConsistency])
            #expect(abs(measured - Double(row[0])) < 1e-7)
        }
        // Proximity matches ProximityReference on the classifier's features.
        let features = try classifier.features(inputs).map { $0.map(Double.init) }
        let ball = try ProximityReference(real: try FeatureMatrix(rows: Array(features[2...])), k: 3)
        let near = try ball.scores(try FeatureMatrix(rows: [features[0]]))[0]
        #expect(by[f.near.id]?.dimensions[.proximity] == near)

        let rows = try f.store.rawRecords(AlignmentScoreRecord.self, "SELECT * FROM alignmentScore")
        let label = rows.filter { $0.dimension == CASDimension.labelConsistency.rawValue }
        #expect(label.count == 10)
        #expect(rows.allSatisfy { $0.computedBy.contains("features=classifier:\(classifier.version)") })
        #expect(result.json["features"]?.stringValue == "classifier:\(classifier.version)")
    }

    @Test func aConditionTheClassifierDoesNotKnowIsMissingWithItsReason() throws {
        let f = try CASStoreFixture()
        defer { f.remove() }
        try f.judgeAll()
        let photos = try f.reals.map { LabelledImageFolder.modelInput(try ImageFile.load(path: $0.path).image, size: 8, channels: 3) }
        let other = try ConditionClassifier.train(
            images: photos, labels: photos.indices.map { $0 % 2 }, conditions: ["dermatology/eczema", "dermatology/keloid"],
            channels: 3, size: 8, options: ClassifierTrainingOptions(epochs: 1, seed: 1, widths: [4, 4, 4]))
        let dir = f.folder.appendingPathComponent("other")
        try other.save(to: dir)
        let job = CASJob(
            targets: [f.near, f.far], reference: f.reals, referenceLabel: "split:test",
            options: CASJobOptions(k: 3, replicates: 200, classifier: dir))
        let error = try #require(throws: AlignmentError.self) { try job.run(store: f.store, catalog: f.catalog) }
        #expect(error.message.contains("condition dermatology/acne is not one the classifier knows"), "\(error.message)")
        let broken = CASJob(
            targets: [f.near], reference: f.reals, referenceLabel: "split:test",
            options: CASJobOptions(k: 3, replicates: 200, classifier: f.folder.appendingPathComponent("nowhere")))
        let missing = try #require(throws: VisionError.self) { try broken.run(store: f.store, catalog: f.catalog) }
        #expect(missing.message.contains("nowhere/classifier.json"))
    }
}
