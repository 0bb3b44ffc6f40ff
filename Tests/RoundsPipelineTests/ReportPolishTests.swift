import Foundation
import RoundsPipeline
import Testing

/// The report's readability fixes: counts once in legends, one colour per group across charts, step
/// outlines instead of translucent overlays, rotated labels inside the picture, no empty column, and
/// the final loss `rounds finetune` printed.
@Suite struct ReportPolishTests {
    @Test func legendsGiveTheCountOnce() {
        let svg = HistogramChart(title: "t", xLabel: "CAS", series: [.init("real", [0.5, 0.6]), .init("rft", [0.4])]).render()
        #expect(svg.contains(">real (n=2)<") && svg.contains(">rft (n=1)<"))
        #expect(!svg.contains("(n=2) (n=2)"))
    }

    @Test func histogramsAreStepOutlinesInTheSeriesColours() {
        let svg = HistogramChart(
            title: "t", xLabel: "CAS",
            series: [.init("real", [0.5, 0.6], colour: "#111111"), .init("rft", [0.4, 0.9], colour: "#222222")]
        ).render()
        // Bars only carry tooltips; the outlines show, the second dashed.
        #expect(!svg.contains("fill-opacity=\"0.35\""))
        #expect(svg.contains("<polyline") && svg.contains("stroke=\"#111111\"") && svg.contains("stroke=\"#222222\""))
        #expect(svg.contains("stroke-dasharray=\"6 3\""))
        // The legend swatches use the same colours.
        #expect(svg.contains("width=\"10\" height=\"10\" fill=\"#111111\"") && svg.contains("width=\"10\" height=\"10\" fill=\"#222222\""))
    }

    @Test func aGroupKeepsItsColourAcrossCharts() {
        let bars = GroupedBarChart(
            title: "tail", yLabel: "share", categories: ["a", "b"],
            series: [.init("rft", values: [0.1, 0.2], colour: "#E69F00")]).render()
        #expect(bars.contains("fill=\"#E69F00\""))
        #expect(!bars.contains("fill=\"#0072B2\""), "the first series does not fall back to the first palette colour")
    }

    @Test func rotatedCategoryLabelsStayInsideThePicture() throws {
        let long = "synthetic/target-lesion-with-a-long-name"
        let chart = GroupedBarChart(
            title: "Low-alignment tail per condition", yLabel: "share", categories: [long, "synthetic/scaly-plaque"],
            series: [.init("rft", values: [0.1, 0.2])], yDomain: 0...1)
        let svg = chart.render()
        // The first label is anchored at its end and rotated by -35°: its start must not pass x = 0,
        // and its lowest point must be inside the picture's height.
        let text = try #require(svg.components(separatedBy: "<text").first { $0.contains(">\(long)</text>") })
        let x = try #require(Self.attribute("x", in: text)), y = try #require(Self.attribute("y", in: text))
        let width = 6 * Double(long.count)
        #expect(x - width * cos(35 * Double.pi / 180) >= 0, "label starts at \(x - width * cos(35 * Double.pi / 180))")
        let height = try #require(Self.attribute("height", in: svg))
        #expect(y + width * sin(35 * Double.pi / 180) <= height, "label ends at \(y + width * sin(35 * Double.pi / 180)) of \(height)")
    }

    /// The first ` name="number"` attribute in `text`.
    static func attribute(_ name: String, in text: String) -> Double? {
        guard let start = text.range(of: " \(name)=\"") else { return nil }
        return Double(text[start.upperBound...].prefix { $0 != "\"" })
    }

    @Test func finalValuesAreTheMeanOfTheLastSteps() {
        let curve: TrainingCurves.Curve = (1...30).map { (step: Double($0), value: Double($0)) }
        #expect(TrainingCurves.final(curve) == 25.5)  // steps 21...30, as rounds finetune prints its final loss
        #expect(TrainingCurves.final([(step: 1, value: 0.5), (step: 2, value: 0.3)]) == 0.4)
        #expect(TrainingCurves.final([]) == nil)
    }
}
