import Foundation
import FoundationXML
import RoundsAlignment
import RoundsPipeline
import Testing

/// Sample charts whose SVG is compared byte for byte with `Fixtures/golden/`. After an intended change,
/// regenerate with `ROUNDS_UPDATE_GOLDEN=1 swift test --filter ReportTests` and review the diff.
enum SampleCharts {
    static func histogram() -> HistogramChart {
        var rng = SplitMix64(seed: 3)
        let real: [Double] = rng.normals(200, mean: 0.75, sd: 0.1).map { min(1, max(0, $0)) }
        let gen: [Double] = rng.normals(150, mean: 0.6, sd: 0.15).map { min(1, max(0, $0)) }
        return HistogramChart(
            title: "CAS — melanoma <real & generated>", xLabel: "CAS",
            series: [.init("real", real), .init("checkpoint \"rft-2\"", gen)], bins: 20,
            markers: [(label: "P10 = 0.62", value: 0.62)])
    }

    static func curve(steps: Int, every: Int, gain: Double, scale: Double) -> [(x: Double, y: Double)] {
        (0...steps).map { (i: Int) -> (x: Double, y: Double) in
            let t = Double(i)
            return (x: Double(i * every), y: 0.5 + gain * (1 - exp(-t / scale)))
        }
    }

    static func line() -> LineChart {
        let train = LineChart.Series("train", curve(steps: 20, every: 50, gain: 0.4, scale: 6))
        let heldOut = LineChart.Series("held-out", curve(steps: 10, every: 100, gain: 0.3, scale: 4))
        return LineChart(title: "DPO training", xLabel: "step", yLabel: "implicit accuracy", series: [train, heldOut], yDomain: 0...1)
    }

    static func bars() -> GroupedBarChart {
        GroupedBarChart(
            title: "Criteria met per skin-tone band", yLabel: "share met",
            categories: ["I–II", "III–IV", "V–VI"],
            series: [
                .init("base", values: [0.62, 0.55, 0.41], intervals: [(0.55, 0.69), (0.47, 0.63), (0.3, 0.52)]),
                .init("rft", values: [0.8, 0.77, 0.7], intervals: [(0.74, 0.86), (0.7, 0.84), (0.6, 0.8)]),
            ], yDomain: 0...1)
    }
}

@Suite struct ReportTests {
    static let golden = TestFixtures.directory.appendingPathComponent("golden")

