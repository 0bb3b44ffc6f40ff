/// Histograms of several samples (e.g. CAS of real images and of each checkpoint) drawn as step
/// outlines on one axis, each normalised to shares per bin so samples of different sizes compare
/// directly; outlines stay readable where filled overlays would mix into one colour.
public struct HistogramChart: Sendable {
    public struct Series: Sendable {
        public var label: String
        public var values: [Double]
        /// The series' colour; nil takes the palette's by position.
        public var colour: String?
        public init(_ label: String, _ values: [Double], colour: String? = nil) {
            self.label = label
            self.values = values
            self.colour = colour
        }
    }

    public var title: String
    public var xLabel: String
    public var series: [Series]
    /// Bin edges cover this range; values outside are clamped into the end bins.
    public var domain: ClosedRange<Double>
    public var bins: Int
    /// Vertical dashed markers (e.g. the tail threshold), labelled.
    public var markers: [(label: String, value: Double)]
    public var width = 560.0
    public var height = 300.0

    public init(
        title: String, xLabel: String, series: [Series], domain: ClosedRange<Double> = 0...1, bins: Int = 20,
        markers: [(label: String, value: Double)] = []
    ) {
        self.title = title
        self.xLabel = xLabel
        self.series = series
        self.domain = domain
        self.bins = max(1, bins)
        self.markers = markers
    }

    /// Shares per bin for one sample: `[bins]`, summing to 1 (all zeros for an empty sample). NaNs are skipped.
    public func shares(_ values: [Double]) -> [Double] {
        var counts = [Double](repeating: 0, count: bins)
        let finite = values.filter(\.isFinite)
        let span = domain.upperBound - domain.lowerBound
        for v in finite {
            let t = span > 0 ? (v - domain.lowerBound) / span : 0
            counts[min(bins - 1, max(0, Int((t * Double(bins)).rounded(.down))))] += 1
        }
        return finite.isEmpty ? counts : counts.map { $0 / Double(finite.count) }
    }

    public func render() -> String {
        let frame = ChartFrame(width: width, height: height, legend: series.map { "\($0.label) (n=\($0.values.count))" })
        var c = SVGCanvas(width: width, height: frame.totalHeight, title: title)
        let all = series.map { shares($0.values) }
        let top = AxisScale.niceDomain(all.flatMap { $0 } + [0], includeZero: true, ticks: 4)
        let y = AxisScale(domain: 0...max(top.upperBound, 0.05), range: frame.plotTop...frame.plotBottom, inverted: true)
        let x = AxisScale(domain: domain, range: frame.plotLeft...frame.plotRight)
        frame.drawFrame(&c, title: title, y: y, yLabel: "share of images")
        frame.drawXTicks(&c, x: x, xLabel: xLabel)
        let binWidth = (domain.upperBound - domain.lowerBound) / Double(bins)
        let colours = series.enumerated().map { $0.element.colour ?? ChartPalette.colour($0.offset) }
        // Series dashed in turn, so two outlines that coincide stay distinguishable without colour.
        let dashes: [String?] = [nil, "6 3", "2 2", "8 3 2 3"]
        for (s, shares) in all.enumerated() {
            let colour = colours[s]
            var outline: [(Double, Double)] = [(x(domain.lowerBound), y(0))]
            for (b, share) in shares.enumerated() {
                let lo = domain.lowerBound + Double(b) * binWidth
                let tip = "\(series[s].label): \(Markup.label(lo, decimals: 3))–\(Markup.label(lo + binWidth, decimals: 3)): \(Markup.label(share * 100, decimals: 1))%"
                // An invisible bar carries the tooltip; the outline below is what shows.
                c.rect(x(lo), y(share), x(lo + binWidth) - x(lo), y(0) - y(share), fill: colour, opacity: 0, tooltip: tip)
                outline += [(x(lo), y(share)), (x(lo + binWidth), y(share))]
            }
            outline.append((x(domain.upperBound), y(0)))
            c.polyline(outline, stroke: colour, width: 2, dash: dashes[s % dashes.count])
        }
        for m in markers where domain.contains(m.value) {
            c.line(x(m.value), frame.plotTop, x(m.value), frame.plotBottom, stroke: "#555555", width: 1, dash: "4 3")
            c.text(m.label, x: x(m.value) + 3, y: frame.plotTop + 10, size: 10)
        }
        frame.drawLegend(&c, colours: colours)
        return c.render()
    }
}
