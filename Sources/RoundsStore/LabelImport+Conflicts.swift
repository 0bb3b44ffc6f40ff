import RoundsCore

extension LabelImport {
    /// Rows of one file that label the same image differently (the plausibility, or a criterion's
    /// verdict): the file contradicts itself and nobody can tell which row the rater meant, so every
    /// such row is bad, each naming the others. Repeated identical rows are kept (they say one thing).
    static func conflicts(in resolved: [(Row, String)], path: String) -> (kept: [(Row, String)], problems: [Problem]) {
        var byImage: [String: [Row]] = [:]
        for (row, id) in resolved { byImage[id, default: []].append(row) }
        var conflicting: [Int: String] = [:]  // line → message
        for (_, rows) in byImage where rows.count > 1 {
            guard let difference = firstDifference(rows) else { continue }
            for row in rows {
                let others = rows.filter { $0.line != row.line }.map { String($0.line) }.joined(separator: ", ")
                conflicting[row.line] =
                    "image: '\(row.imageReference)' is labelled differently on line(s) \(others) (\(difference)); "
                    + "keep one row per image"
            }
        }
        let kept = resolved.filter { conflicting[$0.0.line] == nil }
        let problems = conflicting.map { Problem(location: InputLocation(path: path, line: $0.key), message: $0.value) }
        return (kept, problems)
    }

    /// What differs between rows of one image, or nil when they all say the same.
    private static func firstDifference(_ rows: [Row]) -> String? {
        func said(_ p: Bool?) -> String { p.map { $0 ? "plausible" : "implausible" } ?? "no label" }
        let first = rows[0]
        for row in rows.dropFirst() {
            if row.plausible != first.plausible { return "label: \(said(first.plausible)) vs \(said(row.plausible))" }
            let a = Dictionary(first.criteria.map { ($0.id, $0.verdict) }, uniquingKeysWith: { x, _ in x })
            let b = Dictionary(row.criteria.map { ($0.id, $0.verdict) }, uniquingKeysWith: { x, _ in x })
            for id in Set(a.keys).union(b.keys).sorted() where a[id] != b[id] {
                return "criterion:\(id): \(a[id]?.rawValue ?? "empty") vs \(b[id]?.rawValue ?? "empty")"
            }
        }
        return nil
    }
}
