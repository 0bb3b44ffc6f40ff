import Foundation
import RoundsCore
import RoundsTensor
import Testing

@testable import RoundsBroker

@Suite struct ROCAUCTests {
    @Test(arguments: [
        // sklearn.metrics.roc_auc_score on the same inputs
        ([0.1, 0.4, 0.35, 0.8], [false, false, true, true], 0.75),
        ([0.5, 0.5, 0.5, 0.9], [true, false, false, true], 0.75),  // two ties count half each: (0.5+0.5+1+1)/4
        ([0.3, 0.3, 0.3, 0.3], [true, false, true, false], 0.5),
        ([0.9, 0.8, 0.1, 0.2], [true, true, false, false], 1.0),
        ([0.9, 0.8, 0.1, 0.2], [false, false, true, true], 0.0),
        ([0.2, 0.6, 0.6, 0.7, 0.1], [false, true, false, true, true], 3.5 / 6),  // 1 + 0.5 + 1 + 1 + 0 + 0
    ])
    func matchesHandComputedValues(scores: [Double], labels: [Bool], expected: Double) throws {
        let auc = try #require(try ROCAUC.compute(scores: scores, labels: labels))
        #expect(abs(auc - expected) < 1e-12, "AUC \(auc), expected \(expected)")
    }

    @Test func isUndefinedForOneClassAndRejectsBadInput() throws {
        #expect(try ROCAUC.compute(scores: [0.1, 0.2], labels: [true, true]) == nil)
        #expect(try ROCAUC.compute(scores: [], labels: []) == nil)
        let e = try #require(throws: BrokerError.self) { try ROCAUC.compute(scores: [0.1], labels: [true, false]) }
        #expect(e.message == "AUC: 1 score(s) but 2 label(s)")
        let n = try #require(throws: BrokerError.self) { try ROCAUC.compute(scores: [0.1, .nan], labels: [true, false]) }
        #expect(n.message == "AUC: score 1 is nan")
    }
}

@Suite struct RewardModelTests {
    /// Features cluster by true class; the label is 1 exactly when the paired class is the true one
    /// (Sun et al.'s swapped-class construction), so Γ must use features and class together.
    static func examples(_ n: Int, seed: UInt64) -> [RewardExample] {
        var rng = PCG32(seed: seed)
        return (0..<n).map { i in
            let truth = i % 3
            var f = rng.normals(6).map { $0 * 0.3 }
            f[truth] += 2
            let paired = i % 2 == 0 ? truth : (truth + 1 + Int(rng.nextUInt32() % 2)) % 3
            return RewardExample(imageID: "img\(i)", features: f, condition: paired, label: paired == truth ? 1 : 0,
                                 weight: 1, source: .human)
        }
    }

    static func trained() throws -> RewardModel {
        try RewardModel.train(examples: examples(150, seed: 1), conditions: ["t/a", "t/b", "t/c"], featureDimension: 6,
                              classifierVersion: String(repeating: "0", count: 64),
                              options: RewardTrainingOptions(epochs: 40, batch: 32, learningRate: 5e-3, hidden: 16, seed: 3))
    }

    @Test func clearlyBeatsChanceOnASeparableToySet() throws {
        let model = try Self.trained()
        let test = Self.examples(90, seed: 42)
        let p = try model.predict(features: test.map(\.features), classes: test.map(\.condition))
        let auc = try #require(try ROCAUC.compute(scores: p.map(Double.init), labels: test.map { $0.label == 1 }))
        #expect(auc > 0.9, "held-out AUC \(auc); chance is 0.5")
        #expect(p.allSatisfy { $0 > 0 && $0 < 1 })
    }

    @Test func saveAndLoadRoundTripBitExactly() throws {
        let model = try Self.trained()
        model.provenance = ["rater": "dr-a", "lambda_real": 1]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rounds-reward-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try model.save(to: dir)
        let loaded = try RewardModel(directory: dir)
        #expect(loaded.version == model.version && loaded.conditions == model.conditions)
        #expect(loaded.options == model.options && loaded.provenance == model.provenance)
        let test = Self.examples(12, seed: 8)
        let a = try model.predict(features: test.map(\.features), classes: test.map(\.condition))
        let b = try loaded.predict(features: test.map(\.features), classes: test.map(\.condition))
        #expect(a.map(\.bitPattern) == b.map(\.bitPattern))

        var tensors = model.network.stateDict()
        tensors["fc.weight"] = Tensor.zeros([16, 16])
        let weights = dir.appendingPathComponent(RewardModel.weightsFile).path
        try Safetensors.write(tensors, to: weights)
        let e = try #require(throws: BrokerError.self) { try RewardModel(directory: dir) }
        #expect("\(e)".contains(weights) && "\(e)".contains("fc.weight") && "\(e)".contains("[16, 32]"), "\(e)")
    }

    @Test func rejectsBadExamples() throws {
        var bad = Self.examples(4, seed: 1)
        bad[2].label = 0.5
        let e = try #require(throws: BrokerError.self) {
            try RewardModel.train(examples: bad, conditions: ["t/a", "t/b", "t/c"], featureDimension: 6, classifierVersion: "x")
        }
        #expect(e.message.contains("image img2: label 0.5"))
        var wrong = Self.examples(4, seed: 1)
        wrong[1].features.removeLast()
        let w = try #require(throws: BrokerError.self) {
            try RewardModel.train(examples: wrong, conditions: ["t/a", "t/b", "t/c"], featureDimension: 6, classifierVersion: "x")
        }
        #expect(w.message == "reward model: feature row 1 has 5 values, expected 6")
        let empty = try #require(throws: BrokerError.self) {
            try RewardModel.train(examples: [], conditions: ["t/a"], featureDimension: 6, classifierVersion: "x")
        }
        #expect(empty.code == .emptyInput)
    }
}
