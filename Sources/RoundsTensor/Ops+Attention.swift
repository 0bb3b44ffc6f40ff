import Foundation

/// Softmax of each row of `rows x n` in place: `p_j = exp(s_j - max s) / Σ exp(s - max s)`; when
/// `logSumExp` is given, row `r`'s `log Σ_j exp(s_j) = max s + log Σ exp(s - max s)` goes to `logSumExp[r]`.
/// Eight lanes at a time (`exp8`); a row's tail is padded with -∞, whose exponential adds 0.
@inline(__always)
func softmaxRows(_ p: UnsafeMutablePointer<Float>, rows: Int, n: Int, logSumExp: UnsafeMutablePointer<Float>? = nil) {
    for r in 0..<rows {
        let row = p + r * n, full = n & ~7, tail = n - full
        var m8 = Float8(repeating: -.infinity)
        var j = 0
        while j < full { let v = row.load8(j); m8.replace(with: v, where: v .> m8); j += 8 }
        let padded = tail > 0 ? paddedTail(row + full, tail) : Float8(repeating: -.infinity)
        m8.replace(with: padded, where: padded .> m8)
        let m = m8.max(), mv = Float8(repeating: m)
        var s8 = Float8()
        j = 0
        while j < full { let e = exp8(row.load8(j) - mv); row.store8(e, j); s8 += e; j += 8 }
        if tail > 0 { let e = exp8(padded - mv); storePartial(e, row + full, tail); s8 += e }
        let s = s8.sum(), inv = Float8(repeating: 1 / s)
        map8(UnsafePointer(row), row, n) { $0 * inv }
        logSumExp?[r] = m + Foundation.log(s)
    }
}

/// The first `count` (< 8) elements at `p`, padded with -∞.
@inline(__always)
func paddedTail(_ p: UnsafePointer<Float>, _ count: Int) -> Float8 {
    var v = Float8(repeating: -.infinity)
    for j in 0..<count { v[j] = p[j] }
    return v
}

/// `p_j = exp(s_j - shift_r)` per row in place: softmax probabilities again from scores and the
/// log-sum-exp `softmaxRows` recorded.
@inline(__always)
func expShiftedRows(_ p: UnsafeMutablePointer<Float>, rows: Int, n: Int, shifts: UnsafePointer<Float>) {
    for r in 0..<rows {
        let row = p + r * n, m = Float8(repeating: shifts[r])
        map8(UnsafePointer(row), row, n) { exp8($0 - m) }
    }
}

/// `ds = p ⊙ (dp - Σ_j dp·p)` per row: the softmax backward, in place in `dp`.
@inline(__always)
func softmaxBackwardRows(_ p: UnsafePointer<Float>, _ dp: UnsafeMutablePointer<Float>, rows: Int, n: Int) {
    for r in 0..<rows {
        let pr = p + r * n, dr = dp + r * n
        let dot = Float8(repeating: sumAndDot8(pr, UnsafePointer(dr), count: n).1)
        zip8(pr, UnsafePointer(dr), dr, n) { pv, dv in pv * (dv - dot) }
    }
}

extension Tensor {
    /// Softmax over the last dimension.
    public func softmax() -> Tensor {
        let n = shape.last ?? 1, rows = count / Swift.max(n, 1)
        var y = scalars
        y.withUnsafeMutableBufferPointer { softmaxRows($0.baseAddress!, rows: rows, n: n) }
        var out = Tensor(uncheckedShape: shape, scalars: y)
        let p = y
        out.record([self]) { gy, _ in
            var g = gy
            g.withUnsafeMutableBufferPointer { softmaxBackwardRows(p, $0.baseAddress!, rows: rows, n: n) }
            return [g]
        }
        return out
    }

