import Foundation
import RoundsBroker
import RoundsCore
import RoundsDiffusion
import RoundsSimulator

/// The demo's `summary.json` (CLI.md "Demo summary.json"), plus what a reader needs to trust it: the
/// judge check on real images, the gains with whether the 95% intervals overlap, timings and paths.
public struct DemoSummary {
    public var json: JSONValue
    /// Before and after shares of samples meeting every criterion, by model name (`before`, `rft`, `dpo`).
    public var allCriteria: [String: Proportion]
    public var perCriterion: [String: [String: Proportion]]
    public var perSkinTone: [String: [String: Proportion]]
    public var judgeCheck: JudgeCheck
    public var classifierAccuracy: [String: Double]
    public var storePath: String

    init(result: FeedbackRound.Result, settings: OfflineRoundDemo.Settings, judgeCheck: JudgeCheck, storePath: String,
         seconds: Double)
    {
        var models: [String: ModelEvaluation] = ["before": result.before]
        for (o, e) in result.after { models[o.rawValue] = e }
        allCriteria = models.mapValues(\.allCriteria)
        perCriterion = models.mapValues(\.perCriterion)
        perSkinTone = models.mapValues(\.perSkinTone)
        self.judgeCheck = judgeCheck
        self.storePath = storePath
        classifierAccuracy = [:]

        func block(_ e: ModelEvaluation) -> JSONValue {
            let rates = { (t: [String: Proportion]) in JSONValue.object(t.mapValues { .number($0.rate) }) }
            return [
                "all_criteria_rate": .number(e.allCriteria.rate),
                "ci95": .array(e.allCriteria.ci95.map(JSONValue.number)),
                "n": .number(Double(e.allCriteria.total)),
                "per_criterion": rates(e.perCriterion), "per_condition": rates(e.perCondition),
                "per_skin_tone": rates(e.perSkinTone),
            ]
        }
        var simulator = JSONValue.object(settings.simulator.summary.mapValues(JSONValue.number))
        if case .object(var s) = simulator {
            s["judge"] = "rounds-simulator: measures criteria from pixels; not a clinical model"
            simulator = .object(s)
        }
        var after: [String: JSONValue] = [:], gain: [String: JSONValue] = [:], training: [String: JSONValue] = [:]
        for (o, e) in result.after {
            after[o.rawValue] = block(e)
            let b = result.before.allCriteria
            gain[o.rawValue] = [
                "ratio": b.rate > 0 ? .number(e.allCriteria.rate / b.rate) : .null,
                "intervals_overlap": .bool(e.allCriteria.ci95[0] <= b.ci95[1]),
            ]
            let curve = result.curves[o]
            var t: [String: JSONValue] = [
                "steps": .number(Double(curve?.points.count ?? 0)),
                "final_loss": curve.map { .number(Double($0.recent { $0.loss })) } ?? .null,
            ]
            if o == .dpo {
                t["implicit_accuracy"] = curve.map { .number(Double($0.recent(20) { $0.implicitAccuracy })) } ?? .null
                t["margin"] = curve.map { .number(Double($0.recent(20) { $0.margin })) } ?? .null
                t["beta"] = .number(Double(settings.round.dpo.dpo.beta))
                t["pairs_per_step"] = .number(Double(settings.round.dpo.pairsPerStep))
                if let c = result.dpoCounts {
                    t["pairs"] = [
                        "one_winner": .number(Double(c.oneWinner)), "both_win": .number(Double(c.bothWin)),
                        "both_lose": .number(Double(c.bothLose)), "total": .number(Double(c.total)),
                    ]
                }
            } else {
                t["real_weight"] = .number(Double(settings.round.rft.rft.realWeight))
                t["synthetic_share"] = .number(settings.round.rft.rft.syntheticShare)
                if let w = result.rftWeights {
                    t["weighted_images"] = .number(Double(w.count))
                    t["mean_weight"] = .number(w.meanWeight)
                }
            }
            training[o.rawValue] = .object(t)
        }
        json = [
            "simulator": simulator,
            "samples_per_model": .number(Double(result.before.allCriteria.total + result.before.unjudged)),
            "before": block(result.before),
            "after": .object(after),
            "gain": .object(gain),
            "training": .object(training),
            "judge_check": [
                "real_test_images": .number(Double(judgeCheck.images)),
                "all_criteria_rate": .number(judgeCheck.allCriteriaJudged.rate),
                "verdict_agreement": .number(judgeCheck.verdictAgreement.rate),
            ],
            "pretrained": .string(settings.pretrained),
            "store": .string(storePath),
            "seconds": .number((seconds * 10).rounded() / 10),
        ]
    }

    /// Adds the classifier's recognition rate per model (`before`, `rft`, `dpo`) and on real test images.
    public mutating func setClassifierAccuracy(_ accuracy: [String: Double]) {
        classifierAccuracy = accuracy
        guard case .object(var o) = json else { return }
        o["classifier_accuracy"] = .object(accuracy.mapValues(JSONValue.number))
        json = .object(o)
    }
}
