import Foundation
import RoundsChecklists
import RoundsCore
import RoundsStore
import Testing

@testable import RoundsBroker

/// The trust gate on real stores: on by default, per condition, recorded with the set.
@Suite struct TrustGateTests {
    /// The judge's standard pattern on every criterion but the first, where the label is the opposite
    /// (κ = −1 there, 1 elsewhere).
    static func disagreesOnFirst(_ i: Int, _ c: Int) -> Verdict? {
        let judge = GateStoreFixture.pattern(i, c)
        return c == 0 ? (judge == .met ? .notMet : .met) : judge
    }

    static func agrees(_ i: Int, _ c: Int) -> Verdict? { GateStoreFixture.pattern(i, c) }

    @Test func onByDefaultItLeavesOutLowKappaCriteriaOfLabelledConditionsOnly() throws {
        let f = try GateStoreFixture()
        defer { f.remove() }
        let run = try f.judgeRun(f.acne)
        try f.judge(f.vitiligo, run: run, images: Array(0..<6), verdict: GateStoreFixture.pattern)
        try f.label(f.acne, rater: "alice", verdict: Self.disagreesOnFirst)
        let result = try f.rft()

        let first = f.checklist(f.acne).criteria[0].id
        #expect(result.trustGate.excluded.mapValues { Set($0.keys) } == [f.acne: [first]])
        let acne = try #require(result.trustGate.conditions.first { $0.condition == f.acne })
        #expect(acne.status == .gated && acne.raters == ["alice"])
        #expect(close(acne.criteria[0].kappa, -1))
        #expect(acne.criteria.dropFirst().allSatisfy { close($0.kappa, 1) && !$0.excluded })
        #expect(
            acne.criteria[0].measurements == [
                .init(run: nil, judgeRuns: [run], rater: "alice", kappa: .value(acne.criteria[0].kappa!), items: 6)
            ])
        let vitiligo = try #require(result.trustGate.conditions.first { $0.condition == f.vitiligo })
        #expect(vitiligo.status == .noExpertLabels && vitiligo.criteria.isEmpty)

        for i in 0..<6 {
            #expect(close(f.weight(result, f.acne, i), f.patternScore(f.acne, image: i, excluding: [0])))
            #expect(close(f.weight(result, f.vitiligo, i), f.patternScore(f.vitiligo, image: i)))
        }

