import Foundation
import RoundsAlignment
import RoundsCore
import RoundsImaging
import RoundsStore

extension CASReportData {
    private func f(_ x: Double?) -> String { x.map { Markup.label($0) } ?? "n/a" }

    /// The self-contained HTML page (inline SVG, base64 thumbnails, no scripts, no network).
    ///
    /// - Throws: `AlignmentError.unreadableFile` when a thumbnail's image file cannot be read.
    public func html() throws -> String {
        var sections = [ReportDocument.Section]()
        let conditions = Array(Set(rows.map { $0.image.condition!.description })).sorted()
        let groups = Array(Set(rows.map(\.group))).sorted { ($0 == "real" ? "" : $0) < ($1 == "real" ? "" : $1) }
        // One colour per group in every chart, from the group's place in the report's group list.
        func colour(_ group: String) -> String { ChartPalette.colour(groups.firstIndex(of: group) ?? groups.count) }
        var distribution = [ReportDocument.Block]()
        distribution.append(.paragraph(
            "CAS per image (docs/cas.md), reference \(reference). Dimensions without a measurement are listed as unavailable, never counted as 0."))
        for c in conditions {
            let mine = rows.filter { $0.image.condition!.description == c }
            let series = groups.compactMap { g -> HistogramChart.Series? in
                let v = mine.filter { $0.group == g }.map(\.cas)
                // The chart adds the count to the legend itself.
                return v.isEmpty ? nil : HistogramChart.Series(g, v, colour: colour(g))
            }
            let markers: [(label: String, value: Double)] = tails.compactMap { $0.conditions[c] }.first.map { [(label: "tail threshold P\(Markup.label(percentile, decimals: 0))", value: $0.threshold)] } ?? []
            distribution.append(.chart(.init(HistogramChart(title: "CAS — \(c)", xLabel: "CAS", series: series, markers: markers))))
        }
        var unavailable = [String: Int]()
        for r in rows { for d in CASDimension.allCases where r.dimensions[d] == nil { unavailable[d.rawValue, default: 0] += 1 } }
        distribution.append(.table(
            header: ["dimension", "images without it"],
            rows: CASDimension.allCases.map { [$0.rawValue, "\(unavailable[$0.rawValue] ?? 0) of \(rows.count)"] },
            caption: "Unavailable dimensions"))
        sections.append(.init("CAS distributions: real vs each generator or checkpoint", distribution))

        var tailRows = [[String]]()
        for t in tails {
            for (c, e) in t.conditions.sorted(by: { $0.key < $1.key }) {
                tailRows.append([t.group, c, f(e.threshold), f(e.share), "[\(f(e.lower)), \(f(e.upper))]", "\(e.realCount)", "\(e.generatedCount)"])
            }
            tailRows.append([t.group, "pooled", "", f(t.pooledShare), "[\(f(t.pooledLower)), \(f(t.pooledUpper))]", "", ""])
        }
        var tailBlocks: [ReportDocument.Block] = [
            .table(header: ["group", "condition", "threshold", "tail share", "95% CI", "real", "generated"], rows: tailRows,
                   caption: "Low-alignment tail: share of generated images with CAS below the P\(Markup.label(percentile, decimals: 0)) of real CAS")
        ]
        if !tails.isEmpty {
            tailBlocks.append(.chart(.init(GroupedBarChart(
                title: "Low-alignment tail per condition", yLabel: "share below threshold", categories: conditions,
                series: tails.map { t in
                    GroupedBarChart.Series(t.group, values: conditions.map { t.conditions[$0]?.share ?? 0 },
                                           intervals: conditions.map { c -> (lower: Double, upper: Double) in (t.conditions[c]?.lower ?? 0, t.conditions[c]?.upper ?? 0) },
                                           colour: colour(t.group))
                }, yDomain: 0...1))))
        }
        for c in conditionsWithoutThreshold { tailBlocks.append(.paragraph("No tail for \(c): no real CAS for a threshold.")) }
        sections.append(.init("Low-alignment tail", tailBlocks))

        sections.append(.init("Criteria met", [
            .table(header: ["condition", "criterion", "group", "met", "judged", "share"],
                   rows: criteria.map { [$0.condition, $0.criterion, $0.group, "\($0.met)", "\($0.total)", f($0.share)] },
                   caption: "Per criterion (judge's combined verdict; indeterminate left out)"),
            .table(header: ["skin-tone band", "group", "images", "mean share of criteria met"],
                   rows: bands.map { [$0.band, $0.group, "\($0.count)", f($0.meanShare)] }, caption: "Per skin-tone band"),
        ]))
        sections.append(.init("Judge vs expert", agreement.isEmpty
            ? [.paragraph("No expert labels in the store: judge-vs-expert κ is not available.")]
            : [.table(header: ["rater", "κ", "95% CI", "items", "note"],
                      rows: agreement.map { a in
                          [a.rater, f(a.kappa), a.interval.map { "[\(f($0.lowerBound)), \(f($0.upperBound))]" } ?? "n/a", "\(a.items)", a.note ?? ""]
                      }, caption: "Cohen's κ, judge (\(judgeLabel)) vs each rater")] + criterionAgreementBlocks))
        sections.append(memorisationSection)
        sections.append(trainingSection)
        sections.append(.init("Best and worst synthetic images", [
            .paragraph("Highest CAS"), .thumbnails(try best.map(thumbnail)),
            .paragraph("Lowest CAS"), .thumbnails(try worst.map(thumbnail)),
        ]))
        if !realExamples.isEmpty {
            sections.append(.init("Real reference images", [.thumbnails(try realExamples.map(thumbnail))]))
        }
        let doc = ReportDocument(
            title: "Rounds — Clinical Alignment Score report",
            subtitle: "\(ClinicalAlignmentScore.version); judge: \(judgeLabel); reference \(reference)", sections: sections)
        return doc.render()
    }

    private func thumbnail(_ e: Example) throws -> ReportDocument.Thumbnail {
        let image: RGBImage
        do { image = try ImageFile.load(path: e.row.image.path).image } catch {
            throw AlignmentError(.unreadableFile, "image \(e.row.image.id) at \(e.row.image.path): \(error)")
        }
        let bytes: [UInt8]
        do { bytes = try ImageFile.encode(image.fitting(longEdge: 128), format: .png) } catch {
            throw AlignmentError(.invalidArgument, "encoding the thumbnail of \(e.row.image.id): \(error)")
        }
        let caption = "\(e.row.image.condition!) · \(e.row.group) · CAS \(f(e.row.cas))\n" + e.verdicts.joined(separator: "\n")
        return try ReportDocument.Thumbnail(data: Data(bytes), alt: "\(e.row.image.condition!) \(e.row.image.id.prefix(12))", caption: caption)
    }
}
