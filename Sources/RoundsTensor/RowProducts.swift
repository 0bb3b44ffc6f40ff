import COpenBLAS

/// Dot products of every row of one matrix with every row of another (`C = α·A·Bᵀ`, row-major,
/// packed), for code outside the engine that tiles its own work: the alignment metrics' distance
/// tiles. It exists so that only RoundsTensor calls BLAS or sets its threads (DESIGN.md).
package enum RowProducts {
    /// `c[i·n + j] = alpha · Σₖ a[i·k + t]·b[j·k + t]` for `m` rows of `a` and `n` rows of `b`.
    package static func multiply(
        _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, into c: UnsafeMutablePointer<Double>,
        m: Int, n: Int, k: Int, alpha: Double = 1
    ) {
        cblas_dgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(k), b, Int32(k), 0.0, c, Int32(n))
    }

    /// The single-precision form of `multiply` (half the cost; callers bound its rounding error).
    package static func multiply(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, alpha: Float = 1
    ) {
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(k), b, Int32(k), 0, c, Int32(n))
    }

    /// OpenBLAS's thread count as it was before `holdBLASToOneThread`, to be put back by `restore()`.
    package struct BLASThreads: Sendable {
        let previous: Int32?
        /// Puts OpenBLAS's thread count back.
        package func restore() { if let previous { openblas_set_num_threads(previous) } }
    }

    /// Holds OpenBLAS to one thread when `workers > 1` (the caller's own workers then spread the
    /// tiles, and OpenBLAS's pool would fight them); `restore()` the result when they are done.
    package static func holdBLASToOneThread(workers: Int) -> BLASThreads {
        guard workers > 1 else { return BLASThreads(previous: nil) }
        let previous = openblas_get_num_threads()
        openblas_set_num_threads(1)
        return BLASThreads(previous: previous)
    }
}
