
/// Builds one SVG document element by element; every attribute value and text is escaped, every number
/// goes through `Markup.number`, so the same inputs give the same bytes.
public struct SVGCanvas: Sendable {
    public let width: Double
    public let height: Double
    public let title: String
    private var elements: [String] = []

    /// - Parameter title: the accessible name (`<title>`), also shown as a tooltip.
    public init(width: Double, height: Double, title: String) {
        self.width = width
        self.height = height
        self.title = title
    }

    private static func attributes(_ pairs: [(String, String)]) -> String {
        pairs.map { " \($0.0)=\"\(Markup.escape($0.1))\"" }.joined()
    }

    public mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1, dash: String? = nil) {
        var a: [(String, String)] = [("x1", Markup.number(x1)), ("y1", Markup.number(y1)), ("x2", Markup.number(x2)), ("y2", Markup.number(y2)),
                                      ("stroke", stroke), ("stroke-width", Markup.number(width))]
        if let dash { a.append(("stroke-dasharray", dash)) }
        elements.append("<line\(Self.attributes(a))/>")
    }

    public mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, opacity: Double = 1, tooltip: String? = nil) {
        var a: [(String, String)] = [("x", Markup.number(x)), ("y", Markup.number(y)), ("width", Markup.number(max(0, w))),
                                      ("height", Markup.number(max(0, h))), ("fill", fill)]
        if opacity < 1 { a.append(("fill-opacity", Markup.number(opacity))) }
        if let tooltip {
            elements.append("<rect\(Self.attributes(a))><title>\(Markup.escape(tooltip))</title></rect>")
        } else {
            elements.append("<rect\(Self.attributes(a))/>")
        }
    }

    public mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 2, dash: String? = nil) {
        let p = points.map { "\(Markup.number($0.0)),\(Markup.number($0.1))" }.joined(separator: " ")
        var a: [(String, String)] = [("points", p), ("fill", "none"), ("stroke", stroke), ("stroke-width", Markup.number(width)),
                                      ("stroke-linejoin", "round")]
        if let dash { a.append(("stroke-dasharray", dash)) }
        elements.append("<polyline\(Self.attributes(a))/>")
    }

    public mutating func circle(_ cx: Double, _ cy: Double, r: Double, fill: String) {
        elements.append("<circle\(Self.attributes([("cx", Markup.number(cx)), ("cy", Markup.number(cy)), ("r", Markup.number(r)), ("fill", fill)]))/>")
    }

    public enum Anchor: String, Sendable { case start, middle, end }

    public mutating func text(
        _ s: String, x: Double, y: Double, anchor: Anchor = .start, size: Double = 11, weight: String? = nil, rotate: Double? = nil
    ) {
        var a: [(String, String)] = [("x", Markup.number(x)), ("y", Markup.number(y)), ("font-size", Markup.number(size))]
        if anchor != .start { a.append(("text-anchor", anchor.rawValue)) }
        if let weight { a.append(("font-weight", weight)) }
        if let rotate { a.append(("transform", "rotate(\(Markup.number(rotate)) \(Markup.number(x)) \(Markup.number(y)))")) }
        elements.append("<text\(Self.attributes(a))>\(Markup.escape(s))</text>")
    }

    /// The document: `<svg>` with a viewBox (scales with the page), a `<title>`, and the elements in order.
    public func render() -> String {
        let w = Markup.number(width), h = Markup.number(height)
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(w) \(h)\" width=\"\(w)\" height=\"\(h)\" "
        out += "font-family=\"sans-serif\" role=\"img\">\n<title>\(Markup.escape(title))</title>\n"
        for e in elements { out += e + "\n" }
        return out + "</svg>\n"
    }
}
