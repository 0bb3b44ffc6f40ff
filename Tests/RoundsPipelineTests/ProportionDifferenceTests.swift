import Foundation
import Testing
@testable import RoundsPipeline

@Suite struct ProportionDifferenceTests {
    /// Newcombe (1998), Table II, method 10 (hybrid score): the published intervals.
    @Test(arguments: [
        (56, 70, 48, 80, 0.0524, 0.3339), (9, 10, 3, 10, 0.1705, 0.8090), (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
    ])
    func newcombeHybridScoreInterval(x1: Int, n1: Int, x2: Int, n2: Int, lower: Double, upper: Double) {
        let d = ProportionDifference(Proportion(successes: x1, total: n1), over: Proportion(successes: x2, total: n2))
        #expect(abs(d.difference - (Double(x1) / Double(n1) - Double(x2) / Double(n2))) < 1e-12)
        #expect(abs(d.ci95[0] - lower) < 5e-4, "\(d.ci95)")
        #expect(abs(d.ci95[1] - upper) < 5e-4, "\(d.ci95)")
    }

    /// The ratio and its Katz log interval: 60/100 over 30/100 is 2 with [1.4257, 2.8057].
    @Test func ratioWithKatzInterval() throws {
        let d = ProportionDifference(Proportion(successes: 60, total: 100), over: Proportion(successes: 30, total: 100))
        #expect(d.ratio == 2)
        let ci = try #require(d.ratioCI95)
        let se = (1.0 / 60 - 1.0 / 100 + 1.0 / 30 - 1.0 / 100).squareRoot()
        #expect(abs(ci[0] - 2 * exp(-1.959964 * se)) < 1e-9 && abs(ci[1] - 2 * exp(1.959964 * se)) < 1e-9)
        #expect(d.isPositive)
    }

    /// No successes in the reference: no ratio, but still a difference with an interval inside [-1, 1].
    @Test func zeroReferenceHasNoRatio() {
        let d = ProportionDifference(Proportion(successes: 3, total: 10), over: Proportion(successes: 0, total: 10))
        #expect(d.ratio == nil && d.ratioCI95 == nil)
        #expect(d.ci95[0] >= -1 && d.ci95[1] <= 1 && d.ci95[0] < d.difference && d.difference < d.ci95[1])
        let empty = ProportionDifference(Proportion(successes: 0, total: 0), over: Proportion(successes: 0, total: 0))
        #expect(empty.ci95 == [-1, 1] && !empty.isPositive)
    }

    /// Equal shares: the interval straddles 0, so the arm does not beat the reference.
    @Test func equalSharesDoNotBeatEachOther() {
        let d = ProportionDifference(Proportion(successes: 300, total: 512), over: Proportion(successes: 300, total: 512))
        #expect(d.difference == 0 && d.ratio == 1)
        #expect(d.ci95[0] < 0 && d.ci95[1] > 0 && !d.isPositive)
    }
}
