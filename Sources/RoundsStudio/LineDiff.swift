/// A line diff of two texts (longest common subsequence), for the checklist history: what a reviewer
/// reads to see what changed between two versions.
enum LineDiff {
    enum Line: Equatable, Sendable {
        case same(String)
        case added(String)
        case removed(String)
    }

    /// The lines of `new` against `old`. Quadratic in the line counts, which is fine for checklists
    /// (a few hundred lines at most); texts beyond 2,000 lines are shown as all removed then all added.
    static func diff(_ old: String, _ new: String) -> [Line] {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard a.count <= 2000, b.count <= 2000 else { return a.map(Line.removed) + b.map(Line.added) }
        var lcs = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var out: [Line] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                out.append(.same(a[i])); i += 1; j += 1
            } else if j < b.count, i == a.count || lcs[i][j + 1] >= lcs[i + 1][j] {
                out.append(.added(b[j])); j += 1
            } else {
                out.append(.removed(a[i])); i += 1
            }
        }
        return out
    }

    /// Only the changed lines with `context` unchanged lines around each change; `…` marks a gap.
    static func hunks(_ lines: [Line], context: Int = 2) -> [(kind: String, text: String)] {
        var keep = [Bool](repeating: false, count: lines.count)
        for (k, line) in lines.enumerated() {
            if case .same = line { continue }
            for m in max(0, k - context)...min(lines.count - 1, k + context) { keep[m] = true }
        }
        var out: [(String, String)] = []
        var skipped = false
        for (k, line) in lines.enumerated() {
            guard keep[k] else { skipped = true; continue }
            if skipped, !out.isEmpty { out.append(("gap", "…")) }
            skipped = false
            switch line {
            case .same(let s): out.append(("same", "  " + s))
            case .added(let s): out.append(("add", "+ " + s))
            case .removed(let s): out.append(("del", "- " + s))
            }
        }
        return out
    }
}
