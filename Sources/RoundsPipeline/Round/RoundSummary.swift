import Foundation
import RoundsBroker
import RoundsCore
import RoundsDiffusion

/// A round's before/after table as JSON (the shape of the demo's `summary.json`, CLI.md): the share of
/// samples meeting every criterion with its Wilson 95% interval, per criterion, condition and skin-tone
/// band, for the parent (`before`), the control arm (`after.control`) and each finetuned model
/// (`after.rft`, `after.dpo`); each objective's gain over the parent (`gain`) and over the control
/// (`gain_over_control`: ratio, difference with Newcombe's interval, by the judge and measured); and
/// what each finetuning did.
public enum RoundSummary {
    /// `samples_per_model`, `before`, `after`, `gain`, `gain_over_control`, `signal_samples` and `training`.
    public static func fields(_ result: FeedbackRound.Result, settings: FeedbackRound.Settings) -> [String: JSONValue] {
        var after: [String: JSONValue] = [:], gain: [String: JSONValue] = [:], training: [String: JSONValue] = [:]
        var overControl: [String: JSONValue] = [:]
        for (o, e) in result.after {
            after[o.rawValue] = block(e)
            gain[o.rawValue] = self.gain(before: result.before, after: e)
            training[o.rawValue] = self.training(o, result: result, settings: settings)
            if let control = result.control { overControl[o.rawValue] = gainOverControl(control: control, arm: e) }
        }
        if let control = result.control {
            after["control"] = block(control)
            gain["control"] = self.gain(before: result.before, after: control)
            var t: [String: JSONValue] = [
                "steps": .number(Double(result.controlCurve?.points.count ?? 0)),
                "final_loss": result.controlCurve.map { .number(Double($0.recent { $0.loss })) } ?? .null,
                "real_images": .number(Double(result.realImages.used)),
                "judge_real": .bool(settings.judgeReal),
                "data": "the real images alone (RFT's real term), plain denoising loss",
            ]
            t["learning_rate"] = .number(settings.rft.learningRate)
            t["batch"] = .number(Double(settings.rft.rft.batch))
            t["ema_decay"] = settings.rft.emaDecay.map(JSONValue.number) ?? .null
            training["control"] = .object(t)
        }
        var f: [String: JSONValue] = [
            "samples_per_model": .number(Double(result.before.allCriteria.total + result.before.unjudged)),
            "before": block(result.before),
            "after": .object(after),
            "gain": .object(gain),
            "training": .object(training),
            "evaluation_seeds": "disjoint from the signal's: every model is sampled from seeds offset by 2^32",
        ]
        if result.control != nil {
            f["gain_over_control"] = .object(overControl)
            f["interval_method"] = .string(ProportionDifference.method)
        }
        if let s = result.signal {
            f["signal_samples"] = [
                "n": .number(Double(s.allCriteria.total + s.unjudged)), "all_criteria_rate": .number(s.allCriteria.rate),
                "measured_all_criteria_rate": s.measured.map { .number($0.rate) } ?? .null,
            ]
        }
        return f
    }

    /// An objective's gain over the control arm: `ratio`, `difference` and its `ci95` (Newcombe's hybrid
    /// score interval), `ratio_ci95` (Katz), whether the two Wilson intervals overlap, and the same under
    /// `measured` from the pixels when there is a ground truth.
    public static func gainOverControl(control: ModelEvaluation, arm: ModelEvaluation) -> JSONValue {
        var g = differenceFields(ProportionDifference(arm.allCriteria, over: control.allCriteria))
        g["intervals_overlap"] = .bool(overlap(arm.allCriteria, control.allCriteria))
        if let a = arm.measured, let c = control.measured {
            var m = differenceFields(ProportionDifference(a, over: c))
            m["intervals_overlap"] = .bool(overlap(a, c))
            g["measured"] = .object(m)
        }
        return .object(g)
    }