    /// Multi-head scaled dot-product attention (PyTorch `scaled_dot_product_attention` after splitting
    /// heads): `q [B, Tq, C]`, `k`, `v` `[B, Tk, C]`, `C = heads · d`; per head
    /// `O = softmax(Q Kᵀ / √d) V`, heads concatenated back to `[B, Tq, C]`.
    /// (Batch, head) pairs run in parallel, each with single-threaded sgemm.
    ///
    /// The tape keeps `q`, `k`, `v` and one log-sum-exp per query row, not the `[B·heads, Tq, Tk]`
    /// probabilities: backward recomputes `P = exp(QKᵀ/√d - lse)` per pair (one extra small GEMM),
    /// as flash attention does. At 64x64, batch 16, that is ~67 MB less per attention layer.
    public static func attention(query q: Tensor, key k: Tensor, value v: Tensor, heads: Int) -> Tensor {
        precondition(q.rank == 3 && k.rank == 3 && v.shape == k.shape && q.shape[0] == k.shape[0] && q.shape[2] == k.shape[2],
                     "attention: query \(q.shape), key \(k.shape), value \(v.shape) must be [B, T, C] alike")
        let b = q.shape[0], tq = q.shape[1], tk = k.shape[1], c = q.shape[2]
        precondition(heads >= 1 && c % heads == 0, "attention: \(c) channels do not split into \(heads) heads")
        let d = c / heads, scale = 1 / Float(d).squareRoot(), pairs = b * heads
        let qs = q.scalars, ks = k.scalars, vs = v.scalars
        let recording = GradientMode.isEnabled && (q.node != nil || k.node != nil || v.node != nil)
        var lse = recording ? [Float](repeating: 0, count: pairs * tq) : []
        var y = [Float](repeating: 0, count: b * tq * c)
        Engine.withSingleThreadedBLAS {
            lse.withUnsafeMutableBufferPointer { pl in y.withUnsafeMutableBufferPointer { py in
            qs.withUnsafeBufferPointer { Q in ks.withUnsafeBufferPointer { K in vs.withUnsafeBufferPointer { V in
                // an empty array's buffer may still have a (shared, read-only) base address: no writes there
                let (L, Y) = (UncheckedSendable(recording ? pl.baseAddress : nil), SendablePointer(py.baseAddress!))
                parallelChunks(pairs, costPerItem: tq * tk * d) { range in
                    let p = UnsafeMutablePointer<Float>.allocate(capacity: tq * tk)
                    defer { p.deallocate() }
                    for pair in range {
                        let bi = pair / heads, h = pair % heads
                        let qo = bi * tq * c + h * d, ko = bi * tk * c + h * d
                        sgemm(false, true, m: tq, n: tk, k: d, alpha: scale, Q.baseAddress! + qo, lda: c,
                              K.baseAddress! + ko, ldb: c, beta: 0, p, ldc: tk)
                        softmaxRows(p, rows: tq, n: tk, logSumExp: L.value.map { $0 + pair * tq })
                        sgemm(false, false, m: tq, n: d, k: tk, p, lda: tk, V.baseAddress! + ko, ldb: c, beta: 0, Y.p + qo, ldc: c)
                    }
                }
            } } } } }
        }
        var out = Tensor(uncheckedShape: [b, tq, c], scalars: y)
        guard recording else { return out }
        let logSumExp = lse
        // Q·Kᵀ and P·V, each 2·Tq·Tk·d per pair (the softmax's exponentials not counted).
        out.record([q, k, v], detail: "\(tq) tokens, \(heads) heads of \(d)", flops: 4 * Double(pairs * tq) * Double(tk * d)) { gy, _ in
            var dq = [Float](repeating: 0, count: qs.count), dk = [Float](repeating: 0, count: ks.count)
            var dv = [Float](repeating: 0, count: vs.count)
            Engine.withSingleThreadedBLAS {
                dq.withUnsafeMutableBufferPointer { a in dk.withUnsafeMutableBufferPointer { bb in
                dv.withUnsafeMutableBufferPointer { cc in
                qs.withUnsafeBufferPointer { Q in ks.withUnsafeBufferPointer { K in vs.withUnsafeBufferPointer { V in
                logSumExp.withUnsafeBufferPointer { LSE in gy.withUnsafeBufferPointer { G in
                    let (DQ, DK, DV) = (SendablePointer(a.baseAddress!), SendablePointer(bb.baseAddress!),
                                        SendablePointer(cc.baseAddress!))
                    parallelChunks(pairs, costPerItem: tq * tk * d) { range in
                        let p = UnsafeMutablePointer<Float>.allocate(capacity: 2 * tq * tk)
                        defer { p.deallocate() }
                        let dp = p + tq * tk
                        for pair in range {
                            let bi = pair / heads, h = pair % heads
                            let qo = bi * tq * c + h * d, ko = bi * tk * c + h * d
                            // P = exp(scale · Q Kᵀ - lse), recomputed
                            sgemm(false, true, m: tq, n: tk, k: d, alpha: scale, Q.baseAddress! + qo, lda: c,
                                  K.baseAddress! + ko, ldb: c, beta: 0, p, ldc: tk)
                            expShiftedRows(p, rows: tq, n: tk, shifts: LSE.baseAddress! + pair * tq)
                            // dP = dO Vᵀ ; dV = Pᵀ dO
                            sgemm(false, true, m: tq, n: tk, k: d, G.baseAddress! + qo, lda: c, V.baseAddress! + ko, ldb: c, beta: 0, dp, ldc: tk)
                            sgemm(true, false, m: tk, n: d, k: tq, p, lda: tk, G.baseAddress! + qo, ldb: c, beta: 0, DV.p + ko, ldc: c)
                            softmaxBackwardRows(p, dp, rows: tq, n: tk)
                            // dQ = scale · dS K ; dK = scale · dSᵀ Q
                            sgemm(false, false, m: tq, n: d, k: tk, alpha: scale, dp, lda: tk, K.baseAddress! + ko, ldb: c, beta: 0, DQ.p + qo, ldc: c)
                            sgemm(true, false, m: tk, n: d, k: tq, alpha: scale, dp, lda: tk, Q.baseAddress! + qo, ldb: c, beta: 0, DK.p + ko, ldc: c)
                        }
                    }
                } } } } } } } }
            }
            return [dq, dk, dv]
        }
        return out
    }

    /// `[B, C, H, W]` -> `[B, H·W, C]` (spatial positions as tokens, as diffusers' attention block does).
    public func spatialTokens() -> Tensor {
        precondition(rank == 4, "spatialTokens: input \(shape) [B, C, H, W]")
        return reshaped([shape[0], shape[1], shape[2] * shape[3]]).permuted([0, 2, 1])
    }

    /// `[B, H·W, C]` -> `[B, C, H, W]`, the inverse of `spatialTokens`.
    public func spatialImage(height: Int, width: Int) -> Tensor {
        precondition(rank == 3 && shape[1] == height * width, "spatialImage: tokens \(shape) for \(height)x\(width)")
        return permuted([0, 2, 1]).reshaped([shape[0], shape[2], height, width])
    }
}
