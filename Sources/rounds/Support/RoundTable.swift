import Foundation
import RoundsPipeline
import RoundsSimulator

/// The before/after table of a feedback round (`rounds round`, `rounds demo`) on stdout: the share of
/// images meeting every criterion with its Wilson 95% interval, then per condition, skin-tone band and
/// criterion, one column per model.
enum RoundTable {
    static func print(_ title: String, models: [(name: String, evaluation: ModelEvaluation)]) {
        func pct(_ p: Proportion?) -> String {
            guard let p, p.total > 0 else { return pad("–", 24) }
            return String(format: "%5.1f%% [%4.1f, %4.1f]", p.rate * 100, p.ci95[0] * 100, p.ci95[1] * 100)
        }
        func row(_ label: String, _ value: (ModelEvaluation) -> Proportion?) {
            Swift.print(pad(label, 36) + models.map { pct(value($0.evaluation)) }.joined(separator: " "))
        }
        Swift.print(title)
        Swift.print(pad("", 36) + models.map { pad($0.name, 24) }.joined(separator: " "))
        row("all criteria") { $0.allCriteria }
        let first = models.first?.evaluation
        if first?.measured != nil {
            row("  measured (no judge noise)") { $0.measured }
            for key in (first?.measuredPerCondition ?? [:]).keys.sorted() {
                row("    " + key) { $0.measuredPerCondition[key] }
            }
        }
        Swift.print("per condition:")
        for key in (first?.perCondition ?? [:]).keys.sorted() { row("  " + key) { $0.perCondition[key] } }
        Swift.print("per skin-tone band:")
        let tones = Set(models.flatMap { $0.evaluation.perSkinTone.keys })
        for tone in SkinTone.allCases.map(\.rawValue) + tones.filter({ SkinTone(rawValue: $0) == nil }).sorted()
        where tones.contains(tone) {
            row("  " + tone) { $0.perSkinTone[tone] }
        }
        Swift.print("per criterion (met):")
        for key in (first?.perCriterion ?? [:]).keys.sorted() { row("  " + key) { $0.perCriterion[key] } }
    }

    static func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: n, withPad: " ", startingAt: 0) }
}
