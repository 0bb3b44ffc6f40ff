import Foundation

/// Escaping and number formatting shared by the SVG charts and the HTML page, so that output is
/// byte-for-byte deterministic and no user text (condition names, evidence, captions) can inject markup.
public enum Markup {
    /// Escapes `& < > " '` for text nodes and attribute values alike.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab and newline are not allowed in XML 1.0.
                if ch.value < 0x20 && ch != "\t" && ch != "\n" { out += "\u{FFFD}" } else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }

    /// A coordinate with at most two decimals, trailing zeros removed, never `-0` (deterministic across platforms).
    public static func number(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let scaled = (x * 100).rounded()
        if scaled == 0 { return "0" }
        let negative = scaled < 0
        let magnitude = Int64(abs(scaled))
        let whole = magnitude / 100
        let frac = magnitude % 100
        var s = negative ? "-\(whole)" : "\(whole)"
        if frac != 0 {
            s += frac % 10 == 0 ? ".\(frac / 10)" : (frac < 10 ? ".0\(frac)" : ".\(frac)")
        }
        return s
    }

    /// A tick or value label: up to `decimals` decimals, trailing zeros trimmed.
    public static func label(_ x: Double, decimals: Int = 3) -> String {
        guard x.isFinite else { return "–" }
        var s = String(format: "%.\(decimals)f", x)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s == "-0" ? "0" : s
    }
}

/// The colours series get, in order (Okabe–Ito, distinguishable with common colour-vision deficiencies).
public enum ChartPalette {
    public static let colours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
    public static func colour(_ i: Int) -> String { colours[i % colours.count] }
}
