
/// Curves over a numeric x axis (training loss, implicit accuracy, reward against the step).
public struct LineChart: Sendable {
    public struct Series: Sendable {
        public var label: String
        public var points: [(x: Double, y: Double)]
        public init(_ label: String, _ points: [(x: Double, y: Double)]) {
            self.label = label
            self.points = points
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    /// Fixed y range (e.g. 0...1 for accuracies); nil fits the data with nice ends.
    public var yDomain: ClosedRange<Double>?
    public var width = 560.0
    public var height = 300.0

    public init(title: String, xLabel: String, yLabel: String, series: [Series], yDomain: ClosedRange<Double>? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.yDomain = yDomain
    }

    /// Non-finite points are dropped (a diverged step must not break the drawing); a series with one
    /// point is drawn as a dot.
    public func render() -> String {
        let frame = ChartFrame(width: width, height: height, legend: series.map(\.label))
        var c = SVGCanvas(width: width, height: frame.totalHeight, title: title)
        let clean = series.map { s in s.points.filter { $0.x.isFinite && $0.y.isFinite } }
        let xs = clean.flatMap { $0.map(\.x) }
        let ys = clean.flatMap { $0.map(\.y) }
        let x = AxisScale(domain: AxisScale.niceDomain(xs, ticks: 6), range: frame.plotLeft...frame.plotRight)
        let y = AxisScale(domain: yDomain ?? AxisScale.niceDomain(ys, ticks: 5), range: frame.plotTop...frame.plotBottom, inverted: true)
        frame.drawFrame(&c, title: title, y: y, yLabel: yLabel)
        frame.drawXTicks(&c, x: x, xLabel: xLabel)
        if xs.isEmpty {
            c.text("no data", x: width / 2, y: (frame.plotTop + frame.plotBottom) / 2, anchor: .middle, size: 12)
        }
        for (i, points) in clean.enumerated() {
            let mapped = points.sorted { $0.x < $1.x }.map { (x($0.x), y($0.y)) }
            if mapped.count == 1 {
                c.circle(mapped[0].0, mapped[0].1, r: 3, fill: ChartPalette.colour(i))
            } else if !mapped.isEmpty {
                c.polyline(mapped, stroke: ChartPalette.colour(i))
            }
        }
        frame.drawLegend(&c)
        return c.render()
    }
}
