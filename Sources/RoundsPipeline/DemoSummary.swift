import Foundation
import RoundsBroker
import RoundsCore
import RoundsDiffusion
import RoundsSimulator

/// The demo's `summary.json` (CLI.md "Demo summary.json"), plus what a reader needs to trust it: the
/// judge check on real images, the gains with whether the 95% intervals overlap, timings and paths.
public struct DemoSummary {
    public var json: JSONValue
    /// Before and after shares of samples meeting every criterion, by model name (`before`, `control`,
    /// `rft`, `dpo`).
    public var allCriteria: [String: Proportion]
    public var perCriterion: [String: [String: Proportion]]
    public var perSkinTone: [String: [String: Proportion]]
    /// Each model's full evaluation, by model name.
    public var evaluations: [String: ModelEvaluation]
    public var judgeCheck: JudgeCheck
    public var classifierAccuracy: [String: Double]
    public var storePath: String

    init(result: FeedbackRound.Result, settings: OfflineRoundDemo.Settings, judgeCheck: JudgeCheck, storePath: String,
         seconds: Double)
    {
        var models: [String: ModelEvaluation] = ["before": result.before]
        for (o, e) in result.after { models[o.rawValue] = e }
        if let control = result.control { models["control"] = control }
        allCriteria = models.mapValues(\.allCriteria)
        perCriterion = models.mapValues(\.perCriterion)
        perSkinTone = models.mapValues(\.perSkinTone)
        evaluations = models
        self.judgeCheck = judgeCheck
        self.storePath = storePath
        classifierAccuracy = [:]

        var simulator = JSONValue.object(settings.simulator.summary.mapValues(JSONValue.number))
        if case .object(var s) = simulator {
            s["judge"] = "rounds-simulator: measures criteria from pixels; not a clinical model"
            s["samples_per_image"] = .number(Double(settings.judgeSamples))
            simulator = .object(s)
        }
        var fields = RoundSummary.fields(result, settings: settings.round)
        fields["simulator"] = simulator
        fields["judge_check"] = [
            "real_test_images": .number(Double(judgeCheck.images)),
            "all_criteria_rate": .number(judgeCheck.allCriteriaJudged.rate),
            "verdict_agreement": .number(judgeCheck.verdictAgreement.rate),
        ]
        fields["pretrained"] = .string(settings.pretrained)
        fields["real_defect_rate"] = .number(settings.defectRate)
        fields["real_per_condition"] = .number(Double(settings.realPerCondition))
        fields["benchmark"] = .string(settings.defectRate == 0
            ? "clean: every real image meets every criterion"
            : "defect data: the judge's data-cleaning use (\(Int((settings.defectRate * 100).rounded()))% of the real images break a criterion)")
        fields["store"] = .string(storePath)
        fields["seconds"] = .number((seconds * 10).rounded() / 10)
        json = .object(fields)
    }

    /// Adds the classifier's recognition rate per model (`before`, `control`, `rft`, `dpo`).
    public mutating func setClassifierAccuracy(_ accuracy: [String: Double]) {
        classifierAccuracy = accuracy
        guard case .object(var o) = json else { return }
        o["classifier_accuracy"] = .object(accuracy.mapValues(JSONValue.number))
        json = .object(o)
    }
}
