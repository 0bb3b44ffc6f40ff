import Foundation
import RoundsChecklists
import RoundsCore
import RoundsStore
import Testing

@testable import RoundsBroker

/// Scores averaged over several judge runs and raters, on real stores.
@Suite struct ScoreSourcesTests {
    @Test func severalRunsAreAveragedPerImageAndRecorded() throws {
        let f = try GateStoreFixture()
        defer { f.remove() }
        let first = try f.judgeRun(f.acne)
        let second = try f.judgeRun(f.acne, images: [0, 1, 2]) { _, _ in .met }
        let result = try f.rft(sources: ScoreSources(runs: [first, second]))
        #expect(result.runIDs == [first, second])
        for i in 0..<3 { #expect(close(f.weight(result, f.acne, i), (f.patternScore(f.acne, image: i) + 1) / 2)) }
        for i in 3..<6 { #expect(close(f.weight(result, f.acne, i), f.patternScore(f.acne, image: i))) }
        let parameters = try f.parameters(of: result.setID)
        #expect(
            parameters["sources"]?["runs"]?.arrayValue?.compactMap(\.doubleValue) == [Double(first), Double(second)])
        #expect(parameters["sources"]?["latest_judgment"]?.boolValue == false)
        #expect(parameters["score_policy"]?["average_over_sources"]?.boolValue == true)
        let counts = parameters["source_counts"]?["images_by_source_count"]
        #expect(counts?["1"]?.doubleValue == 3 && counts?["2"]?.doubleValue == 3)
        #expect(parameters["run_option"] == .null)
    }

    @Test func oneRunIsTheRunOption() throws {
        let f = try GateStoreFixture()
        defer { f.remove() }
        let first = try f.judgeRun(f.acne)
        try f.judgeRun(f.acne) { _, _ in .met }
        let result = try f.rft(sources: ScoreSources(runs: [first]))
        for i in 0..<6 { #expect(close(f.weight(result, f.acne, i), f.patternScore(f.acne, image: i))) }
        let parameters = try f.parameters(of: result.setID)
        #expect(parameters["run_option"]?.doubleValue == Double(first))
        #expect(parameters["score_policy"]?["average_over_sources"]?.boolValue == false)
    }

    /// Alice marks the first two criteria met on every image and leaves the rest empty: her score is 1
    /// (unlabelled criteria are not verdicts), and κ = 0 on both, so the gate drops them from the judge.
    @Test func ratersAreSourcesAndTheGateSparesTheirLabels() throws {
        let f = try GateStoreFixture()
        defer { f.remove() }
        try f.judgeRun(f.acne)
        try f.label(f.acne, rater: "alice") { _, c in c < 2 ? .met : nil }
        let gated = try f.rft(sources: ScoreSources(raters: ["alice"]))
        #expect(gated.trustGate.excluded[f.acne].map { $0.count } == 2)
        let open = try f.rft(sources: ScoreSources(raters: ["alice"]), gate: .off)
        for i in 0..<6 {
            #expect(close(f.weight(gated, f.acne, i), (f.patternScore(f.acne, image: i, excluding: [0, 1]) + 1) / 2))
            #expect(close(f.weight(open, f.acne, i), (f.patternScore(f.acne, image: i) + 1) / 2))
        }
        let parameters = try f.parameters(of: open.setID)
        #expect(parameters["sources"]?["raters"]?.arrayValue?.compactMap(\.stringValue) == ["alice"])
        #expect(parameters["source_counts"]?["images_by_source_count"]?["2"]?.doubleValue == 6)
    }

    @Test func aRaterAloneScoresImagesTheJudgeNeverSaw() throws {
        let f = try GateStoreFixture()
        defer { f.remove() }
        try f.label(f.vitiligo, rater: "alice", images: [0, 1]) { _, c in c == 0 ? .notMet : .met }
        let result = try f.rft(sources: ScoreSources(raters: ["alice"]))
        #expect(result.runIDs.isEmpty)
        #expect(result.weights.entries.count == 2)
        #expect(close(f.weight(result, f.vitiligo, 0), 0.8))
        #expect(result.unjudged.count == 10)
    }

    @Test func gatedCriteriaApplyToJudgeSamplesOfTheirConditionOnly() throws {
        let policy = ScorePolicy(gatedCriteria: [vitiligo: ["location": "κ low"]], averageOverSources: true)
        // Judge: 0 of the 4 ungated criteria; alice labelled only location, met: 1 of 1.
        let both = try ScoreCalculator.score(
            image("x", [("run:1", "mnnnn"), ("rater:alice", "m----")]), policy: policy)
        #expect(close(both.score, 0.5))
        #expect(close(both.counted, 2.5))
        let other = try ScoreCalculator.score(image("y", [("run:1", "mnnnn")], condition: psoriasis), policy: policy)
        #expect(close(other.score, 0.2))
    }

    @Test func badSourcesAreErrors() throws {
        let f = try GateStoreFixture()
        defer { f.remove() }
        let run = try f.judgeRun(f.acne)
        #expect(
            throwsBroker(.invalidParameter, ["judge run \(run) is named twice"]) {
                _ = try f.rft(sources: ScoreSources(runs: [run, run]))
            })
        #expect(
            throwsBroker(.invalidParameter, ["no judge run 99", "stored runs: \(run)"]) {
                _ = try f.rft(sources: ScoreSources(runs: [run, 99]))
            })
        let empty = [try f.judgeRun(f.acne, images: []), try f.judgeRun(f.vitiligo, images: [])]
        #expect(
            throwsBroker(
                .emptyInput,
                [
                    "none of the 12 synthetic image(s) has judge verdicts in runs \(empty[0]), \(empty[1]) "
                        + "against its current checklist"
                ]
            ) {
                _ = try f.rft(sources: ScoreSources(runs: empty))
            })
        #expect(
            throwsBroker(.invalidParameter, ["no labels by rater 'zoe'", "no labels are stored"]) {
                _ = try f.rft(sources: ScoreSources(raters: ["zoe"]))
            })
    }
}
