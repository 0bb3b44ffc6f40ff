/// Whether a convolution algorithm (`ShiftedConv`, `ImageParallelConv`) runs where it applies:
/// by its measured rule, always, or never. Task-local per algorithm, so the engine benchmark and
/// the tests can force each one in turn.
enum ConvAlgorithmPolicy: Sendable { case automatic, always, never }

/// Geometry of a 2-D convolution over one image: `[C, H, W]` in, `[O, Ho, Wo]` out, square stride and
/// padding, `Ho = (H + 2·padding - kh) / stride + 1`.
struct ConvGeometry {
    let c, h, w, kh, kw, stride, padding, ho, wo: Int
    var rows: Int { c * kh * kw }
    var columns: Int { ho * wo }
    /// A 1x1, stride-1, unpadded convolution reads the image itself as its column matrix.
    var isPointwise: Bool { kh == 1 && kw == 1 && stride == 1 && padding == 0 }

    /// Stride 1, a square kernel and padding below its size: the input gradient is then the forward
    /// convolution `transposedInputGradient(o:)` of `dy` with `flippedKernel` (no col2im scatter).
    var hasTransposedInputGradient: Bool { !isPointwise && stride == 1 && kh == kw && padding < kh }

    /// The geometry of that convolution: `dy [O, Ho, Wo]` in, `[C, H, W]` out, padding `k-1-p`.
    func transposedInputGradient(o: Int) -> ConvGeometry {
        ConvGeometry(c: o, h: ho, w: wo, kh: kh, kw: kh, stride: 1, padding: kh - 1 - padding, ho: h, wo: w)
    }

    /// `W' [C, O·k²]` from `weight [O, C, k, k]`: `W'[c, o, i, j] = W[o, c, k-1-i, k-1-j]`.
    func flippedKernel(_ ws: [Float], o: Int) -> [Float] {
        let kk = kh * kw
        return makeScalars(ws.count) { f in
            for oc in 0..<o { for ch in 0..<c { for i in 0..<kk { f[(ch * o + oc) * kk + (kk - 1 - i)] = ws[(oc * c + ch) * kk + i] } } }
        }
    }

    /// `3x3/2 64->128 32x32 (shifted)`: the row of this shape in `OpProfile`.
    func profileDetail(o: Int, algorithm: String?) -> String {
        "\(kh)x\(kw)\(stride > 1 ? "/\(stride)" : "") \(c)->\(o) \(h)x\(w)" + (algorithm.map { " (\($0))" } ?? "")
    }

    /// Unfolds one image `[C, H, W]` into `col [C·kh·kw, Ho·Wo]` (zeros where the kernel hangs over
    /// the padding), rows `ld` apart (default `Ho·Wo`; wider for a batch side by side). Rows are split
    /// across the engine's workers.
    func im2col(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, ld: Int? = nil, parallel: Bool = true) {
        let cp = SendablePointer(col), ld = ld ?? columns
        let sameSize = stride == 1 && ho == h && wo == w
        inParallel(parallel, rows, costPerItem: columns) { range in
            for r in range {
                let ch = r / (kh * kw), ki = (r / kw) % kh, kj = r % kw
                if sameSize {
                    shiftedPlane(x + ch * h * w, dy: ki - padding, dx: kj - padding, into: cp.p + r * ld)
                } else {
                    unfoldRow(x + ch * h * w, ki: ki, kj: kj, into: cp.p + r * ld)
                }
            }
        }
    }

    /// `parallelChunks`, or the whole range inline when a caller already runs on a worker.
    @inline(__always)
    private func inParallel(_ parallel: Bool, _ n: Int, costPerItem: Int, _ body: (Range<Int>) -> Void) {
        if parallel { parallelChunks(n, costPerItem: costPerItem, body) } else if n > 0 { body(0..<n) }
    }

