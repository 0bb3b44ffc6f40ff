/// im2col convolution with the batch split across the engine's workers: each worker unfolds its own
/// images into its own column matrix and runs single-threaded sgemm on them.
///
/// The per-image path instead splits every image's im2col and GEMM across the workers, which costs
/// two synchronisations per image and pass, and at small planes (16x16, 8x8: 256 or 64 columns)
/// leaves each worker a GEMM too thin for OpenBLAS's kernels, with the shared operand packed twice.
/// Here the workers meet once per pass; the weight gradient sums one partial `dW` per worker.
struct ImageParallelConv {
    let g: ConvGeometry
    let n, o: Int

    /// Which layers use this algorithm; the engine benchmark forces each choice in turn.
    @TaskLocal static var policy = ConvAlgorithmPolicy.automatic

    /// Automatically: whenever the batch splits evenly across the workers, or has at least four
    /// images per worker.
    static func uses(_ g: ConvGeometry, n: Int) -> Bool {
        let workers = Engine.threads
        switch policy {
        case .always: return n > 1
        case .never: return false
        case .automatic: return workers > 1 && n >= workers && (n % workers == 0 || n >= 4 * workers)
        }
    }

    var inSize: Int { g.c * g.h * g.w }
    var outSize: Int { o * g.columns }

    /// Runs `body(images, slot)` on contiguous image ranges, one per worker (`slot` numbers them).
    private func eachWorker(_ body: @escaping (Range<Int>, Int) -> Void) {
        let workers = Swift.min(Engine.threads, n), n = n
        parallelChunks(workers, costPerItem: 1 << 20) { slots in
            for slot in slots { body((n * slot / workers)..<(n * (slot + 1) / workers), slot) }
        }
    }

    func forward(_ xs: [Float], weight ws: [Float], bias bs: [Float]?) -> [Float] {
        let (g, o, inSize, outSize) = (g, o, inSize, outSize)
        return makeScalars(n * outSize) { y in
            let yp = SendablePointer(y)
            xs.withUnsafeBufferPointer { px in
                let xp = UncheckedSendable(px.baseAddress!)
                eachWorker { images, _ in
                    Scratch.withBuffer(g.isPointwise ? 0 : g.rows * g.columns) { col in
                        for i in images {
                            g.forwardImage(xp.value + i * inSize, weight: ws, bias: bs, o: o, into: yp.p + i * outSize,
                                           col: col, parallel: false)
                        }
                    }
                }
            }
        }
    }

    /// Input and weight gradients (each only when `needs` asks); the bias gradient is the caller's.
    func backward(xs: [Float], ws: [Float], gy: [Float], needs: [Bool]) -> (dx: [Float]?, dw: [Float]?) {
        (needs[0] ? inputGradient(ws, gy: gy) : nil, needs[1] ? weightGradient(xs, gy: gy) : nil)
    }

    /// `dW = Σ_images dy_i · col_iᵀ`: one partial sum per worker, added up at the end.
    private func weightGradient(_ xs: [Float], gy: [Float]) -> [Float] {
        let (g, o, inSize, outSize) = (g, o, inSize, outSize)
        let workers = Swift.min(Engine.threads, n), size = o * g.rows
        var partials = zeroScalars(workers * size)
        partials.withUnsafeMutableBufferPointer { pp in
            let dp = SendablePointer(pp.baseAddress!)
            xs.withUnsafeBufferPointer { px in gy.withUnsafeBufferPointer { pg in
                let (xp, gp) = (UncheckedSendable(px.baseAddress!), UncheckedSendable(pg.baseAddress!))
                eachWorker { images, slot in
                    Scratch.withBuffer(g.isPointwise ? 0 : g.rows * g.columns) { col in
                        for i in images {
                            g.addWeightGradientImage(xp.value + i * inSize, dy: gp.value + i * outSize, o: o,
                                                     into: dp.p + slot * size, col: col, parallel: false)
                        }
                    }
                }
            } }
        }
        guard workers > 1 else { return partials }
        return makeScalars(size) { dw in
            dw.update(from: partials, count: size)
            for slot in 1..<workers { partials.withUnsafeBufferPointer { p in add(p.baseAddress! + slot * size, into: dw, count: size) } }
        }
    }

    /// Each worker's images' input gradients (`ConvGeometry.inputGradientImage`).
    private func inputGradient(_ ws: [Float], gy: [Float]) -> [Float] {
        let (g, o, inSize, outSize) = (g, o, inSize, outSize)
        let flipped = g.hasTransposedInputGradient ? g.flippedKernel(ws, o: o) : nil
        let body: (UnsafeMutablePointer<Float>) -> Void = { dx in
            let dp = SendablePointer(dx)
            gy.withUnsafeBufferPointer { pg in
                let gp = UncheckedSendable(pg.baseAddress!)
                eachWorker { images, _ in
                    Scratch.withBuffer(g.inputGradientScratch(o: o)) { col in
                        for i in images {
                            g.inputGradientImage(gp.value + i * outSize, weight: ws, flipped: flipped, o: o,
                                                 into: dp.p + i * inSize, col: col, parallel: false)
                        }
                    }
                }
            }
        }
        if g.isPointwise || flipped != nil { return makeScalars(n * inSize, body) }
        var dx = zeroScalars(n * inSize)  // col2im adds into it
        dx.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
        return dx
    }
}

/// `dst[i] += src[i]`.
private func add(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { dst[i] += src[i] }
}