    func checkGolden(_ svg: String, _ name: String) throws {
        let url = Self.golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["ROUNDS_UPDATE_GOLDEN"] == "1" {
            try svg.write(to: url, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(svg == expected, "\(name) differs from its golden file")
    }

    /// SVG must be well-formed XML (browsers refuse to render broken inline SVG in XHTML and mis-nest it in HTML).
    func checkWellFormed(_ svg: String) {
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "not well-formed: \(String(describing: parser.parserError))")
    }

    @Test func histogramMatchesGolden() throws {
        let svg = SampleCharts.histogram().render()
        checkWellFormed(svg)
        #expect(svg.contains("CAS — melanoma &lt;real &amp; generated&gt;"))
        #expect(svg.contains("checkpoint &quot;rft-2&quot; (n=150)"))
        try checkGolden(svg, "histogram.svg")
        #expect(SampleCharts.histogram().render() == svg)  // deterministic
    }

    @Test func lineChartMatchesGolden() throws {
        let svg = SampleCharts.line().render()
        checkWellFormed(svg)
        for tick in [">0<", ">0.2<", ">1<", ">200<", ">1000<", ">step<", ">implicit accuracy<"] { #expect(svg.contains(tick), "\(tick)") }
        try checkGolden(svg, "line.svg")
    }

    @Test func groupedBarsMatchGolden() throws {
        let svg = SampleCharts.bars().render()
        checkWellFormed(svg)
        #expect(svg.components(separatedBy: "<rect").count - 1 == 6 + 2)  // six bars and two legend swatches
        #expect(svg.contains("III–IV · rft: 0.77 [0.7, 0.84]"))
        try checkGolden(svg, "bars.svg")
    }

    @Test func histogramSharesSumToOneAndClampOutliers() {
        let h = HistogramChart(title: "t", xLabel: "x", series: [], bins: 4)
        let input: [Double] = [0, 0.3, 0.99, 1, 1.7, -2, .nan]
        let expected: [Double] = [2.0 / 6, 1.0 / 6, 0, 3.0 / 6]
        #expect(h.shares(input) == expected)
        #expect(h.shares([]) == [0, 0, 0, 0])
    }

    @Test func ticksAreNiceAndNumbersDeterministic() {
        #expect(AxisScale(domain: 0...1, range: 0...100).ticks(5) == [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1])
        #expect(AxisScale(domain: 0...1000, range: 0...1).ticks(6).map { Markup.label($0) } == ["0", "200", "400", "600", "800", "1000"])
        #expect(AxisScale.niceDomain([0.13, 0.87]) == 0...1)  // step 0.2
        #expect(AxisScale.niceDomain([3, 47]) == 0...50)  // step 10
        let numbers = [-0.001, 12.345, 3.1, -7.05].map { Markup.number($0) }
        #expect(numbers == ["0", "12.35", "3.1", "-7.05"])
        #expect(Markup.label(0.30000000000000004) == "0.3")
    }

    @Test func emptyAndDegenerateChartsStillRender() {
        let empty = LineChart(title: "nothing yet", xLabel: "step", yLabel: "loss", series: [.init("loss", [(x: 1, y: .nan)])]).render()
        checkWellFormed(empty)
        #expect(empty.contains(">no data<"))
        let single = LineChart(title: "one", xLabel: "step", yLabel: "loss", series: [.init("loss", [(x: 3, y: 0.5)])]).render()
        #expect(single.contains("<circle"))
        checkWellFormed(GroupedBarChart(title: "b", yLabel: "y", categories: ["a criterion with a long name"], series: [.init("s", values: [.nan])]).render())
    }

    @Test func documentEscapesEverythingAndEmbedsImages() throws {
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3])
        let doc = ReportDocument(
            title: "Report <script>alert(1)</script>", subtitle: "judge run 'r1' & classifier \"c2\"",
            sections: [
                .init("CAS & tail", [
                    .paragraph("Tail < 10% \u{1}"),
                    .table(header: ["condition", "tail"], rows: [["<b>melanoma</b>", "0.12"], ["short"]], caption: "Tail by condition"),
                    .chart(.init(SampleCharts.bars())),
                    .thumbnails([try .init(data: png, alt: "gen \"7\"", caption: "met: 4/5\nevidence: <none>")]),
                ]),
            ])
        let html = doc.render()
        #expect(!html.contains("<script"))
        #expect(html.contains("<title>Report &lt;script&gt;alert(1)&lt;/script&gt;</title>"))
        #expect(html.contains("judge run &#39;r1&#39; &amp; classifier &quot;c2&quot;"))
        #expect(html.contains("<p>Tail &lt; 10% \u{FFFD}</p>"))
        #expect(html.contains("<td>&lt;b&gt;melanoma&lt;/b&gt;</td>"))
        #expect(html.contains("<tr><td>short</td><td></td></tr>"))
        #expect(html.contains("src=\"data:image/png;base64,\(png.base64EncodedString())\" alt=\"gen &quot;7&quot;\""))
        #expect(html.contains("evidence: &lt;none&gt;"))
        #expect(html.contains("default-src 'none'"))
        let links = html.components(separatedBy: "http://").count - 1
        let namespaces = html.components(separatedBy: "xmlns=\"http://www.w3.org/2000/svg\"").count - 1
        #expect(links == namespaces)  // the only URLs are the SVG namespace
        #expect(doc.render() == html)
        let bad = #expect(throws: AlignmentError.self) { try ReportDocument.Thumbnail(data: Data("GIF89a".utf8), alt: "x.gif", caption: "") }
        #expect(bad?.message == "thumbnail 'x.gif': not a PNG or JPEG image")
    }
}
