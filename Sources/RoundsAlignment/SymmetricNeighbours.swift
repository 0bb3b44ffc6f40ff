import Dispatch
import RoundsTensor

/// The `count` smallest squared distances from each row of `x` to its other rows, computing each pair's
/// distance once.
///
/// Tiles `(I, J)` with `I ≤ J` of `blockRows` rows each are one `cblas_dgemm` (`[bI, D] × [D, bJ]`);
/// a tile's value for `(i, j)` serves row i and, off the diagonal tile, row j too, so the work is half
/// of a full `N × N` pass. Each row keeps a sorted buffer of its `count` smallest values (a bounded
/// partial selection: a value enters only when it beats the row's current largest); workers keep their
/// own buffers and the lists are merged at the end. Squared distances are `‖xᵢ‖² + ‖xⱼ‖² − 2xᵢ·xⱼ`
/// in Double, clamped at 0.
///
/// - Returns: `[N][count]`, ascending per row.
/// - Precondition: `x.rows > count ≥ 1`.
func symmetricNearestSquaredDistances(_ x: FeatureMatrix, count: Int, workers: Int, blockRows: Int = 512) -> [[Double]] {
    precondition(count >= 1 && x.rows > count, "\(x.name): \(x.rows) rows for \(count) neighbours")
    let n = x.rows
    let d = x.columns
    let norms = x.squaredNorms()
    let blocks = (n + blockRows - 1) / blockRows
    let pairs = (0..<blocks).flatMap { i in (i..<blocks).map { j in (i, j) } }
    let workers = max(1, min(workers, pairs.count))
    // One `[N, count]` slice per worker; each worker writes only its own, read after all have finished.
    let results = UnsafeMutableBufferPointer<Double>.allocate(capacity: workers * n * count)
    results.initialize(repeating: .infinity)
    defer { results.deallocate() }
    nonisolated(unsafe) let resultBase = results.baseAddress!
    let blasThreads = RowProducts.holdBLASToOneThread(workers: workers)
    defer { blasThreads.restore() }

    DispatchQueue.concurrentPerform(iterations: workers) { w in
        let best = resultBase + w * n * count
        var worst = [Double](repeating: .infinity, count: n)
        let tile = UnsafeMutableBufferPointer<Double>.allocate(capacity: blockRows * blockRows)
        defer { tile.deallocate() }
        do {
            worst.withUnsafeMutableBufferPointer { worstBuffer in
                let worst = worstBuffer.baseAddress!
                @inline(__always) func offer(_ row: Int, _ v: Double) {
                    guard v < worst[row] else { return }
                    let seg = best + row &* count
                    var p = count &- 1
                    while p > 0 && seg[p &- 1] > v {
                        seg[p] = seg[p &- 1]
                        p &-= 1
                    }
                    seg[p] = v
                    worst[row] = seg[count &- 1]
                }
                x.values.withUnsafeBufferPointer { xv in
                    norms.withUnsafeBufferPointer { nv in
                        var pair = w
                        while pair < pairs.count {
                            let (bi, bj) = pairs[pair]
                            pair += workers
                            let i0 = bi * blockRows, j0 = bj * blockRows
                            let ni = min(blockRows, n - i0), nj = min(blockRows, n - j0)
                            RowProducts.multiply(
                                xv.baseAddress! + i0 * d, xv.baseAddress! + j0 * d, into: tile.baseAddress!, m: ni, n: nj, k: d,
                                alpha: -2)
                            for r in 0..<ni {
                                let i = i0 &+ r
                                let base = r &* nj
                                let ni2 = nv[i]
                                for c in 0..<nj {
                                    let j = j0 &+ c
                                    if bi == bj && j == i { continue }
                                    let raw = tile[base &+ c] + ni2 + nv[j]
                                    let v = raw > 0 ? raw : 0
                                    offer(i, v)
                                    if bi != bj { offer(j, v) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    return (0..<n).map { row in
        var merged = [Double]()
        merged.reserveCapacity(workers * count)
        for w in 0..<workers {
            let start = (w * n + row) * count
            merged += results[start..<(start + count)]
        }
        if workers > 1 { merged.sort() }
        return Array(merged.prefix(count))
    }
}
