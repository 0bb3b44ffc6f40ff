import Foundation
import RoundsDiffusion
import Testing
@testable import RoundsPipeline

/// A round evaluates every model on images whose noise seeds never built the signal.
@Suite struct EvaluationSeedsTests {
    static let options = GenerationOptions(scheduler: .ddpm, steps: 25)

    /// The demo's sizes: 64 signal samples per condition, 128 evaluation samples, four conditions, and
    /// the three seeds of `--seeds 3`: no evaluation seed of any run is a signal seed of any run.
    @Test func theDemosEvaluationSeedsNeverBuiltASignal() {
        var signal = Set<UInt64>(), evaluation = Set<UInt64>()
        for run in UInt64(0)..<3 {
            let writer = SampleWriter(perCondition: 64, options: Self.options, seed: 2026 + run, batch: 32)
            let images = RoundImages.sample(writer)
            let s = images.seeds(conditions: 4), e = images.evaluation(perCondition: 128).seeds(conditions: 4)
            #expect(s.count == 4 * 2 && e.count == 4 * 4, "one seed per condition and batch of 32")
            signal.formUnion(s)
            evaluation.formUnion(e)
        }
        #expect(signal.isDisjoint(with: evaluation))
    }

    @Test func evaluationKeepsTheSamplerAndChangesOnlySeedAndSize() throws {
        let writer = SampleWriter(perCondition: 64, options: Self.options, seed: 7, batch: 32)
        guard case .sample(let e) = RoundImages.sample(writer).evaluation(perCondition: 128) else {
            Issue.record("sampling must stay sampling")
            return
        }
        #expect(e.perCondition == 128 && e.seed == 7 + RoundImages.evaluationSeedOffset)
        #expect(e.options.steps == 25 && e.batch == 32)
        guard case .sample(let same) = RoundImages.sample(writer).evaluation() else { return }
        #expect(same.perCondition == 64, "without a size the evaluation has the signal's")
    }

    /// The seeds `seeds(conditions:)` lists are exactly the ones `write` uses (one per condition and batch).
    @Test func listedSeedsMatchTheWritersBatches() {
        let writer = SampleWriter(perCondition: 33, options: Self.options, seed: 100, batch: 32)
        #expect(writer.seeds(conditions: 2) == Set<UInt64>([100, 101, 100 + 1_000_003, 101 + 1_000_003]))
    }
}
