import Foundation
import RoundsCore

/// The spread of the demo over several seeds (`rounds demo --seeds N`): each seed is a whole round
/// (its own signal samples, finetuning noise and evaluation samples) on the same checkpoint and data.
/// For each arm the share meeting every criterion, judged and measured, and for each objective its gain
/// over the control, as mean, minimum and maximum over the seeds, plus whether it beat the control
/// (the difference's Newcombe interval above 0) in every seed.
public enum DemoSeeds {
    public static let arms = ["before", "control", "rft", "dpo"]

    /// The document written to `DIR/seeds.json`; `runs` are the seeds and their summaries, in order.
    public static func spread(_ runs: [(seed: UInt64, summary: DemoSummary)]) -> JSONValue {
        func stats(_ xs: [Double]) -> JSONValue {
            guard !xs.isEmpty else { return .null }
            let mean = xs.reduce(0, +) / Double(xs.count)
            return ["mean": .number(mean), "min": .number(xs.min()!), "max": .number(xs.max()!),
                    "values": .array(xs.map(JSONValue.number))]
        }
        var arms: [String: JSONValue] = [:]
        for arm in Self.arms {
            let judged = runs.compactMap { $0.summary.allCriteria[arm]?.rate }
            let measured = runs.compactMap { $0.summary.evaluations[arm]?.measured?.rate }
            guard !judged.isEmpty else { continue }
            arms[arm] = ["judged": stats(judged), "measured": stats(measured)]
        }
        var gains: [String: JSONValue] = [:]
        for arm in ["rft", "dpo"] {
            var judged: [ProportionDifference] = [], measured: [ProportionDifference] = []
            for run in runs {
                guard let a = run.summary.evaluations[arm], let c = run.summary.evaluations["control"] else { continue }
                judged.append(ProportionDifference(a.allCriteria, over: c.allCriteria))
                if let am = a.measured, let cm = c.measured { measured.append(ProportionDifference(am, over: cm)) }
            }
            guard !judged.isEmpty else { continue }
            func block(_ ds: [ProportionDifference]) -> JSONValue {
                [
                    "difference": stats(ds.map(\.difference)), "ratio": stats(ds.compactMap(\.ratio)),
                    "beats_control_every_seed": .bool(!ds.isEmpty && ds.allSatisfy(\.isPositive)),
                    "seeds_beating_control": .number(Double(ds.count { $0.isPositive })),
                ]
            }
            gains[arm] = ["judged": block(judged), "measured": block(measured)]
        }
        return [
            "seeds": .array(runs.map { .number(Double($0.seed)) }),
            "arms": .object(arms),
            "gain_over_control": .object(gains),
            "interval_method": .string(ProportionDifference.method),
            "runs": .array(runs.map { run in
                var o: [String: JSONValue] = ["seed": .number(Double(run.seed))]
                if case .object(let s) = run.summary.json, let seconds = s["seconds"] { o["seconds"] = seconds }
                return .object(o)
            }),
        ]
    }
}
