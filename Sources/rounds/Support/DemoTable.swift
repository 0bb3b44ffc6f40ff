import Foundation
import RoundsPipeline

/// The lines under a round's table that compare each objective with the control arm, and the spread
/// of a multi-seed demo.
enum DemoTable {
    /// "gain over the control" per objective: difference in points with Newcombe's 95% interval and the
    /// ratio, by the judge and measured from the pixels; nothing when there is no control arm.
    static func printGainOverControl(_ evaluations: [String: ModelEvaluation]) {
        guard let control = evaluations["control"] else { return }
        let arms = ["rft", "dpo"].filter { evaluations[$0] != nil }
        guard !arms.isEmpty else { return }
        print("gain over the control (difference in points, Newcombe hybrid score 95% interval; ratio):")
        for arm in arms {
            let a = evaluations[arm]!
            var line = RoundTable.pad("  " + arm, 8) + "judged " + describe(ProportionDifference(a.allCriteria, over: control.allCriteria))
            if let am = a.measured, let cm = control.measured {
                let d = ProportionDifference(am, over: cm)
                line += "   measured " + describe(d) + (d.isPositive ? "  beats the control" : "  not above the control")
            }
            print(line)
        }
    }

    static func describe(_ d: ProportionDifference) -> String {
        String(format: "%+.1f [%+.1f, %+.1f]", d.difference * 100, d.ci95[0] * 100, d.ci95[1] * 100)
            + (d.ratio.map { String(format: " (%.2fx)", $0) } ?? " (–)")
    }

    /// One line per arm: each seed's share, judged and measured; then each objective's measured gain over
    /// the control per seed.
    static func printSpread(_ runs: [(seed: UInt64, summary: DemoSummary)], path: String) {
        print("Spread over \(runs.count) seeds (\(runs.map { String($0.seed) }.joined(separator: ", "))): share meeting every criterion, judged / measured")
        for arm in DemoSeeds.arms {
            let cells = runs.compactMap { run -> String? in
                guard let e = run.summary.evaluations[arm] else { return nil }
                return String(format: "%.1f%%", e.allCriteria.rate * 100)
                    + (e.measured.map { String(format: " / %.1f%%", $0.rate * 100) } ?? "")
            }
            if !cells.isEmpty { print(RoundTable.pad("  " + arm, 12) + cells.joined(separator: "   ")) }
        }
        for arm in ["rft", "dpo"] {
            let cells = runs.compactMap { run -> String? in
                guard let a = run.summary.evaluations[arm]?.measured, let c = run.summary.evaluations["control"]?.measured
                else { return nil }
                return describe(ProportionDifference(a, over: c))
            }
            if !cells.isEmpty { print(RoundTable.pad("  \(arm) − control (measured)", 30) + cells.joined(separator: "   ")) }
        }
        print("seeds.json: \(path)")
    }
}
