import Foundation
import RoundsTensor
import Testing

@testable import RoundsDiffusion

@Suite struct RFTTrainerTests {
    func examples(_ n: Int, weight: Float = 1) -> [FinetuneExample] {
        (0..<n).map { i in
            FinetuneExample(
                image: (0..<64).map { j in Float(((j / 8 + j % 8 + i) % 4 < 2) ? 0.9 : -0.9) }, label: i % 2,
                weight: weight)
        }
    }

    func weights(_ model: DiffusionModel) -> [Float] {
        model.unet.namedParameters().flatMap { $0.parameter.value.scalars }
    }

    @Test func allOnesWithOnlySyntheticIsPlainTrainingStepForStep() throws {
        var training = TrainingOptions()
        training.seed = 9
        training.learningRate = 1e-3
        let data = examples(6)
        let rft = try RFTTrainer(
            model: try TrainerTests().tinyModel(), training: training,
            options: RFTOptions(realWeight: 0.3, syntheticShare: 1, batch: 4), synthetic: data, real: examples(3))
        let plain = try DiffusionTrainer(model: try TrainerTests().tinyModel(), options: training)
        var order = BatchOrder(count: data.count, batchSize: 4, seed: 9)
        for k in 0..<5 {
            let picks = order.indices(step: k)
            let images = Tensor(shape: [4, 1, 8, 8], scalars: picks.flatMap { data[$0].image })
            let a = try plain.train(images: images, labels: picks.map { data[$0].label })
            let b = try rft.step()
            #expect(a.loss == b.loss, "step \(k)")
            #expect(weights(plain.model) == weights(rft.trainer.model), "weights differ after step \(k)")
        }
    }

    @Test func zeroWeightsLeaveOnlyTheRealTerm() throws {
        var training = TrainingOptions()
        training.seed = 3
        let rft = try RFTTrainer(
            model: try TrainerTests().tinyModel(), training: training,
            options: RFTOptions(realWeight: 0.3, syntheticShare: 0.5, batch: 4),
            synthetic: examples(4, weight: 0), real: examples(4))
        let r = try rft.step()
        // L = 0·mean(L_s) + 0.3·mean(L_r)
        #expect(abs(r.loss - 0.3 * r.realLoss) < 1e-5 * max(1, r.loss))
        #expect(r.syntheticLoss.isFinite)
    }

    @Test func compositionFollowsTheSyntheticShare() {
        #expect(RFTOptions(syntheticShare: 0.2, batch: 32).composition(hasReal: true) == (6, 26))
        #expect(RFTOptions(syntheticShare: 0.01, batch: 8).composition(hasReal: true) == (1, 7))
        #expect(RFTOptions(syntheticShare: 0.2, batch: 8).composition(hasReal: false) == (8, 0))
    }

    @Test func badSettingsAreClearErrors() throws {
        let m = try TrainerTests().tinyModel()
        #expect(throws: DiffusionError.self) {
            _ = try RFTTrainer(
                model: m, training: TrainingOptions(), options: RFTOptions(syntheticShare: 0), synthetic: examples(2),
                real: [])
        }
        #expect(throws: DiffusionError.self) {
            _ = try RFTTrainer(model: m, training: TrainingOptions(), options: RFTOptions(), synthetic: [], real: [])
        }
        do {
            _ = try RFTTrainer(
                model: m, training: TrainingOptions(), options: RFTOptions(), synthetic: examples(2, weight: -1),
                real: [])
            Issue.record("negative weight accepted")
        } catch { #expect(error.message.contains("weight")) }
    }
}

@Suite struct DPOTests {
    @Test func lossMatchesTheFormulaByHand() {
        let policy: [Float] = [0.10, 0.30, 0.25, 0.20]  // w0, w1, l0, l1
        let reference: [Float] = [0.12, 0.28, 0.22, 0.21]
        let beta: Float = 50
        let v = DPOLoss.value(policyErrors: Tensor(shape: [4], scalars: policy), referenceErrors: reference, beta: beta)
        var expected: Double = 0
        var inside: [Double] = []
        for i in 0..<2 {
            let md = Double(policy[i]) - Double(policy[2 + i])
            let rd = Double(reference[i]) - Double(reference[2 + i])
            let x = -Double(beta) / 2 * (md - rd)
            inside.append(x)
            expected += -log(1 / (1 + exp(-x)))
        }
        expected /= 2
        #expect(abs(Double(v.loss.scalar) - expected) < 1e-5)
        #expect(zip(v.inside, inside).allSatisfy { abs(Double($0) - $1) < 1e-5 })
        #expect(v.implicitAccuracy == Float(inside.filter { $0 > 0 }.count) / 2)
        #expect(abs(Double(v.margin) - (inside[0] + inside[1]) / 2) < 1e-5)
    }

    @Test func gradientPassesAFiniteDifferenceCheck() {
        let base: [Float] = [0.11, 0.31, 0.24, 0.19, 0.40, 0.05]
        let reference: [Float] = [0.12, 0.28, 0.22, 0.21, 0.35, 0.07]
        let beta: Float = 20
        let x = Tensor(shape: [6], scalars: base).trackingGradient()
        DPOLoss.value(policyErrors: x, referenceErrors: reference, beta: beta).loss.backward()
        expectCentralDifferences(x.grad!.scalars, at: base) {
            Self.dpoLoss($0, reference: reference, beta: beta, sftWeight: 0)
        }
    }

