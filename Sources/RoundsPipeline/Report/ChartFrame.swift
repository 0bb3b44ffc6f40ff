
/// The plotting area of a chart and the axes drawn around it (shared by every chart type).
///
/// The legend sits in rows between the title and the plot, so it never covers data; the height given is
/// the plot's share, and rows of legend add to the total (`totalHeight`).
struct ChartFrame {
    static let left = 56.0, right = 24.0, titleBand = 30.0, bottom = 48.0, legendRow = 16.0

    let width: Double
    /// Left edge of the plot: room for the y ticks, more when rotated category labels reach further left.
    let left: Double
    /// Legend items placed as (row, x) — one row when the labels fit, more when they wrap.
    let legend: [(label: String, row: Int, x: Double)]
    let totalHeight: Double
    /// Room under the plot for the x ticks and label, more when rotated category labels hang below it.
    let bottom: Double
    var plotLeft: Double { left }
    var plotRight: Double { width - Self.right }
    var plotTop: Double { Self.titleBand + Double(legendRows) * Self.legendRow + 6 }
    var plotBottom: Double { totalHeight - bottom }
    private var legendRows: Int { legend.map { $0.row + 1 }.max() ?? 0 }

    /// - Parameter legend: series labels; a single series gets no legend (the title names it).
    init(width: Double, height: Double, legend labels: [String], left: Double = ChartFrame.left,
         bottom: Double = ChartFrame.bottom) {
        self.width = width
        self.bottom = max(Self.bottom, bottom)
        self.left = max(Self.left, left)
        var items = [(label: String, row: Int, x: Double)]()
        if labels.count > 1 {
            var row = 0
            var x = self.left
            for label in labels {
                // ~6 px per character at font-size 10 in a sans-serif face: an estimate, no font metrics here.
                let itemWidth = 14 + 6 * Double(label.count) + 18
                if x + itemWidth > width - Self.right && x > self.left {
                    row += 1
                    x = self.left
                }
                items.append((label, row, x))
                x += itemWidth
            }
        }
        legend = items
        totalHeight = height + Double(items.map { $0.row + 1 }.max() ?? 0) * Self.legendRow
    }

    /// Title on top, y ticks with light grid lines, the y axis label rotated along the left edge.
    func drawFrame(_ c: inout SVGCanvas, title: String, y: AxisScale, yLabel: String, yTicks: Int = 5) {
        c.text(title, x: width / 2, y: 18, anchor: .middle, size: 13, weight: "bold")
        for t in y.ticks(yTicks) {
            let py = y(t)
            c.line(plotLeft, py, plotRight, py, stroke: "#e5e5e5")
            c.line(plotLeft - 4, py, plotLeft, py, stroke: "#333333")
            c.text(Markup.label(t), x: plotLeft - 6, y: py + 4, anchor: .end, size: 10)
        }
        c.line(plotLeft, plotTop, plotLeft, plotBottom, stroke: "#333333")
        c.line(plotLeft, plotBottom, plotRight, plotBottom, stroke: "#333333")
        c.text(yLabel, x: 14, y: (plotTop + plotBottom) / 2, anchor: .middle, size: 11, rotate: -90)
    }

    /// Numeric x ticks below the plot and the x axis label.
    func drawXTicks(_ c: inout SVGCanvas, x: AxisScale, xLabel: String, count: Int = 6) {
        for t in x.ticks(count) {
            let px = x(t)
            c.line(px, plotBottom, px, plotBottom + 4, stroke: "#333333")
            c.text(Markup.label(t), x: px, y: plotBottom + 16, anchor: .middle, size: 10)
        }
        c.text(xLabel, x: (plotLeft + plotRight) / 2, y: totalHeight - 8, anchor: .middle, size: 11)
    }

    /// The legend rows under the title: a swatch and the label per series, in the series' colours
    /// (the palette by position when none are given).
    func drawLegend(_ c: inout SVGCanvas, colours: [String]? = nil) {
        for (i, item) in legend.enumerated() {
            let y = Self.titleBand + Double(item.row) * Self.legendRow
            c.rect(item.x, y, 10, 10, fill: colours.map { $0[i] } ?? ChartPalette.colour(i))
            c.text(item.label, x: item.x + 14, y: y + 9, size: 10)
        }
    }
}
