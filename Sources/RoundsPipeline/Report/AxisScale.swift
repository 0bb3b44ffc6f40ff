import Foundation

/// A linear map from data values to pixels, with "nice" ticks (1, 2 or 5 × 10ⁿ steps).
public struct AxisScale: Sendable, Equatable {
    public var domain: ClosedRange<Double>
    public var range: ClosedRange<Double>
    /// Whether larger values map to smaller pixels (a y axis in SVG).
    public var inverted: Bool

    public init(domain: ClosedRange<Double>, range: ClosedRange<Double>, inverted: Bool = false) {
        // A zero-width domain would divide by zero: widen it symmetrically.
        let d = domain.lowerBound == domain.upperBound
            ? (domain.lowerBound - 0.5)...(domain.upperBound + 0.5) : domain
        self.domain = d
        self.range = range
        self.inverted = inverted
    }

    public func callAsFunction(_ x: Double) -> Double {
        let t = (x - domain.lowerBound) / (domain.upperBound - domain.lowerBound)
        let u = inverted ? 1 - t : t
        return range.lowerBound + u * (range.upperBound - range.lowerBound)
    }

    /// Ticks inside the domain at a nice step giving about `count` of them.
    public func ticks(_ count: Int = 5) -> [Double] {
        let step = Self.niceStep((domain.upperBound - domain.lowerBound) / Double(max(1, count)))
        let first = (domain.lowerBound / step).rounded(.up)
        let last = (domain.upperBound / step).rounded(.down)
        guard first <= last else { return [] }
        // Multiplying the integer index (not accumulating) keeps ticks like 0.3 exact-looking.
        return stride(from: first, through: last, by: 1).map { i in
            let v = i * step
            return abs(v) < step * 1e-9 ? 0 : v
        }
    }

    /// The smallest 1, 2 or 5 × 10ⁿ at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let magnitude = pow(10, floor(log10(raw)))
        for m in [1.0, 2, 5, 10] where m * magnitude >= raw * (1 - 1e-12) { return m * magnitude }
        return 10 * magnitude
    }

    /// A domain that covers `values` and ends on nice ticks; `[0, 1]` when there are none.
    public static func niceDomain(_ values: [Double], includeZero: Bool = false, ticks: Int = 5) -> ClosedRange<Double> {
        let finite = values.filter(\.isFinite)
        guard var lo = finite.min(), var hi = finite.max() else { return 0...1 }
        if includeZero { lo = min(lo, 0); hi = max(hi, 0) }
        if lo == hi { lo -= 0.5; hi += 0.5 }
        let step = niceStep((hi - lo) / Double(ticks))
        return (floor(lo / step) * step)...(ceil(hi / step) * step)
    }
}
