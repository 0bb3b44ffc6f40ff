import Foundation
import RoundsTensor
import Testing

@testable import RoundsVision

@Suite struct ConditionClassifierTests {
    static let options = ClassifierTrainingOptions(epochs: 20, batch: 16, learningRate: 5e-3, seed: 7, widths: [8, 8, 8])

    static func trained() throws -> ConditionClassifier {
        let toy = ToyImages.make(perClass: 24, seed: 1)
        return try ConditionClassifier.train(
            images: toy.images, labels: toy.labels, conditions: ToyImages.conditions, channels: 3, size: ToyImages.size,
            options: options)
    }

    @Test func clearlyBeatsChanceOnHeldOutToyImages() throws {
        var epochs: [Int] = []
        let toy = ToyImages.make(perClass: 24, seed: 1)
        let classifier = try ConditionClassifier.train(
            images: toy.images, labels: toy.labels, conditions: ToyImages.conditions, channels: 3, size: ToyImages.size,
            options: Self.options
        ) { epoch, loss, _ in
            #expect(loss.isFinite)
            epochs.append(epoch)
        }
        #expect(epochs == Array(1...20))
        let test = ToyImages.make(perClass: 20, seed: 99)
        let accuracy = try classifier.accuracy(images: test.images, labels: test.labels)
        #expect(accuracy >= 0.9, "held-out accuracy \(accuracy); chance is 0.33")
        let p = try classifier.probabilities(Array(test.images.prefix(5)))
        for row in p { #expect(abs(row.reduce(0, +) - 1) < 1e-5) }
        let f = try classifier.features(Array(test.images.prefix(5)))
        #expect(f.count == 5 && f.allSatisfy { $0.count == 8 })
        #expect(classifier.version.count == 64)
    }

    @Test func automaticEpochsGiveSmallSetsEnoughSteps() {
        #expect(ClassifierTrainingOptions.automaticEpochs(images: 204, batch: 32) == 46)  // 7 steps per epoch
        #expect(ClassifierTrainingOptions.automaticEpochs(images: 820, batch: 32) == 16)  // 26 steps per epoch
        #expect(ClassifierTrainingOptions.automaticEpochs(images: 1, batch: 32) == 320)
    }

    @Test func equalSeedsGiveEqualWeights() throws {
        let a = try Self.trained(), b = try Self.trained()
        #expect(a.version == b.version)
    }

    @Test func saveAndLoadRoundTripBitExactly() throws {
        let classifier = try Self.trained()
        classifier.heldOut = HeldOutResult(images: 12, accuracy: 0.75)
        let dir = try ToyImages.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try classifier.save(to: dir)
        let loaded = try ConditionClassifier(directory: dir)
        #expect(loaded.conditions == classifier.conditions)
        #expect(loaded.architecture == classifier.architecture)
        #expect(loaded.heldOut == classifier.heldOut)
        #expect(loaded.training == classifier.training)
        #expect(loaded.version == classifier.version)
        let fileBytes = try Data(contentsOf: dir.appendingPathComponent(ConditionClassifier.weightsFile))
        #expect([UInt8](fileBytes) == classifier.weightsBytes())
        let original = classifier.model.stateDict(), reread = loaded.model.stateDict()
        #expect(original.keys.sorted() == reread.keys.sorted())
        for (name, t) in original {
            #expect(t.scalars.map(\.bitPattern) == reread[name]!.scalars.map(\.bitPattern), "\(name)")
        }
        let toy = ToyImages.make(perClass: 3, seed: 5)
        #expect(try classifier.probabilities(toy.images) == loaded.probabilities(toy.images))
    }

    @Test func aTruncatedWeightsFileNamesTheFileAndATensor() throws {
        let dir = try ToyImages.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.trained().save(to: dir)
        let weights = dir.appendingPathComponent(ConditionClassifier.weightsFile)
        let bytes = try Data(contentsOf: weights)
        try bytes.prefix(bytes.count - 100).write(to: weights)
        let error = try #require(throws: VisionError.self) { try ConditionClassifier(directory: dir) }
        #expect(error.code == .weightsMismatch)
        let text = "\(error)"
        #expect(text.contains(weights.path), "\(text)")
        #expect(text.contains("head.weight") || text.contains("head.bias") || text.contains("truncated"), "\(text)")
        #expect(text.contains("tensor '"), "\(text)")
    }

    @Test func aTensorOfTheWrongShapeIsNamedWithBothShapes() throws {
        let dir = try ToyImages.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let classifier = try Self.trained()
        try classifier.save(to: dir)
        var tensors = classifier.model.stateDict()
        tensors["conv2.weight"] = Tensor.zeros([8, 8, 1, 1])
        let weights = dir.appendingPathComponent(ConditionClassifier.weightsFile)
        try Safetensors.write(tensors, to: weights.path)
        let error = try #require(throws: VisionError.self) { try ConditionClassifier(directory: dir) }
        let text = "\(error)"
        #expect(error.code == .weightsMismatch)
        #expect(text.contains(weights.path) && text.contains("conv2.weight"), "\(text)")
        #expect(text.contains("[8, 8, 3, 3]") && text.contains("[8, 8, 1, 1]"), "\(text)")
    }

    @Test func replacedWeightsOfTheRightShapeFailTheSHA256Check() throws {
        let dir = try ToyImages.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let classifier = try Self.trained()
        try classifier.save(to: dir)
        var tensors = classifier.model.stateDict()
        tensors["head.bias"] = Tensor.zeros([3])
        try Safetensors.write(tensors, metadata: ConditionClassifier.weightsMetadata,
                              to: dir.appendingPathComponent(ConditionClassifier.weightsFile).path)
        let error = try #require(throws: VisionError.self) { try ConditionClassifier(directory: dir) }
        #expect(error.message.contains("SHA-256") && error.message.contains(classifier.version), "\(error)")
    }

    @Test func aBadManifestFieldIsNamed() throws {
        let dir = try ToyImages.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.trained().save(to: dir)
        let url = dir.appendingPathComponent(ConditionClassifier.manifestFile)
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "\"size\":8", with: "\"size\":\"8\"")
        try text.write(to: url, atomically: true, encoding: .utf8)
        let error = try #require(throws: VisionError.self) { try ConditionClassifier(directory: dir) }
        #expect(error.code == .invalidFile)
        #expect(error.message.contains(url.path) && error.message.contains("size: expected an integer, found \"8\""),
                "\(error)")
        try FileManager.default.removeItem(at: url)
        let missing = try #require(throws: VisionError.self) { try ConditionClassifier(directory: dir) }
        #expect(missing.code == .io && missing.message.contains(url.path))
    }

    @Test func badTrainingInputsAreRejectedWithTheirIndex() throws {
        let toy = ToyImages.make(perClass: 2, seed: 3)
        func train(_ images: [[Float]], _ labels: [Int], _ conditions: [String] = ToyImages.conditions,
                   size: Int = ToyImages.size, options: ClassifierTrainingOptions = Self.options) throws {
            _ = try ConditionClassifier.train(images: images, labels: labels, conditions: conditions, channels: 3,
                                              size: size, options: options)
        }
        var e = try #require(throws: VisionError.self) { try train(toy.images, Array(toy.labels.dropLast())) }
        #expect(e.message == "6 image(s) but 5 label(s)")
        e = try #require(throws: VisionError.self) { try train(toy.images, [0, 1, 2, 0, 7, 2]) }
        #expect(e.message == "label 4: class index 7 outside 0..<3")
        var short = toy.images
        short[2].removeLast()
        e = try #require(throws: VisionError.self) { try train(short, toy.labels) }
        #expect(e.message == "image 2: expected [3, 8, 8] = 192 values, got 191")
        var nan = toy.images
        nan[1][5] = .nan
        e = try #require(throws: VisionError.self) { try train(nan, toy.labels) }
        #expect(e.message.hasPrefix("image 1: value 5 is nan"))
        e = try #require(throws: VisionError.self) { try train(toy.images, toy.labels, ["a/x", "a/x", "a/y"]) }
        #expect(e.message.contains("'a/x' appears more than once"))
        e = try #require(throws: VisionError.self) { try train(toy.images, toy.labels, size: 6) }
        #expect(e.message.contains("size: expected a multiple of 4"))
        e = try #require(throws: VisionError.self) {
            try train(toy.images, toy.labels, options: ClassifierTrainingOptions(epochs: 0))
        }
        #expect(e.message == "epochs: expected at least 1, got 0")
        e = try #require(throws: VisionError.self) { try train([], []) }
        #expect(e.message == "no training images")
    }
}