    static func differenceFields(_ d: ProportionDifference) -> [String: JSONValue] {
        [
            "ratio": d.ratio.map(JSONValue.number) ?? .null,
            "ratio_ci95": d.ratioCI95.map { .array($0.map(JSONValue.number)) } ?? .null,
            "difference": .number(d.difference),
            "ci95": .array(d.ci95.map(JSONValue.number)),
        ]
    }

    static func overlap(_ a: Proportion, _ b: Proportion) -> Bool { a.ci95[0] <= b.ci95[1] && b.ci95[0] <= a.ci95[1] }

    /// One model's shares: the judge's, and (procedural benchmark only) the measured ground truth.
    public static func block(_ e: ModelEvaluation) -> JSONValue {
        let rates = { (t: [String: Proportion]) in JSONValue.object(t.mapValues { .number($0.rate) }) }
        var b: [String: JSONValue] = [
            "all_criteria_rate": .number(e.allCriteria.rate),
            "ci95": .array(e.allCriteria.ci95.map(JSONValue.number)),
            "n": .number(Double(e.allCriteria.total)),
            "per_criterion": rates(e.perCriterion), "per_condition": rates(e.perCondition),
            "per_skin_tone": rates(e.perSkinTone),
        ]
        if let m = e.measured {
            b["measured"] = [
                "all_criteria_rate": .number(m.rate), "ci95": .array(m.ci95.map(JSONValue.number)),
                "n": .number(Double(m.total)), "per_condition": rates(e.measuredPerCondition),
                "per_criterion": rates(e.measuredPerCriterion), "per_skin_tone": rates(e.measuredPerSkinTone),
            ]
        }
        return .object(b)
    }

    /// The after/before ratio and whether the 95% intervals overlap, by the judge and by measurement.
    public static func gain(before b: ModelEvaluation, after a: ModelEvaluation) -> JSONValue {
        var g = gainFields(before: b.allCriteria, after: a.allCriteria)
        if let mb = b.measured, let ma = a.measured {
            for (k, v) in gainFields(before: mb, after: ma) { g["measured_" + k] = v }
        }
        return .object(g)
    }

    static func gainFields(before b: Proportion, after a: Proportion) -> [String: JSONValue] {
        [
            "ratio": b.rate > 0 ? .number(a.rate / b.rate) : .null,
            "intervals_overlap": .bool(overlap(a, b)),
        ]
    }

    static func training(_ o: FinetuneObjective, result: FeedbackRound.Result, settings: FeedbackRound.Settings)
        -> JSONValue
    {
        let curve = result.curves[o]
        var t: [String: JSONValue] = [
            "steps": .number(Double(curve?.points.count ?? 0)),
            "final_loss": curve.map { .number(Double($0.recent { $0.loss })) } ?? .null,
        ]
        if o == .dpo {
            t["implicit_accuracy"] = curve.map { .number(Double($0.recent(20) { $0.implicitAccuracy })) } ?? .null
            t["margin"] = curve.map { .number(Double($0.recent(20) { $0.margin })) } ?? .null
            t["beta"] = .number(Double(settings.dpo.dpo.beta))
            t["pairs_per_step"] = .number(Double(settings.dpo.pairsPerStep))
            t["sft_weight"] = .number(Double(settings.dpo.dpo.sftWeight))
            t["real_pairs"] = .number(Double(result.realPairs))
            if let c = result.dpoCounts {
                t["pairs"] = [
                    "one_winner": .number(Double(c.oneWinner)), "both_win": .number(Double(c.bothWin)),
                    "both_lose": .number(Double(c.bothLose)), "total": .number(Double(c.total)),
                ]
            }
        } else {
            t["real_weight"] = .number(Double(settings.rft.rft.realWeight))
            t["synthetic_share"] = .number(settings.rft.rft.syntheticShare)
            t["real_images"] = .number(Double(result.realImages.used))
            t["real_images_available"] = .number(Double(result.realImages.of))
            t["judge_real"] = .bool(settings.judgeReal)
            if let w = result.rftWeights {
                t["weighted_images"] = .number(Double(w.count))
                t["mean_weight"] = .number(w.meanWeight)
            }
        }
        return .object(t)
    }
}
