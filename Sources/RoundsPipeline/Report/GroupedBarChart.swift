import Foundation

/// Bars grouped by category (criteria, skin-tone bands), one bar per series (checkpoints), with optional
/// error bars (e.g. 95 % intervals).
public struct GroupedBarChart: Sendable {
    public struct Series: Sendable {
        public var label: String
        /// `[categories.count]` bar heights; NaN draws no bar (missing).
        public var values: [Double]
        /// `[categories.count]` (lower, upper) error-bar ends, or nil for none.
        public var intervals: [(lower: Double, upper: Double)]?
        /// The series' colour; nil takes the palette's by position. A report gives each group one colour
        /// in every chart.
        public var colour: String?
        public init(_ label: String, values: [Double], intervals: [(lower: Double, upper: Double)]? = nil, colour: String? = nil) {
            self.label = label
            self.values = values
            self.intervals = intervals
            self.colour = colour
        }
    }

    public var title: String
    public var yLabel: String
    public var categories: [String]
    public var series: [Series]
    public var yDomain: ClosedRange<Double>?
    public var width = 640.0
    public var height = 320.0

    public init(title: String, yLabel: String, categories: [String], series: [Series], yDomain: ClosedRange<Double>? = nil) {
        self.title = title
        self.yLabel = yLabel
        self.categories = categories
        self.series = series
        self.yDomain = yDomain
    }

    /// - Precondition: every series has one value (and interval) per category — a programming error otherwise.
    public func render() -> String {
        for s in series {
            precondition(s.values.count == categories.count, "series \(s.label): \(s.values.count) values for \(categories.count) categories")
            precondition(s.intervals.map { $0.count == categories.count } ?? true, "series \(s.label): interval count mismatch")
        }
        // Long category names are rotated by 35°, which needs room below the plot and, for the first
        // category, to the left: both from the longest label (~6 px per character at font-size 10).
        let rotate = categories.contains { $0.count > 10 } || categories.count > 8
        let labelWidth = 6 * Double(categories.map(\.count).max() ?? 0)
        let angle = 35 * Double.pi / 180
        let extra = rotate ? max(0, labelWidth * sin(angle) + 16 - ChartFrame.bottom + 20) : 0
        let firstCentre = (width - ChartFrame.left - ChartFrame.right) / Double(max(1, categories.count)) / 2
        let left = rotate ? labelWidth * cos(angle) - firstCentre + 8 : ChartFrame.left
        // The extra height goes below the plot, where the labels hang, not into the plot itself.
        let frame = ChartFrame(width: width, height: height + extra, legend: series.map(\.label), left: left,
                               bottom: ChartFrame.bottom + extra)
        let colours = series.enumerated().map { $0.element.colour ?? ChartPalette.colour($0.offset) }
        var c = SVGCanvas(width: width, height: frame.totalHeight, title: title)
        let tops = series.flatMap { s in s.values + (s.intervals?.map(\.upper) ?? []) }
        let y = AxisScale(domain: yDomain ?? AxisScale.niceDomain(tops + [0], includeZero: true), range: frame.plotTop...frame.plotBottom, inverted: true)
        frame.drawFrame(&c, title: title, y: y, yLabel: yLabel)
        let groupWidth = (frame.plotRight - frame.plotLeft) / Double(max(1, categories.count))
        let barWidth = groupWidth * 0.8 / Double(max(1, series.count))
        let base = y(max(y.domain.lowerBound, 0))
        for (g, category) in categories.enumerated() {
            let left = frame.plotLeft + Double(g) * groupWidth + groupWidth * 0.1
            for (s, series) in series.enumerated() {
                let v = series.values[g]
                guard v.isFinite else { continue }
                let bx = left + Double(s) * barWidth
                let top = y(min(max(v, y.domain.lowerBound), y.domain.upperBound))
                var tip = "\(category) · \(series.label): \(Markup.label(v))"
                if let iv = series.intervals?[g] { tip += " [\(Markup.label(iv.lower)), \(Markup.label(iv.upper))]" }
                c.rect(bx, min(top, base), barWidth * 0.92, abs(base - top), fill: colours[s], tooltip: tip)
                if let iv = series.intervals?[g], iv.lower.isFinite, iv.upper.isFinite {
                    let cx = bx + barWidth * 0.46
                    let lo = y(max(iv.lower, y.domain.lowerBound)), hi = y(min(iv.upper, y.domain.upperBound))
                    c.line(cx, lo, cx, hi, stroke: "#222222", width: 1.2)
                    c.line(cx - 3, lo, cx + 3, lo, stroke: "#222222", width: 1.2)
                    c.line(cx - 3, hi, cx + 3, hi, stroke: "#222222", width: 1.2)
                }
            }
            let cx = frame.plotLeft + (Double(g) + 0.5) * groupWidth
            if rotate {
                c.text(category, x: cx, y: frame.plotBottom + 12, anchor: .end, size: 10, rotate: -35)
            } else {
                c.text(category, x: cx, y: frame.plotBottom + 16, anchor: .middle, size: 10)
            }
        }
        frame.drawLegend(&c, colours: colours)
        return c.render()
    }
}
