import Foundation
import RoundsAlignment

/// A self-contained HTML page: inline CSS, inline SVG, images as `data:` URLs; no scripts and no
/// network requests. Every piece of text is escaped; SVG comes only from the chart types here.
public struct ReportDocument: Sendable {
    /// A building block of a section.
    public enum Block: Sendable {
        case paragraph(String)
        /// A table; `header` cells become `<th>`. Rows shorter than the header are padded.
        case table(header: [String], rows: [[String]], caption: String?)
        /// A chart's SVG, as `HistogramChart`, `LineChart` or `GroupedBarChart` render it.
        case chart(Chart)
        /// Thumbnails in a grid, each with a caption (verdicts, evidence).
        case thumbnails([Thumbnail])
    }

    /// Rendered SVG from one of the chart types (the only way to put markup in a report).
    public struct Chart: Sendable {
        let svg: String
        public init(_ chart: HistogramChart) { svg = chart.render() }
        public init(_ chart: LineChart) { svg = chart.render() }
        public init(_ chart: GroupedBarChart) { svg = chart.render() }
    }

    public struct Thumbnail: Sendable {
        public var data: Data
        /// `image/png` or `image/jpeg`, checked against the bytes.
        public var mediaType: String
        public var alt: String
        public var caption: String

        /// - Throws: `AlignmentError.invalidArgument` when the bytes are neither PNG nor JPEG (named by `alt`).
        public init(data: Data, alt: String, caption: String) throws(AlignmentError) {
            if data.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
                mediaType = "image/png"
            } else if data.starts(with: [0xFF, 0xD8, 0xFF]) {
                mediaType = "image/jpeg"
            } else {
                throw AlignmentError(.invalidArgument, "thumbnail '\(alt)': not a PNG or JPEG image")
            }
            self.data = data
            self.alt = alt
            self.caption = caption
        }
    }

    public struct Section: Sendable {
        public var title: String
        public var blocks: [Block]
        public init(_ title: String, _ blocks: [Block]) {
            self.title = title
            self.blocks = blocks
        }
    }

    public var title: String
    /// A line under the title (what produced the report, the versions used).
    public var subtitle: String?
    public var sections: [Section]

    public init(title: String, subtitle: String? = nil, sections: [Section] = []) {
        self.title = title
        self.subtitle = subtitle
        self.sections = sections
    }

    static let style = """
        body{font-family:sans-serif;margin:2em auto;max-width:72em;color:#222;padding:0 1em}
        h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
        table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left}
        th{background:#f3f3f3}caption{caption-side:top;text-align:left;font-weight:bold;padding:.3em 0}
        figure{margin:1em 0}svg{max-width:100%;height:auto}
        .grid{display:flex;flex-wrap:wrap;gap:1em}.grid figure{width:12em;margin:0}
        .grid img{width:12em;height:12em;object-fit:contain;background:#000}
        figcaption{font-size:.8em;white-space:pre-wrap}.sub{color:#666}
        """

    /// The page, deterministic for the same inputs.
    public func render() -> String {
        var h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        // No network, no scripts: the page must render offline and be safe to mail around.
        h += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">\n"
        h += "<title>\(Markup.escape(title))</title>\n<style>\n\(Self.style)\n</style>\n</head>\n<body>\n"
        h += "<h1>\(Markup.escape(title))</h1>\n"
        if let subtitle { h += "<p class=\"sub\">\(Markup.escape(subtitle))</p>\n" }
        for (i, section) in sections.enumerated() {
            h += "<section id=\"s\(i + 1)\">\n<h2>\(Markup.escape(section.title))</h2>\n"
            for block in section.blocks { h += render(block) }
            h += "</section>\n"
        }
        return h + "</body>\n</html>\n"
    }

    private func render(_ block: Block) -> String {
        switch block {
        case .paragraph(let text):
            return "<p>\(Markup.escape(text))</p>\n"
        case .table(let header, let rows, let caption):
            var t = "<table>\n"
            if let caption { t += "<caption>\(Markup.escape(caption))</caption>\n" }
            if !header.isEmpty { t += "<thead><tr>" + header.map { "<th>\(Markup.escape($0))</th>" }.joined() + "</tr></thead>\n" }
            t += "<tbody>\n"
            for row in rows {
                let padded = row + Array(repeating: "", count: max(0, header.count - row.count))
                t += "<tr>" + padded.map { "<td>\(Markup.escape($0))</td>" }.joined() + "</tr>\n"
            }
            return t + "</tbody>\n</table>\n"
        case .chart(let chart):
            return "<figure>\n\(chart.svg)</figure>\n"
        case .thumbnails(let items):
            var g = "<div class=\"grid\">\n"
            for item in items {
                g += "<figure><img src=\"data:\(item.mediaType);base64,\(item.data.base64EncodedString())\" alt=\"\(Markup.escape(item.alt))\">"
                g += "<figcaption>\(Markup.escape(item.caption))</figcaption></figure>\n"
            }
            return g + "</div>\n"
        }
    }
}
