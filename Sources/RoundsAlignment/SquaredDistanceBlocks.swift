import Dispatch
import RoundsTensor

/// Squared Euclidean distances between every row of `a` and every row of `b`, produced one block of
/// `a`'s rows at a time so that a 10k × 10k problem never holds the whole 800 MB matrix.
///
/// Each block is `‖aᵢ‖² + ‖bⱼ‖² − 2·aᵢ·bⱼ`: the cross term is one `cblas_dgemm` call
/// (`[rows, D] × [D, b.rows]`, row-major) and everything is `Double`. The subtraction can come out
/// slightly negative for (near-)identical rows; those values are clamped to 0. Its absolute error is
/// about `1e-16 · (‖aᵢ‖² + ‖bⱼ‖²)`, negligible against the k-NN radii PRDC compares; callers that need
/// the exact distance of a near-copy recompute it directly (`exactSquaredDistance`).
struct SquaredDistanceBlocks {
    let a: FeatureMatrix
    let b: FeatureMatrix
    let blockRows: Int
    private let aNorms: [Double]
    private let bNorms: [Double]

    /// - Parameter blockRows: rows of `a` per block; the scratch buffer is `blockRows × b.rows` doubles.
    init(_ a: FeatureMatrix, _ b: FeatureMatrix, blockRows: Int = 256) {
        precondition(a.columns == b.columns, "column mismatch \(a.columns) vs \(b.columns)")
        self.a = a
        self.b = b
        self.blockRows = max(1, blockRows)
        self.aNorms = a.squaredNorms()
        self.bNorms = b.squaredNorms()
    }

    var blockCount: Int { (a.rows + blockRows - 1) / blockRows }

    /// Computes block `index` into `buffer` (at least `blockRows × b.rows` doubles) and returns
    /// the first row of `a` it covers and how many rows it holds.
    func compute(block index: Int, into buffer: UnsafeMutableBufferPointer<Double>) -> (start: Int, count: Int) {
        let start = index * blockRows
        let count = min(blockRows, a.rows - start)
        let n = b.rows
        let d = a.columns
        a.values.withUnsafeBufferPointer { av in
            b.values.withUnsafeBufferPointer { bv in
                RowProducts.multiply(
                    av.baseAddress! + start * d, bv.baseAddress!, into: buffer.baseAddress!, m: count, n: n, k: d, alpha: -2)
            }
        }
        aNorms.withUnsafeBufferPointer { an in
            bNorms.withUnsafeBufferPointer { bnp in
                for r in 0..<count {
                    let ai = an[start &+ r]
                    let base = r &* n
                    for j in 0..<n {
                        let v = buffer[base &+ j] + ai + bnp[j]
                        buffer[base &+ j] = v > 0 ? v : 0
                    }
                }
            }
        }
        return (start, count)
    }

    /// Runs `body` over every block, spreading blocks across `workers` threads; each worker owns one
    /// scratch buffer and one `State` (created by `makeState`), which are returned for merging.
    ///
    /// OpenBLAS is asked for one thread per call meanwhile, so its own pool does not fight the workers.
    func forEachBlock<State>(
        workers: Int,
        makeState: () -> State,
        _ body: @Sendable (inout State, _ start: Int, _ count: Int, UnsafeBufferPointer<Double>) -> Void
    ) -> [State] {
        let workers = max(1, min(workers, blockCount))
        var states = (0..<workers).map { _ in makeState() }
        let blasThreads = RowProducts.holdBLASToOneThread(workers: workers)
        defer { blasThreads.restore() }
        states.withUnsafeMutableBufferPointer { statesBuffer in
            let statesBase = statesBuffer.baseAddress!
            nonisolated(unsafe) let shared = statesBase
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: blockRows * max(b.rows, 1))
                defer { scratch.deallocate() }
                var block = w
                while block < blockCount {
                    let (start, count) = compute(block: block, into: scratch)
                    body(&shared[w], start, count, UnsafeBufferPointer(scratch))
                    block += workers
                }
            }
        }
        return states
    }
}

/// `‖x − y‖²` summed directly (no cancellation), for rows `i` of `a` and `j` of `b`.
func exactSquaredDistance(_ a: FeatureMatrix, _ i: Int, _ b: FeatureMatrix, _ j: Int) -> Double {
    let d = a.columns
    return a.values.withUnsafeBufferPointer { av in
        b.values.withUnsafeBufferPointer { bv in
            var s = 0.0
            let ai = i &* d
            let bj = j &* d
            for c in 0..<d {
                let t = av[ai &+ c] - bv[bj &+ c]
                s += t * t
            }
            return s
        }
    }
}
