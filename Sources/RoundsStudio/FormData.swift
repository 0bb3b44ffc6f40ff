import Foundation

/// An `application/x-www-form-urlencoded` body or query string, fields in the order sent.
struct FormData: Sendable {
    var fields: [(name: String, value: String)] = []

    init(fields: [(name: String, value: String)] = []) { self.fields = fields }

    /// Parses `a=1&b=x+y`; a field without `=` has an empty value; bad percent escapes are kept as text.
    init(encoded text: String) {
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(pieces[0])
            let value = pieces.count > 1 ? Self.decode(pieces[1]) : ""
            fields.append((name, value))
        }
    }

    static func decode(_ s: Substring) -> String {
        let spaced = s.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// The first value of a field, trimmed; nil when absent or empty.
    subscript(_ name: String) -> String? {
        guard let v = fields.first(where: { $0.name == name })?.value.trimmingCharacters(in: .whitespacesAndNewlines),
            !v.isEmpty
        else { return nil }
        return v
    }

    /// The raw first value of a field (not trimmed), or nil.
    func raw(_ name: String) -> String? { fields.first(where: { $0.name == name })?.value }

    /// Encodes fields back into a query string (for links that keep the queue's filters).
    static func encode(_ pairs: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.map {
            ($0.0.addingPercentEncoding(withAllowedCharacters: allowed) ?? "") + "="
                + ($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
        }.joined(separator: "&")
    }
}