    /// One row of a same-size, stride-1 column matrix: the plane shifted by `(dy, dx)`,
    /// `dst[oy, ox] = src[oy + dy, ox + dx]` (0 outside). In the flattened plane that is one copy
    /// `dst[q] = src[q + dy·W + dx]` over the valid rows, after which the `|dx|` columns that wrapped
    /// around a row edge are zeroed: a few long copies instead of one short copy per output row.
    @inline(__always)
    private func shiftedPlane(_ plane: UnsafePointer<Float>, dy: Int, dx: Int, into dst: UnsafeMutablePointer<Float>) {
        let oyLo = Swift.max(0, -dy), oyHi = Swift.min(h, h - dy)
        guard oyHi > oyLo, abs(dx) < w else { dst.update(repeating: 0, count: h * w); return }
        if oyLo > 0 { dst.update(repeating: 0, count: oyLo * w) }
        if oyHi < h { (dst + oyHi * w).update(repeating: 0, count: (h - oyHi) * w) }
        let off = dy * w + dx
        // source indices outside the plane belong to wrapped columns, zeroed below
        let lo = Swift.max(oyLo * w, -off), hi = Swift.min(oyHi * w, h * w - off)
        if hi > lo { (dst + lo).update(from: plane + (lo + off), count: hi - lo) }
        if dx < 0 {
            for oy in oyLo..<oyHi { (dst + oy * w).update(repeating: 0, count: -dx) }
        } else if dx > 0 {
            for oy in oyLo..<oyHi { (dst + oy * w + w - dx).update(repeating: 0, count: dx) }
        }
    }

    /// One row `(ki, kj)` of the column matrix of one channel plane, any stride and padding.
    @inline(__always)
    private func unfoldRow(_ plane: UnsafePointer<Float>, ki: Int, kj: Int, into row: UnsafeMutablePointer<Float>) {
        var dst = row
        for oy in 0..<ho {
            let iy = oy &* stride &- padding &+ ki
            if iy < 0 || iy >= h {
                dst.update(repeating: 0, count: wo)
            } else {
                let src = plane + iy * w
                if stride == 1 {
                    // ix = ox - padding + kj is valid for ox in [lo, hi)
                    let lo = Swift.max(0, padding - kj), hi = Swift.min(wo, w + padding - kj)
                    if lo > 0 { dst.update(repeating: 0, count: Swift.min(lo, wo)) }
                    if hi > lo { (dst + lo).update(from: src + (lo - padding + kj), count: hi - lo) }
                    if hi < wo { (dst + Swift.max(hi, 0)).update(repeating: 0, count: wo - Swift.max(hi, 0)) }
                } else {
                    for ox in 0..<wo {
                        let ix = ox &* stride &- padding &+ kj
                        dst[ox] = (ix >= 0 && ix < w) ? src[ix] : 0
                    }
                }
            }
            dst += wo
        }
    }

    /// Adds a column matrix (rows `ld` apart, default `Ho·Wo`) back into an image gradient `[C, H, W]`
    /// (the adjoint of `im2col`). Channels are split across workers, so no two write the same plane.
    func col2im(_ col: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, ld: Int? = nil, parallel: Bool = true) {
        let dp = SendablePointer(dx), ld = ld ?? columns
        inParallel(parallel, c, costPerItem: kh * kw * columns) { range in
            for ch in range {
                let plane = dp.p + ch * h * w
                for ki in 0..<kh {
                    for kj in 0..<kw {
                        var src = col + ((ch * kh + ki) * kw + kj) * ld
                        // valid ox range for stride 1: ix = ox - padding + kj in [0, w)
                        let lo = Swift.max(0, padding - kj), hi = Swift.min(wo, w + padding - kj)
                        for oy in 0..<ho {
                            let iy = oy &* stride &- padding &+ ki
                            if iy >= 0 && iy < h {
                                let row = plane + iy * w
                                if stride == 1 {
                                    if hi > lo {
                                        let dst = row + (lo - padding + kj), s = src + lo
                                        for i in 0..<(hi - lo) { dst[i] += s[i] }
                                    }
                                } else {
                                    for ox in 0..<wo {
                                        let ix = ox &* stride &- padding &+ kj
                                        if ix >= 0 && ix < w { row[ix] += src[ox] }
                                    }
                                }
                            }
                            src += wo
                        }
                    }
                }
            }
        }
    }
}

