import RoundsCore

/// Counts a server reports (tokens in `usage`, a batch's request counts, a line number) are untrusted
/// input: `-5`, `1e300`, `2^63`, `NaN` as a string or `12.5` must neither fail a CHECK nor trap in
/// `Int(_: Double)`, and the answer that carried them must be kept.
enum UntrustedCount {
    /// The largest count believed: far above any request's tokens or any batch's size, far below
    /// `Int.max`, so sums over a run cannot overflow either.
    static let limit = 1_000_000_000_000

    /// A whole number in `0...limit`, or nil for anything else (missing, negative, fractional, huge,
    /// not a number).
    static func read(_ value: JSONValue?) -> Int? {
        guard let d = value?.doubleValue, d.isFinite, d >= 0, d <= Double(limit), d.rounded(.towardZero) == d
        else { return nil }
        return Int(d)
    }

    /// `read(value)`, or 0 when the value is not a believable count.
    static func readOrZero(_ value: JSONValue?) -> Int { read(value) ?? 0 }
}

extension TokenUsage {
    /// Usage from a server's answer: a count that is not believable is taken as 0 (unknown), never
    /// stored as given and never trapped on.
    init(untrustedInput input: JSONValue?, output: JSONValue?) {
        self.init(input: UntrustedCount.readOrZero(input), output: UntrustedCount.readOrZero(output))
    }
}
