import COpenBLAS

/// Row-major `C = alpha * op(A) * op(B) + beta * C` with `op(A)` `[m, k]` and `op(B)` `[k, n]`.
@inline(__always)
func sgemm(_ transA: Bool, _ transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
           _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
           beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
    if m == 0 || n == 0 { return }
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// `sgemm` split across the engine's workers, each calling single-threaded OpenBLAS on a slab of
/// `C`: rows of `C` (rows of `op(A)`) when `m >= n`, otherwise columns (columns of `op(B)`).
/// This is the engine's only source of GEMM parallelism, so OpenBLAS's own threads never compete
/// with ours.
func sgemmParallel(_ transA: Bool, _ transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                   _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                   beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
    let workers = Engine.threads
    if workers <= 1 || m * n * k < 1 << 18 {
        sgemm(transA, transB, m: m, n: n, k: k, alpha: alpha, a, lda: lda, b, ldb: ldb, beta: beta, c, ldc: ldc)
        return
    }
    let cp = SendablePointer(c)
    let ap = UncheckedSendable(a), bp = UncheckedSendable(b)
    if m >= n {
        parallelChunks(m, costPerItem: 1 << 20) { r in
            let aOff = transA ? r.lowerBound : r.lowerBound * lda
            sgemm(transA, transB, m: r.count, n: n, k: k, alpha: alpha, ap.value + aOff, lda: lda, bp.value, ldb: ldb,
                  beta: beta, cp.p + r.lowerBound * ldc, ldc: ldc)
        }
    } else {
        parallelChunks(n, costPerItem: 1 << 20) { r in
            let bOff = transB ? r.lowerBound * ldb : r.lowerBound
            sgemm(transA, transB, m: m, n: r.count, k: k, alpha: alpha, ap.value, lda: lda, bp.value + bOff, ldb: ldb,
                  beta: beta, cp.p + r.lowerBound, ldc: ldc)
        }
    }
}

extension Tensor {
    /// Matrix product of `[M, K]` and `[K, N]` -> `[M, N]`.
    public static func matmul(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.rank == 2 && b.rank == 2 && a.shape[1] == b.shape[0], "matmul of \(a.shape) and \(b.shape)")
        Engine.prepare()
        let m = a.shape[0], k = a.shape[1], n = b.shape[1]
        let x = a.scalars, w = b.scalars
        var y = zeroScalars(m * n)
        sgemmParallel(false, false, m: m, n: n, k: k, x, lda: k, w, ldb: n, beta: 0, &y, ldc: n)
        var out = Tensor(uncheckedShape: [m, n], scalars: y)
        out.record([a, b], flops: 2 * Double(m * n) * Double(k)) { gy, needs in
            var ga: [Float]? = nil, gb: [Float]? = nil
            if needs[0] { var g = zeroScalars(m * k); sgemmParallel(false, true, m: m, n: k, k: n, gy, lda: n, w, ldb: n, beta: 0, &g, ldc: k); ga = g }
            if needs[1] { var g = zeroScalars(k * n); sgemmParallel(true, false, m: k, n: n, k: m, x, lda: k, gy, ldb: n, beta: 0, &g, ldc: n); gb = g }
            return [ga, gb]
        }
        return out
    }

    /// Affine map over the last dimension, PyTorch's `nn.Linear`: `x [..., in]`, `weight [out, in]`,
    /// `bias [out]` -> `y [..., out] = x · weightᵀ + bias`.
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        precondition(weight.rank == 2 && x.rank >= 1 && x.shape.last == weight.shape[1],
                     "linear: input \(x.shape) against weight \(weight.shape) [out, in]")
        if let bias { precondition(bias.shape == [weight.shape[0]], "linear: bias \(bias.shape) for weight \(weight.shape)") }
        Engine.prepare()
        let inF = weight.shape[1], outF = weight.shape[0], rows = x.count / Swift.max(inF, 1)
        let xs = x.scalars, w = weight.scalars
        var y: [Float]
        if let bias {
            let bs = bias.scalars
            y = makeScalars(rows * outF) { d in
                for r in 0..<rows { (d + r * outF).update(from: bs, count: outF) }
            }
        } else { y = zeroScalars(rows * outF) }
        sgemmParallel(false, true, m: rows, n: outF, k: inF, xs, lda: inF, w, ldb: inF, beta: bias == nil ? 0 : 1, &y, ldc: outF)
        var outShape = x.shape
        outShape[outShape.count - 1] = outF
        var out = Tensor(uncheckedShape: outShape, scalars: y)
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        out.record(inputs, flops: 2 * Double(rows * outF) * Double(inF)) { gy, needs in
            var grads: [[Float]?] = [nil, nil]
            if needs[0] { var g = zeroScalars(rows * inF); sgemmParallel(false, false, m: rows, n: inF, k: outF, gy, lda: outF, w, ldb: inF, beta: 0, &g, ldc: inF); grads[0] = g }
            if needs[1] { var g = zeroScalars(outF * inF); sgemmParallel(true, false, m: outF, n: inF, k: rows, gy, lda: outF, xs, ldb: inF, beta: 0, &g, ldc: inF); grads[1] = g }
            if needs.count > 2 {
                var g = zeroScalars(outF)
                if needs[2] { for r in 0..<rows { for o in 0..<outF { g[o] += gy[r * outF + o] } } }
                grads.append(needs[2] ? g : nil)
            }
            return grads
        }
        return out
    }
}