extension Tensor {
    /// 2-D convolution (PyTorch `conv2d`, cross-correlation): `x [N, C, H, W]`, `weight [O, C, kh, kw]`,
    /// `bias [O]` -> `[N, O, Ho, Wo]`. Where `ShiftedConv.uses` says so (64x64 planes, 3x3) one GEMM per
    /// kernel tap over the padded batch; otherwise im2col per image, then `y = W[O, C·kh·kw] · col` in
    /// one sgemm, whole images per worker (`ImageParallelConv`) when the batch splits across them;
    /// backward: `dW += dy · colᵀ`, `dx` by the transposed convolution or `dcol = Wᵀ · dy` folded back by col2im.
    public static func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0) -> Tensor {
        precondition(x.rank == 4 && weight.rank == 4 && x.shape[1] == weight.shape[1],
                     "conv2d: input \(x.shape) [N, C, H, W] against weight \(weight.shape) [O, C, kh, kw]")
        precondition(stride >= 1 && padding >= 0, "conv2d: stride \(stride), padding \(padding)")
        let n = x.shape[0], o = weight.shape[0]
        let (kh, kw) = (weight.shape[2], weight.shape[3])
        let ho = (x.shape[2] + 2 * padding - kh) / stride + 1, wo = (x.shape[3] + 2 * padding - kw) / stride + 1
        precondition(ho > 0 && wo > 0, "conv2d: kernel \(kh)x\(kw) larger than padded input \(x.shape)")
        if let bias { precondition(bias.shape == [o], "conv2d: bias \(bias.shape) for \(o) output channels") }
        Engine.prepare()
        let g = ConvGeometry(c: x.shape[1], h: x.shape[2], w: x.shape[3], kh: kh, kw: kw, stride: stride,
                             padding: padding, ho: ho, wo: wo)
        let xs = x.scalars, ws = weight.scalars, bs = bias?.scalars
        let y: [Float], algorithm: String?
        if ShiftedConv.uses(.forward, g) {
            y = ShiftedConv(n: n, c: g.c, h: g.h, w: g.w, k: kh, padding: padding, o: o).forward(xs, weight: ws, bias: bs)
            algorithm = "shifted"
        } else if ImageParallelConv.uses(g, n: n) {
            y = ImageParallelConv(g: g, n: n, o: o).forward(xs, weight: ws, bias: bs)
            algorithm = "image-parallel"
        } else {
            let inSize = g.c * g.h * g.w, outSize = o * g.columns
            y = makeScalars(n * outSize) { d in
                xs.withUnsafeBufferPointer { px in
                    Scratch.withBuffer(g.isPointwise ? 0 : g.rows * g.columns) { col in
                        for i in 0..<n {
                            g.forwardImage(px.baseAddress! + i * inSize, weight: ws, bias: bs, o: o, into: d + i * outSize,
                                           col: col, parallel: true)
                        }
                    }
                }
            }
            algorithm = nil
        }
        var out = Tensor(uncheckedShape: [n, o, ho, wo], scalars: y)
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        out.record(inputs, detail: g.profileDetail(o: o, algorithm: algorithm),
                   flops: 2 * Double(n * o) * Double(g.rows * g.columns)) { gy, needs in
            convBackward(g, n: n, o: o, xs: xs, ws: ws, gy: gy, needs: needs)
        }
        return out
    }

    /// Gradients of `conv2d` for input, weight and (when present) bias: each pass by `ShiftedConv` where
    /// `ShiftedConv.uses` says so, the rest by `ImageParallelConv` where it applies, else per-image im2col.
    static func convBackward(_ g: ConvGeometry, n: Int, o: Int, xs: [Float], ws: [Float], gy: [Float], needs: [Bool]) -> [[Float]?] {
        Engine.prepare()
        let shiftedInput = needs[0] && ShiftedConv.uses(.inputGradient, g)
        let shiftedWeight = needs[1] && ShiftedConv.uses(.weightGradient, g)
        let rest = [needs[0] && !shiftedInput, needs[1] && !shiftedWeight] + needs.dropFirst(2)
        var grads: [[Float]?]
        if ImageParallelConv.uses(g, n: n) {
            let (dx, dw) = ImageParallelConv(g: g, n: n, o: o).backward(xs: xs, ws: ws, gy: gy, needs: rest)
            grads = [dx, dw]
            if needs.count > 2 { grads.append(needs[2] ? biasGradient(gy, n: n, o: o, columns: g.columns) : nil) }
        } else {
            grads = im2colBackward(g, n: n, o: o, xs: xs, ws: ws, gy: gy, needs: rest)
        }
        guard shiftedInput || shiftedWeight else { return grads }
        let sc = ShiftedConv(n: n, c: g.c, h: g.h, w: g.w, k: g.kh, padding: g.padding, o: o)
        if shiftedInput { grads[0] = sc.inputGradient(gy, weight: ws) }
        if shiftedWeight { var d = zeroScalars(ws.count); sc.weightGradient(xs, gy, into: &d); grads[1] = d }
        return grads
    }

    /// The per-image im2col path of `convBackward`: each image's gradients split across the workers.
    static func im2colBackward(_ g: ConvGeometry, n: Int, o: Int, xs: [Float], ws: [Float], gy: [Float], needs: [Bool]) -> [[Float]?] {
        Engine.prepare()
        let inSize = g.c * g.h * g.w, outSize = o * g.columns
        var dw: [Float] = needs[1] ? zeroScalars(ws.count) : []
        var dx: [Float] = []
        if needs[1] {
            xs.withUnsafeBufferPointer { px in gy.withUnsafeBufferPointer { pg in dw.withUnsafeMutableBufferPointer { pw in
                Scratch.withBuffer(g.isPointwise ? 0 : g.rows * g.columns) { col in
                    for i in 0..<n {
                        g.addWeightGradientImage(px.baseAddress! + i * inSize, dy: pg.baseAddress! + i * outSize, o: o,
                                                 into: pw.baseAddress!, col: col, parallel: true)
                    }
                }
            } } }
        }
        if needs[0] {
            let flipped = g.hasTransposedInputGradient ? g.flippedKernel(ws, o: o) : nil
            // col2im adds into a zeroed dx; the other two write every element
            dx = flipped != nil || g.isPointwise ? makeScalars(n * inSize) { _ in } : zeroScalars(n * inSize)
            gy.withUnsafeBufferPointer { pg in dx.withUnsafeMutableBufferPointer { pdx in
                Scratch.withBuffer(g.inputGradientScratch(o: o)) { col in
                    for i in 0..<n {
                        g.inputGradientImage(pg.baseAddress! + i * outSize, weight: ws, flipped: flipped, o: o,
                                             into: pdx.baseAddress! + i * inSize, col: col, parallel: true)
                    }
                }
            } }
        }
        var grads: [[Float]?] = [needs[0] ? dx : nil, needs[1] ? dw : nil]
        if needs.count > 2 { grads.append(needs[2] ? biasGradient(gy, n: n, o: o, columns: g.columns) : nil) }
        return grads
    }

    /// `db[o] = Σ_{n, positions} dy[n, o, ...]`.
    static func biasGradient(_ gy: [Float], n: Int, o: Int, columns: Int) -> [Float] {
        var db = zeroScalars(o)
        gy.withUnsafeBufferPointer { g in
            for i in 0..<n { for oc in 0..<o { db[oc] += sum8(g.baseAddress! + (i * o + oc) * columns, count: columns) } }
        }
        return db
    }
}
