import Foundation
import RoundsAlignment
import RoundsBroker
import RoundsCore

/// The report's sections beyond CAS itself: κ per criterion, memorisation, finetuning curves.
extension CASReportData {
    private func f(_ x: Double?) -> String { x.map { Markup.label($0) } ?? "n/a" }

    /// Judge-vs-expert κ per condition and criterion, with what the trust gate does with each.
    var criterionAgreementBlocks: [ReportDocument.Block] {
        guard let decision = criterionAgreement, decision.hasExpertLabels else { return [] }
        var rows = [[String]]()
        for c in decision.conditions {
            switch c.status {
            case .gated:
                for g in c.criteria {
                    let each = g.measurements.map { "\($0.rater): \(f($0.kappa.value)) (\($0.items) items)" }
                    rows.append([
                        c.condition.description, g.criterion, f(g.kappa), each.joined(separator: "; "),
                        g.excluded ? "left out" : "kept",
                    ])
                }
            case .noComparableLabels:
                rows.append([
                    c.condition.description, "—", "n/a", c.raters.joined(separator: ", "),
                    "labelled images never judged",
                ])
            case .noExpertLabels, .off:
                continue
            }
        }
        return [
            .table(
                header: ["condition", "criterion", "κ (mean)", "per rater", "trust gate"], rows: rows,
                caption:
                    "Cohen's κ per criterion, judge's latest verdict vs each rater; the broker leaves out criteria "
                    + "below κ \(Markup.label(decision.gate.threshold)) by default")
        ]
    }

    /// Memorisation: near-copies of training images per group and the closest generated images.
    var memorisationSection: ReportDocument.Section {
        guard let m = memorisation, m.unavailable == nil else {
            return .init("Memorisation", [.paragraph("Not measured: \(memorisation?.unavailable ?? "no data").")])
        }
        let closest = m.entries.prefix(10).map { e in
            [
                String(e.imageID.prefix(12)), e.group, String(e.nearestTrainingID.prefix(12)),
                Markup.label(e.distance, decimals: 4), e.nearCopy ? "yes" : "no",
            ]
        }
        return .init(
            "Memorisation",
            [
                .paragraph(m.line),
                .table(
                    header: ["group", "generated", "near-copies", "share", "median distance"],
                    rows: m.groups.map {
                        [
                            $0.group, "\($0.count)", "\($0.nearCopies)", f($0.share),
                            Markup.label($0.medianDistance, decimals: 4),
                        ]
                    },
                    caption: "Near-copies of training images per generator or checkpoint"),
                .table(
                    header: ["generated image", "group", "nearest training image", "distance", "near-copy"], rows: closest,
                    caption: "The generated images closest to a training image"),
            ])
    }

    /// RFT and DPO curves, one chart per quantity with a line per checkpoint.
    var trainingSection: ReportDocument.Section {
        guard !training.isEmpty else {
            return .init(
                "Finetuning",
                [
                    .paragraph(
                        "No finetuning runs recorded: the store has no checkpoint made with objective rft or dpo.")
                ])
        }
        var blocks = [ReportDocument.Block]()
        func chart(
            _ title: String, _ y: String, _ runs: [TrainingCurves], _ curve: (TrainingCurves) -> TrainingCurves.Curve,
            domain: ClosedRange<Double>? = nil
        ) {
            guard !runs.isEmpty else { return }
            blocks.append(
                .chart(
                    .init(
                        LineChart(
                            title: title, xLabel: "step", yLabel: y,
                            series: runs.map { r in
                                LineChart.Series(r.label, curve(r).map { (x: $0.step, y: $0.value) })
                            },
                            yDomain: domain))))
        }
        let rft = training.filter { $0.objective == "rft" }
        let dpo = training.filter { $0.objective == "dpo" }
        chart("RFT training loss", "reward-weighted loss", rft, \.loss)
        chart("DPO training loss", "Diffusion-DPO loss", dpo, \.loss)
        chart("DPO implicit accuracy", "share of pairs", dpo, \.implicitAccuracy, domain: 0...1)
        chart("DPO implicit reward margin", "margin", dpo, \.margin)
        blocks.append(
            .table(
                header: [
                    "checkpoint", "objective", "model directory", "parent", "steps", "final loss",
                    "final implicit accuracy", "notes",
                ],
                rows: training.map { r in
                    [
                        "\(r.checkpointID)", r.objective, r.path, r.parentID.map(String.init) ?? "—",
                        "\(r.loss.count)", f(TrainingCurves.final(r.loss)),
                        r.objective == "dpo" ? f(TrainingCurves.final(r.implicitAccuracy)) : "—",
                        r.notes.joined(separator: "; "),
                    ]
                }, caption: "Finetuned checkpoints (loss.csv, and dpo.csv for DPO, in each model directory); final values are "
                    + "the mean of the last \(TrainingCurves.finalWindow) steps, as rounds finetune prints them"))
        return .init("Finetuning", blocks)
    }
}
