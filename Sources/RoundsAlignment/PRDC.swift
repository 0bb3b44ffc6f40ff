// port of Naeem et al. 2020, "Reliable Fidelity and Diversity Metrics for Generative Models", §3
// (reference implementation: github.com/clovaai/generative-evaluation-prdc, prdc/prdc.py)
import Foundation

/// Precision, recall, density and coverage of a fake feature set against a real one.
public struct PRDCResult: Sendable, Equatable, Codable {
    public var precision: Double
    public var recall: Double
    public var density: Double
    public var coverage: Double
    public var k: Int
    public var realCount: Int
    public var fakeCount: Int

    package init(precision: Double, recall: Double, density: Double, coverage: Double, k: Int, realCount: Int, fakeCount: Int) {
        self.precision = precision
        self.recall = recall
        self.density = density
        self.coverage = coverage
        self.k = k
        self.realCount = realCount
        self.fakeCount = fakeCount
    }

    enum CodingKeys: String, CodingKey {
        case precision, recall, density, coverage, k
        case realCount = "n_real"
        case fakeCount = "n_fake"
    }
}

/// PRDC on Euclidean k-nearest-neighbour balls (Naeem et al. 2020).
///
/// With `r(x)` the distance from a real `x` to its k-th nearest *other* real feature, and `s(y)` the
/// same within the fake set (N real `X`, M fake `Y`, `B(x, r) = {z : ‖z − x‖ < r}` — strict, as `prdc`):
/// - precision = (1/M) Σⱼ 1[∃i: Yⱼ ∈ B(Xᵢ, r(Xᵢ))]
/// - recall    = (1/N) Σᵢ 1[∃j: Xᵢ ∈ B(Yⱼ, s(Yⱼ))]
/// - density   = (1/(kM)) Σⱼ Σᵢ 1[Yⱼ ∈ B(Xᵢ, r(Xᵢ))]
/// - coverage  = (1/N) Σᵢ 1[minⱼ ‖Xᵢ − Yⱼ‖ < r(Xᵢ)]
///
/// Distances are Double; comparisons are made on squared distances (monotone, so equivalent). Memory is
/// O((N + M)·D + block·max(N, M)): no N × M matrix is kept. Work is about 2·N·M·D + (N² + M²)·D
/// flops in `cblas_dgemm` plus a selection whose cost grows with k (meant to be small, 3–10).
public enum PRDC {
    /// Computes the four metrics.
    ///
    /// - Parameters:
    ///   - real: `[N, D]` real features; `N > k`.
    ///   - fake: `[M, D]` generated features; `M > k`.
    ///   - k: neighbours defining each ball (5 in the paper).
    ///   - workers: threads to spread distance blocks over (defaults to the active cores).
    /// - Throws: `AlignmentError` naming the input when widths differ or a set has `≤ k` rows.
    public static func compute(
        real: FeatureMatrix, fake: FeatureMatrix, k: Int = 5,
        workers: Int = ProcessInfo.processInfo.activeProcessorCount
    ) throws(AlignmentError) -> PRDCResult {
        try validate(real: real, fake: fake, k: k)
        let realRadii = try kthNeighbourSquaredDistances(real, k: k, workers: workers)
        let fakeRadii = try kthNeighbourSquaredDistances(fake, k: k, workers: workers)
        let m = fake.rows

        struct Tally {
            var ballsContaining: [Int]  // per fake: real balls that contain it
            var recalled = 0  // real features inside some fake ball
            var covered = 0  // real features whose nearest fake is inside their ball
        }
        let blocks = SquaredDistanceBlocks(real, fake)
        let tallies = blocks.forEachBlock(workers: workers, makeState: { Tally(ballsContaining: Array(repeating: 0, count: m)) }) {
            tally, start, count, d2 in
            realRadii.withUnsafeBufferPointer { rr in
                fakeRadii.withUnsafeBufferPointer { fr in
                    tally.ballsContaining.withUnsafeMutableBufferPointer { balls in
                        for r in 0..<count {
                            let radius = rr[start &+ r]
                            let base = r &* m
                            var nearest = Double.infinity
                            var inFakeBall = false
                            for j in 0..<m {
                                let v = d2[base &+ j]
                                if v < radius { balls[j] &+= 1 }
                                if v < fr[j] { inFakeBall = true }
                                if v < nearest { nearest = v }
                            }
                            if inFakeBall { tally.recalled &+= 1 }
                            if nearest < radius { tally.covered &+= 1 }
                        }
                    }
                }
            }
        }
        var balls = [Int](repeating: 0, count: m)
        var recalled = 0
        var covered = 0
        for t in tallies {
            for j in 0..<m { balls[j] += t.ballsContaining[j] }
            recalled += t.recalled
            covered += t.covered
        }
        let inside = balls.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
        let total = balls.reduce(0, +)
        return PRDCResult(
            precision: Double(inside) / Double(m),
            recall: Double(recalled) / Double(real.rows),
            density: Double(total) / (Double(k) * Double(m)),
            coverage: Double(covered) / Double(real.rows),
            k: k, realCount: real.rows, fakeCount: m)
    }

    /// Checks k, widths and sizes, naming the offending input.
    static func validate(real: FeatureMatrix, fake: FeatureMatrix, k: Int) throws(AlignmentError) {
        guard k >= 1 else { throw AlignmentError(.invalidArgument, "k must be at least 1, got \(k)") }
        guard real.columns == fake.columns else {
            throw AlignmentError(
                .mismatchedDimensions,
                "feature widths differ: \(real.name) has \(real.columns) columns, \(fake.name) has \(fake.columns)")
        }
        for set in [real, fake] where set.rows <= k {
            throw AlignmentError(
                .tooFewSamples, "\(set.name): \(set.rows) rows; k = \(k) needs more than \(k) (k neighbours besides itself)")
        }
    }

    /// Squared distance from each row to its k-th nearest other row: `[N]`, the PRDC radii squared.
    ///
    /// - Throws: `AlignmentError` when k < 1 or the set has `≤ k` rows.
    public static func kthNeighbourSquaredDistances(
        _ x: FeatureMatrix, k: Int, workers: Int = ProcessInfo.processInfo.activeProcessorCount
    ) throws(AlignmentError) -> [Double] {
        guard k >= 1 else { throw AlignmentError(.invalidArgument, "k must be at least 1, got \(k)") }
        guard x.rows > k else {
            throw AlignmentError(.tooFewSamples, "\(x.name): \(x.rows) rows; k = \(k) needs more than \(k)")
        }
        let all = kNearestSquaredDistances(x, count: k, workers: workers)
        return all.map { $0[k - 1] }
    }

    /// The `count` smallest squared distances from each row to the other rows, ascending: `[N][count]`.
    static func kNearestSquaredDistances(_ x: FeatureMatrix, count: Int, workers: Int) -> [[Double]] {
        symmetricNearestSquaredDistances(x, count: count, workers: workers)
    }
}