    @Test func winnerTermAddsTheWinnersMeanLossAndItsGradient() {
        let base: [Float] = [0.11, 0.31, 0.24, 0.19, 0.40, 0.05]
        let reference: [Float] = [0.12, 0.28, 0.22, 0.21, 0.35, 0.07]
        let (beta, lambda): (Float, Float) = (20, 0.7)
        let plain = DPOLoss.value(policyErrors: Tensor(shape: [6], scalars: base), referenceErrors: reference, beta: beta)
        let x = Tensor(shape: [6], scalars: base).trackingGradient()
        let anchored = DPOLoss.value(policyErrors: x, referenceErrors: reference, beta: beta, sftWeight: lambda)
        let winners = Double(base[0] + base[1] + base[2]) / 3
        #expect(abs(Double(anchored.loss.scalar) - (Double(plain.loss.scalar) + Double(lambda) * winners)) < 1e-6)
        #expect(anchored.inside == plain.inside, "the term changes the loss, not the preference margins")
        anchored.loss.backward()
        expectCentralDifferences(x.grad!.scalars, at: base) {
            Self.dpoLoss($0, reference: reference, beta: beta, sftWeight: lambda)
        }
    }

    /// Diffusion-DPO's loss in Double over three pairs (errors: winners then losers), plus λ times the
    /// winners' mean error: the formula the Float implementation is checked against.
    private static func dpoLoss(_ v: [Double], reference: [Float], beta: Float, sftWeight lambda: Float) -> Double {
        var s = 0.0
        for i in 0..<3 {
            let z = -Double(beta) / 2 * ((v[i] - v[3 + i]) - Double(reference[i] - reference[3 + i]))
            s += log(1 + exp(-z))
        }
        return s / 3 + Double(lambda) * (v[0] + v[1] + v[2]) / 3
    }

    /// Expects each component of `grad` to match the central difference of `f` at `base` (h = 1e-6).
    private func expectCentralDifferences(_ grad: [Float], at base: [Float], _ f: ([Double]) -> Double) {
        let h = 1e-6
        for i in base.indices {
            var up = base.map(Double.init), down = up
            up[i] += h
            down[i] -= h
            let numeric = (f(up) - f(down)) / (2 * h)
            #expect(abs(Double(grad[i]) - numeric) < 1e-3 * max(1, abs(numeric)), "component \(i)")
        }
    }

    @Test func negativeWinnerWeightIsRefused() throws {
        let model = try TrainerTests().tinyModel()
        #expect(throws: DiffusionError.self) {
            try DPOTrainer(model: model, training: TrainingOptions(), options: DPOOptions(beta: 100, sftWeight: -1))
        }
    }

    @Test func firstStepStartsAtLog2AndTheReferenceStaysFrozen() throws {
        let model = try TrainerTests().tinyModel()
        var training = TrainingOptions()
        training.learningRate = 1e-3
        training.emaMaxDecay = nil
        let dpo = try DPOTrainer(model: model, training: training, options: DPOOptions(beta: 100))
        let before = dpo.reference.namedParameters().flatMap { $0.parameter.value.scalars }
        let e = RFTTrainerTests().examples(4)
        let w = Tensor(shape: [2, 1, 8, 8], scalars: e[0].image + e[1].image)
        let l = Tensor(shape: [2, 1, 8, 8], scalars: e[2].image + e[3].image)
        let first = try dpo.step(winners: w, losers: l, labels: [0, 1])
        // policy == reference at step 0, so inside = 0 and the loss is log 2.
        #expect(abs(first.loss - Float(log(2.0))) < 1e-5)
        #expect(first.margin == 0)
        var last = first
        for _ in 0..<15 { last = try dpo.step(winners: w, losers: l, labels: [0, 1]) }
        #expect(last.loss < first.loss, "DPO loss did not fall: \(first.loss) -> \(last.loss)")
        #expect(last.margin > 0)
        #expect(dpo.reference.namedParameters().flatMap { $0.parameter.value.scalars } == before)
    }

    @Test func pairsOfDifferentShapesAndBadBetaAreErrors() throws {
        let model = try TrainerTests().tinyModel()
        #expect(throws: DiffusionError.self) {
            _ = try DPOTrainer(model: model, training: TrainingOptions(), options: DPOOptions(beta: 0))
        }
        #expect(throws: DiffusionError.self) {
            _ = try DPOTrainer(model: model, training: TrainingOptions(), options: DPOOptions(maxTimestep: 0))
        }
        let dpo = try DPOTrainer(model: model, training: TrainingOptions(), options: DPOOptions())
        #expect(throws: DiffusionError.self) {
            _ = try dpo.step(
                winners: Tensor.zeros([2, 1, 8, 8]), losers: Tensor.zeros([1, 1, 8, 8]), labels: [0, 1])
        }
    }

    @Test func imageToImagePairsDrawTimestepsBelowTheStrength() throws {
        let dpo = try DPOTrainer(
            model: try TrainerTests().tinyModel(), training: TrainingOptions(), options: DPOOptions(maxTimestep: 300))
        let e = RFTTrainerTests().examples(2)
        for _ in 0..<5 {
            let r = try dpo.step(
                winners: Tensor(shape: [1, 1, 8, 8], scalars: e[0].image),
                losers: Tensor(shape: [1, 1, 8, 8], scalars: e[1].image), labels: [0])
            #expect(r.timesteps.allSatisfy { $0 < 300 })
        }
    }
}