        let parameters = try f.parameters(of: result.setID)
        let gate = try #require(parameters["trust_gate"])
        #expect(gate["enabled"]?.boolValue == true)
        #expect(gate["kappa_threshold"]?.doubleValue == 0.4)
        #expect(gate["raters"]?.arrayValue?.compactMap(\.stringValue) == ["alice"])
        #expect(gate["excluded"]?["dermatology/acne"]?.arrayValue?.compactMap(\.stringValue) == [first])
        #expect(close(gate["conditions"]?["dermatology/acne"]?["criteria"]?[first]?["kappa"]?.doubleValue, -1))
        #expect(gate["conditions"]?["dermatology/acne"]?["criteria"]?[first]?["excluded"]?.boolValue == true)
        #expect(gate["conditions"]?["dermatology/vitiligo"]?["status"]?.stringValue == "no_expert_labels")
        #expect(parameters["score_policy"]?["gated_criteria"]?["dermatology/acne"]?[first]?.stringValue != nil)
        #expect(result.trustGate.lines.first == "trust gate: κ threshold 0.4, rater(s) alice; 1 criterion(s) left out")
        #expect(
            result.trustGate.lines.contains(
                "trust gate: dermatology/acne: left out \(first): κ -1.0 < 0.4 "
                    + "(latest (run \(run)) vs alice: κ -1.0, 6 items)"))
        #expect(
            result.trustGate.lines.contains("trust gate: dermatology/vitiligo: no expert labels; all criteria used"))
    }

    @Test func withoutLabelsEveryCriterionIsUsedAndThatIsRecorded() throws {
        let f = try GateStoreFixture()
        defer { f.remove() }
        try f.judgeRun(f.acne)
        let result = try f.rft()
        #expect(result.trustGate.excluded.isEmpty)
        #expect(result.trustGate.lines == ["trust gate: no expert labels; all criteria used"])
        let gate = try #require(try f.parameters(of: result.setID)["trust_gate"])
        #expect(gate["enabled"]?.boolValue == true)
        #expect(gate["note"]?.stringValue == "trust gate: no expert labels; all criteria used")
        for i in 0..<6 { #expect(close(f.weight(result, f.acne, i), f.patternScore(f.acne, image: i))) }
    }

    @Test func turnedOffItUsesEveryCriterionAndRecordsThat() throws {
        let f = try GateStoreFixture()
        defer { f.remove() }
        try f.judgeRun(f.acne)
        try f.label(f.acne, rater: "alice", verdict: Self.disagreesOnFirst)
        let result = try f.rft(gate: .off)
        #expect(result.trustGate.excluded.isEmpty)
        #expect(result.policy.gatedCriteria.isEmpty)
        let gate = try #require(try f.parameters(of: result.setID)["trust_gate"])
        #expect(gate["enabled"]?.boolValue == false)
        #expect(gate["note"]?.stringValue == "trust gate: off; all criteria used")
        for i in 0..<6 { #expect(close(f.weight(result, f.acne, i), f.patternScore(f.acne, image: i))) }
    }

    @Test(arguments: [(-1.0, false), (-0.999, true)])
    func thresholdIsInclusive(threshold: Double, excluded: Bool) throws {
        let f = try GateStoreFixture()
        defer { f.remove() }
        try f.judgeRun(f.acne)
        try f.label(f.acne, rater: "alice", verdict: Self.disagreesOnFirst)
        let result = try f.rft(gate: TrustGate(threshold: threshold))
        #expect((result.trustGate.excluded[f.acne] != nil) == excluded)
    }

    @Test func severalRatersAverageTheirKappa() throws {
        let f = try GateStoreFixture()
        defer { f.remove() }
        try f.judgeRun(f.acne)
        try f.label(f.acne, rater: "alice", verdict: Self.disagreesOnFirst)
        try f.label(f.acne, rater: "bob", verdict: Self.agrees)
        // Mean κ on the first criterion: (−1 + 1) / 2 = 0, below 0.4 but above −0.5.
        let strict = try f.rft()
        let first = try #require(strict.trustGate.conditions.first?.criteria.first)
        #expect(close(first.kappa, 0))
        #expect(first.excluded && first.measurements.map(\.rater) == ["alice", "bob"])
        let lenient = try f.rft(gate: TrustGate(threshold: -0.5))
        #expect(lenient.trustGate.excluded.isEmpty)
        // Only bob's labels gate when he is named.
        let bobOnly = try f.rft(gate: TrustGate(raters: ["bob"]))
        #expect(bobOnly.trustGate.excluded.isEmpty && bobOnly.trustGate.raters == ["bob"])
    }

    @Test func labelsTheRunNeverJudgedGiveNoKappaAndSaySo() throws {
        let f = try GateStoreFixture()
        defer { f.remove() }
        try f.judgeRun(f.acne, images: [0, 1, 2])
        let later = try f.judgeRun(f.acne, images: [3, 4, 5])
        try f.label(f.acne, rater: "alice", images: [0, 1, 2], verdict: Self.disagreesOnFirst)
        let result = try f.rft(sources: ScoreSources(runs: [later]))
        let acne = try #require(result.trustGate.conditions.first)
        #expect(acne.status == .noComparableLabels && acne.raters == ["alice"])
        #expect(result.trustGate.excluded.isEmpty)
        #expect(
            result.trustGate.lines.contains(
                "trust gate: dermatology/acne: labels by alice but none of the labelled images has judge verdicts "
                    + "in run \(later); all criteria used"))
    }

    @Test func badGateSettingsAreErrors() throws {
        let f = try GateStoreFixture()
        defer { f.remove() }
        try f.judgeRun(f.acne)
        try f.label(f.acne, rater: "alice", verdict: Self.agrees)
        #expect(
            throwsBroker(.invalidParameter, ["no labels by rater 'carol'", "raters: alice"]) {
                _ = try f.rft(gate: TrustGate(raters: ["carol"]))
            })
        #expect(
            throwsBroker(.invalidParameter, ["κ threshold must be in [-1, 1], got 2.0"]) {
                _ = try f.rft(gate: TrustGate(threshold: 2))
            })
    }

    @Test func dpoPairsAreDecidedOnGatedScores() throws {
        let f = try GateStoreFixture()
        defer { f.remove() }
        // The first criterion is met by even images, the others by images 0-2; alice says the opposite
        // of the judge on the first only.
        let judge = { (i: Int, c: Int) -> Verdict in (c == 0 ? i % 2 == 0 : i < 3) ? .met : .notMet }
        try f.judgeRun(f.acne, verdict: judge)
        try f.label(f.acne, rater: "alice") { i, c in c == 0 ? (judge(i, c) == .met ? .notMet : .met) : judge(i, c) }
        var job = DPOJob(
            run: nil, rule: .margin(0.01), policy: ScorePolicy(), sameSource: false,
            out: f.folder.appendingPathComponent("pairs.jsonl").path)
        let gated = try job.run(store: f.store, catalog: f.catalog)
        job.trustGate = .off
        let open = try job.run(store: f.store, catalog: f.catalog)
        // Open, image 4 (first criterion only) beats 3 and 5; gated, it ties with them.
        #expect(gated.trustGate.excluded[f.acne] != nil && open.trustGate.excluded.isEmpty)
        let winners = { (r: DPOJob.Result) in Set(r.set.pairs.map(\.winnerID)) }
        let ids = f.images[f.acne]!.map(\.id)
        #expect(winners(gated) == Set(ids[0..<3]))
        #expect(winners(open) == Set(ids[0..<3] + [ids[4]]))
        let parameters = try f.parameters(of: gated.setID)
        #expect(parameters["trust_gate"]?["excluded"]?["dermatology/acne"]?.arrayValue?.count == 1)
    }
}
