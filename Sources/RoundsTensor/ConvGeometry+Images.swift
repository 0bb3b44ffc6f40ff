/// One image's share of each pass of the im2col convolution. The per-image path calls these for
/// every image with `parallel` (im2col and the GEMM split across the engine's workers); the
/// image-parallel path calls them on its workers' own images without.
extension ConvGeometry {
    /// One image's forward pass, `y [O, Ho·Wo] = W [O, C·kh·kw] · col(x) (+ bias)`: the bias is
    /// pre-broadcast into `y` and added by the GEMM's beta = 1. `col` holds `rows · columns` floats
    /// (unused by a pointwise convolution, which reads `x` itself).
    func forwardImage(_ x: UnsafePointer<Float>, weight ws: [Float], bias bs: [Float]?, o: Int,
                      into y: UnsafeMutablePointer<Float>, col: UnsafeMutablePointer<Float>, parallel: Bool) {
        if let bs { for oc in 0..<o { (y + oc * columns).update(repeating: bs[oc], count: columns) } }
        let src = isPointwise ? x : unfolded(x, into: col, parallel: parallel)
        gemm(parallel, false, false, m: o, n: columns, k: rows, ws, lda: rows, src, ldb: columns,
             beta: bs == nil ? 0 : 1, y, ldc: columns)
    }

    /// Adds one image's weight-gradient term, `dW [O, C·kh·kw] += dy [O, Ho·Wo] · col(x)ᵀ`.
    func addWeightGradientImage(_ x: UnsafePointer<Float>, dy: UnsafePointer<Float>, o: Int,
                                into dw: UnsafeMutablePointer<Float>, col: UnsafeMutablePointer<Float>, parallel: Bool) {
        let src = isPointwise ? x : unfolded(x, into: col, parallel: parallel)
        gemm(parallel, false, true, m: o, n: rows, k: columns, dy, lda: columns, src, ldb: columns, beta: 1, dw, ldc: rows)
    }

    /// The floats `inputGradientImage` needs as `col`.
    func inputGradientScratch(o: Int) -> Int {
        if isPointwise { return 0 }
        guard hasTransposedInputGradient else { return rows * columns }
        let t = transposedInputGradient(o: o)
        return t.rows * t.columns
    }

    /// One image's input gradient `dx [C, H, W]` from `dy [O, Ho·Wo]`: with `flipped`
    /// (`flippedKernel`, where `hasTransposedInputGradient`) the forward convolution of `dy` with it,
    /// which needs no col2im scatter (memory-bound at 64x64); otherwise `Wᵀ · dy`, folded back by
    /// col2im, which adds into `dx` (the caller zeroes it), or written straight into it (1x1).
    func inputGradientImage(_ dy: UnsafePointer<Float>, weight ws: [Float], flipped: [Float]?, o: Int,
                            into dx: UnsafeMutablePointer<Float>, col: UnsafeMutablePointer<Float>, parallel: Bool) {
        if let flipped {
            let t = transposedInputGradient(o: o)
            gemm(parallel, false, false, m: c, n: t.columns, k: t.rows, flipped, lda: t.rows,
                 t.unfolded(dy, into: col, parallel: parallel), ldb: t.columns, beta: 0, dx, ldc: t.columns)
        } else if isPointwise {
            gemm(parallel, true, false, m: c, n: columns, k: o, ws, lda: c, dy, ldb: columns, beta: 0, dx, ldc: columns)
        } else {
            gemm(parallel, true, false, m: rows, n: columns, k: o, ws, lda: rows, dy, ldb: columns, beta: 0, col, ldc: columns)
            col2im(col, dx, parallel: parallel)
        }
    }

    /// `col(x)`, written to `col`.
    private func unfolded(_ x: UnsafePointer<Float>, into col: UnsafeMutablePointer<Float>, parallel: Bool) -> UnsafePointer<Float> {
        im2col(x, col, parallel: parallel)
        return UnsafePointer(col)
    }

    private func gemm(_ parallel: Bool, _ transA: Bool, _ transB: Bool, m: Int, n: Int, k: Int,
                      _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                      beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
        if parallel {
            sgemmParallel(transA, transB, m: m, n: n, k: k, a, lda: lda, b, ldb: ldb, beta: beta, c, ldc: ldc)
        } else {
            sgemm(transA, transB, m: m, n: n, k: k, a, lda: lda, b, ldb: ldb, beta: beta, c, ldc: ldc)
        }
    }
}
