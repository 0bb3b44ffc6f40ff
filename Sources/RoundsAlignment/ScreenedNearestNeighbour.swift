import Dispatch
import Foundation
import RoundsTensor

/// Exact nearest-neighbour search that screens candidates in float32 and decides in Double.
///
/// For query `a` and reference rows `bⱼ`, the nearest row minimises `sⱼ = ‖bⱼ‖² − 2a·bⱼ`. The dot
/// products come from `cblas_sgemm` (half the cost of dgemm); with unit round-off `u = 2⁻²⁴` and width
/// `D`, rounding the inputs to float32 and the float32 dot product err by at most
/// `|s̃ⱼ − sⱼ| ≤ E = 2(γ_D + 3u)·‖a‖·maxⱼ‖bⱼ‖`, `γ_D = Du/(1 − Du)` (Higham, *Accuracy and Stability
/// of Numerical Algorithms*, §3.1). So the true minimiser is among the rows with `s̃ⱼ ≤ minₖ s̃ₖ + 2E`;
/// those candidates (usually one or two) get their distance summed exactly in Double and the smallest
/// wins (lowest index on ties). The answer is therefore the exact Double nearest neighbour, not a float32
/// approximation.
func screenedNearestNeighbours(
    _ queries: FeatureMatrix, _ reference: FeatureMatrix, excludingSelf: Bool, workers: Int, blockRows: Int = 256
) -> [Int] {
    let n = reference.rows
    let d = queries.columns
    let qf = queries.values.map { Float($0) }
    let rf = reference.values.map { Float($0) }
    let refNorms = reference.squaredNorms()
    let queryNorms = queries.squaredNorms()
    let maxRefNorm = (refNorms.max() ?? 0).squareRoot()
    let u = 0x1p-24
    let gamma = Double(d) * u / (1 - Double(d) * u)
    let slack = 2 * (gamma + 3 * u) * maxRefNorm
    let blocks = (queries.rows + blockRows - 1) / blockRows
    let workers = max(1, min(workers, blocks))
    let result = UnsafeMutableBufferPointer<Int>.allocate(capacity: queries.rows)
    result.initialize(repeating: -1)
    defer { result.deallocate() }
    nonisolated(unsafe) let out = result.baseAddress!

    let blasThreads = RowProducts.holdBLASToOneThread(workers: workers)
    defer { blasThreads.restore() }
    DispatchQueue.concurrentPerform(iterations: workers) { w in
        let tile = UnsafeMutableBufferPointer<Float>.allocate(capacity: blockRows * n)
        defer { tile.deallocate() }
        var candidates = [Int]()
        qf.withUnsafeBufferPointer { qv in
            rf.withUnsafeBufferPointer { rv in
                refNorms.withUnsafeBufferPointer { nb in
                    var block = w
                    while block < blocks {
                        let start = block * blockRows
                        let count = min(blockRows, queries.rows - start)
                        block += workers
                        RowProducts.multiply(qv.baseAddress! + start * d, rv.baseAddress!, into: tile.baseAddress!, m: count, n: n, k: d)
                        for r in 0..<count {
                            let i = start &+ r
                            let skip = excludingSelf ? i : -1
                            let base = r &* n
                            var best = Double.infinity
                            for j in 0..<n where j != skip {
                                let s = nb[j] - 2 * Double(tile[base &+ j])
                                if s < best { best = s }
                            }
                            let limit = best + 2 * slack * queryNorms[i].squareRoot()
                            candidates.removeAll(keepingCapacity: true)
                            for j in 0..<n where j != skip && nb[j] - 2 * Double(tile[base &+ j]) <= limit {
                                candidates.append(j)
                            }
                            var bestIndex = -1
                            var bestExact = Double.infinity
                            for j in candidates {
                                let e = exactSquaredDistance(queries, i, reference, j)
                                if e < bestExact { bestExact = e; bestIndex = j }
                            }
                            out[i] = bestIndex
                        }
                    }
                }
            }
        }
    }
    return Array(result)
}
