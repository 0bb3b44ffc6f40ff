import Foundation

extension Tensor {
    /// Causal multi-head self-attention, as CLIP's text encoder runs it: `q`, `k`, `v` `[B, T, C]`,
    /// `C = heads · d`; per head `O = softmax(Q Kᵀ / √d + M) V` with `M_ij = -∞` for `j > i` (a token
    /// sees itself and the tokens before it), heads concatenated back to `[B, T, C]`.
    ///
    /// Like `attention`, the tape keeps the inputs and one log-sum-exp per query row, and backward
    /// recomputes the probabilities (masked entries are exp(-∞) = 0 there too).
    public static func causalAttention(query q: Tensor, key k: Tensor, value v: Tensor, heads: Int) -> Tensor {
        precondition(q.rank == 3 && q.shape == k.shape && q.shape == v.shape,
                     "causalAttention: query \(q.shape), key \(k.shape), value \(v.shape) must be equal [B, T, C]")
        let b = q.shape[0], t = q.shape[1], c = q.shape[2]
        precondition(heads >= 1 && c % heads == 0, "causalAttention: \(c) channels do not split into \(heads) heads")
        let d = c / heads, scale = 1 / Float(d).squareRoot(), pairs = b * heads
        let qs = q.scalars, ks = k.scalars, vs = v.scalars
        let recording = GradientMode.isEnabled && (q.node != nil || k.node != nil || v.node != nil)
        var lse = [Float](repeating: 0, count: pairs * t)
        var y = [Float](repeating: 0, count: b * t * c)
        Engine.withSingleThreadedBLAS {
            lse.withUnsafeMutableBufferPointer { pl in y.withUnsafeMutableBufferPointer { py in
            qs.withUnsafeBufferPointer { Q in ks.withUnsafeBufferPointer { K in vs.withUnsafeBufferPointer { V in
                let (L, Y) = (SendablePointer(pl.baseAddress!), SendablePointer(py.baseAddress!))
                parallelChunks(pairs, costPerItem: t * t * d) { range in
                    let p = UnsafeMutablePointer<Float>.allocate(capacity: t * t)
                    defer { p.deallocate() }
                    for pair in range {
                        let o = (pair / heads) * t * c + (pair % heads) * d
                        sgemm(false, true, m: t, n: t, k: d, alpha: scale, Q.baseAddress! + o, lda: c,
                              K.baseAddress! + o, ldb: c, beta: 0, p, ldc: t)
                        maskFuture(p, t)
                        softmaxRows(p, rows: t, n: t, logSumExp: L.p + pair * t)
                        sgemm(false, false, m: t, n: d, k: t, p, lda: t, V.baseAddress! + o, ldb: c, beta: 0, Y.p + o, ldc: c)
                    }
                }
            } } } } }
        }
        var out = Tensor(uncheckedShape: [b, t, c], scalars: y)
        guard recording else { return out }
        let logSumExp = lse
        out.record([q, k, v], detail: "\(t) tokens, \(heads) heads of \(d), causal", flops: 4 * Double(pairs * t) * Double(t * d)) { gy, _ in
            var dq = [Float](repeating: 0, count: qs.count), dk = dq, dv = dq
            Engine.withSingleThreadedBLAS {
                dq.withUnsafeMutableBufferPointer { a in dk.withUnsafeMutableBufferPointer { bb in
                dv.withUnsafeMutableBufferPointer { cc in
                qs.withUnsafeBufferPointer { Q in ks.withUnsafeBufferPointer { K in vs.withUnsafeBufferPointer { V in
                logSumExp.withUnsafeBufferPointer { LSE in gy.withUnsafeBufferPointer { G in
                    let (DQ, DK, DV) = (SendablePointer(a.baseAddress!), SendablePointer(bb.baseAddress!),
                                        SendablePointer(cc.baseAddress!))
                    parallelChunks(pairs, costPerItem: t * t * d) { range in
                        let p = UnsafeMutablePointer<Float>.allocate(capacity: 2 * t * t)
                        defer { p.deallocate() }
                        let dp = p + t * t
                        for pair in range {
                            let o = (pair / heads) * t * c + (pair % heads) * d
                            sgemm(false, true, m: t, n: t, k: d, alpha: scale, Q.baseAddress! + o, lda: c,
                                  K.baseAddress! + o, ldb: c, beta: 0, p, ldc: t)
                            maskFuture(p, t)
                            expShiftedRows(p, rows: t, n: t, shifts: LSE.baseAddress! + pair * t)
                            sgemm(false, true, m: t, n: t, k: d, G.baseAddress! + o, lda: c, V.baseAddress! + o, ldb: c, beta: 0, dp, ldc: t)
                            sgemm(true, false, m: t, n: d, k: t, p, lda: t, G.baseAddress! + o, ldb: c, beta: 0, DV.p + o, ldc: c)
                            softmaxBackwardRows(p, dp, rows: t, n: t)
                            sgemm(false, false, m: t, n: d, k: t, alpha: scale, dp, lda: t, K.baseAddress! + o, ldb: c, beta: 0, DQ.p + o, ldc: c)
                            sgemm(true, false, m: t, n: d, k: t, alpha: scale, dp, lda: t, Q.baseAddress! + o, ldb: c, beta: 0, DK.p + o, ldc: c)
                        }
                    }
                } } } } } } } }
            }
            return [dq, dk, dv]
        }
        return out
    }
}

/// Sets the scores of row `i` at columns `j > i` of a `t x t` matrix to -∞.
@inline(__always)
private func maskFuture(_ p: UnsafeMutablePointer<Float>, _ t: Int) {
    for i in 0..<t where i + 1 < t { (p + i * t + i + 1).update(repeating: -.infinity, count: t - i - 1) }
}
