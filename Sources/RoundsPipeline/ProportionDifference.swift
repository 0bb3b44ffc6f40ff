import Foundation

/// How much one share exceeds another (an arm over the control): the difference with Newcombe's hybrid
/// score 95% interval and the ratio with the Katz log 95% interval.
///
/// Newcombe's hybrid score interval (Newcombe 1998, method 10) combines the two Wilson intervals, so
/// it keeps their good behaviour for small counts and shares near 0 or 1, where the Wald interval of a
/// difference is too narrow. For `d = p₁ − p₂` with Wilson intervals `[l₁, u₁]`, `[l₂, u₂]`:
///
///     lower = d − √((p₁ − l₁)² + (u₂ − p₂)²)
///     upper = d + √((u₁ − p₁)² + (p₂ − l₂)²)
///
/// The Katz log interval of the ratio is `exp(ln(p₁/p₂) ± z·√(1/x₁ − 1/n₁ + 1/x₂ − 1/n₂))`, undefined
/// (nil) when either share has no successes.
public struct ProportionDifference: Sendable, Codable, Hashable {
    /// `arm.rate − reference.rate`.
    public var difference: Double
    public var ci95: [Double]
    /// `arm.rate / reference.rate`; nil when the reference is 0.
    public var ratio: Double?
    public var ratioCI95: [Double]?

    public static let method = "difference: Newcombe's hybrid score interval (method 10, from the Wilson intervals); "
        + "ratio: Katz log interval"

    public init(_ arm: Proportion, over reference: Proportion) {
        let (p1, p2) = (arm.rate, reference.rate)
        difference = p1 - p2
        if arm.total > 0, reference.total > 0 {
            let (l1, u1) = (arm.ci95[0], arm.ci95[1]), (l2, u2) = (reference.ci95[0], reference.ci95[1])
            let below = ((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2)).squareRoot()
            let above = ((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2)).squareRoot()
            ci95 = [max(-1, difference - below), min(1, difference + above)]
        } else {
            ci95 = [-1, 1]
        }
        ratio = p2 > 0 ? p1 / p2 : nil
        if arm.successes > 0, reference.successes > 0 {
            let (x1, n1) = (Double(arm.successes), Double(arm.total))
            let (x2, n2) = (Double(reference.successes), Double(reference.total))
            let se = (1 / x1 - 1 / n1 + 1 / x2 - 1 / n2).squareRoot(), z = 1.959964
            let log = Foundation.log(p1 / p2)
            ratioCI95 = [exp(log - z * se), exp(log + z * se)]
        } else {
            ratioCI95 = nil
        }
    }

    /// The arm beats the reference: the difference's interval lies above 0.
    public var isPositive: Bool { ci95[0] > 0 }
}
