/// Geometry of a 2-D convolution over one image: `[C, H, W]` in, `[O, Ho, Wo]` out, square stride and
/// padding, `Ho = (H + 2·padding - kh) / stride + 1`.
struct ConvGeometry {
    let c, h, w, kh, kw, stride, padding, ho, wo: Int
    var rows: Int { c * kh * kw }
    var columns: Int { ho * wo }
    /// A 1x1, stride-1, unpadded convolution reads the image itself as its column matrix.
    var isPointwise: Bool { kh == 1 && kw == 1 && stride == 1 && padding == 0 }

    /// Unfolds one image `[C, H, W]` into `col [C·kh·kw, Ho·Wo]` (zeros where the kernel hangs over
    /// the padding). Rows are split across the engine's workers.
    func im2col(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>) {
        let cp = SendablePointer(col)
        parallelChunks(rows, costPerItem: columns) { range in
            for r in range {
                let ch = r / (kh * kw), ki = (r / kw) % kh, kj = r % kw
                let plane = x + ch * h * w
                var dst = cp.p + r * columns
                for oy in 0..<ho {
                    let iy = oy &* stride &- padding &+ ki
                    if iy < 0 || iy >= h {
                        dst.update(repeating: 0, count: wo)
                    } else {
                        let src = plane + iy * w
                        if stride == 1 {
                            // ix = ox - padding + kj is valid for ox in [lo, hi)
                            let lo = Swift.max(0, padding - kj), hi = Swift.min(wo, w + padding - kj)
                            if lo > 0 { dst.update(repeating: 0, count: lo) }
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
        }
    }

    /// Adds a column matrix back into an image gradient `[C, H, W]` (the adjoint of `im2col`).
    /// Channels are split across workers, so no two workers write the same plane.
    func col2im(_ col: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
        let dp = SendablePointer(dx)
        parallelChunks(c, costPerItem: kh * kw * columns) { range in
            for ch in range {
                let plane = dp.p + ch * h * w
                for ki in 0..<kh {
                    for kj in 0..<kw {
                        var src = col + ((ch * kh + ki) * kw + kj) * columns
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
    /// `bias [O]` -> `[N, O, Ho, Wo]`. Stride-1 square kernels (the UNet's 3x3) run as one GEMM per
    /// kernel tap over the padded batch (`ShiftedConv`); other shapes im2col per image, then
    /// `y = W[O, C·kh·kw] · col` in one sgemm; backward: `dW += dy · colᵀ`, `dcol = Wᵀ · dy` folded back by col2im.
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
        if ShiftedConv.uses(.forward, g) {
            let sc = ShiftedConv(n: n, c: g.c, h: g.h, w: g.w, k: kh, padding: padding, o: o)
            var out = Tensor(uncheckedShape: [n, o, ho, wo], scalars: sc.forward(xs, weight: ws, bias: bs))
            let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
            out.record(inputs) { gy, needs in
                convBackward(g, n: n, o: o, xs: xs, ws: ws, gy: gy, needs: needs)
            }
            return out
        }
        let inSize = g.c * g.h * g.w, outSize = o * g.columns
        var col = g.isPointwise ? [] : [Float](repeating: 0, count: g.rows * g.columns)
        var y: [Float] = bs.map { b in
            makeScalars(n * outSize) { d in
                for i in 0..<n { for oc in 0..<o { (d + i * outSize + oc * g.columns).update(repeating: b[oc], count: g.columns) } }
            }
        } ?? zeroScalars(n * outSize)
        xs.withUnsafeBufferPointer { px in
            col.withUnsafeMutableBufferPointer { pc in
                y.withUnsafeMutableBufferPointer { py in
                    for i in 0..<n {
                        let src: UnsafePointer<Float>
                        if g.isPointwise { src = px.baseAddress! + i * inSize } else {
                            g.im2col(px.baseAddress! + i * inSize, pc.baseAddress!)
                            src = UnsafePointer(pc.baseAddress!)
                        }
                        sgemmParallel(false, false, m: o, n: g.columns, k: g.rows, ws, lda: g.rows, src, ldb: g.columns,
                              beta: bs == nil ? 0 : 1, py.baseAddress! + i * outSize, ldc: g.columns)
                    }
                }
            }
        }
        var out = Tensor(uncheckedShape: [n, o, ho, wo], scalars: y)
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        out.record(inputs) { gy, needs in
            convBackward(g, n: n, o: o, xs: xs, ws: ws, gy: gy, needs: needs)
        }
        return out
    }

    /// Input gradient of a stride-1 convolution as a forward convolution of `dy` with the flipped,
    /// transposed kernel `W'[c, o, i, j] = W[o, c, k-1-i, k-1-j]` and padding `k-1-p`: im2col of `dy`
    /// and one sgemm per image, with no col2im scatter (which is memory-bound at 64x64).
    static func convInputGradientStride1(_ g: ConvGeometry, n: Int, o: Int, ws: [Float], gy: [Float]) -> [Float] {
        let k = g.kh, kk = k * k
        var flipped = [Float](repeating: 0, count: ws.count)
        for oc in 0..<o { for c in 0..<g.c { for i in 0..<kk {
            flipped[(c * o + oc) * kk + (kk - 1 - i)] = ws[(oc * g.c + c) * kk + i]
        } } }
        let t = ConvGeometry(c: o, h: g.ho, w: g.wo, kh: k, kw: k, stride: 1, padding: k - 1 - g.padding, ho: g.h, wo: g.w)
        let inSize = g.c * g.h * g.w, outSize = o * g.columns
        var dx = [Float](repeating: 0, count: n * inSize)
        var col = [Float](repeating: 0, count: t.rows * t.columns)
        gy.withUnsafeBufferPointer { pg in
            col.withUnsafeMutableBufferPointer { pc in
                dx.withUnsafeMutableBufferPointer { pdx in
                    for i in 0..<n {
                        t.im2col(pg.baseAddress! + i * outSize, pc.baseAddress!)
                        sgemmParallel(false, false, m: g.c, n: t.columns, k: t.rows, flipped, lda: t.rows, pc.baseAddress!,
                                      ldb: t.columns, beta: 0, pdx.baseAddress! + i * inSize, ldc: t.columns)
                    }
                }
            }
        }
        return dx
    }

    /// Gradients of `conv2d` for input, weight and (when present) bias: each pass by `ShiftedConv` where
    /// `ShiftedConv.uses` says so, the rest by im2col.
    static func convBackward(_ g: ConvGeometry, n: Int, o: Int, xs: [Float], ws: [Float], gy: [Float], needs: [Bool]) -> [[Float]?] {
        let shiftedInput = needs[0] && ShiftedConv.uses(.inputGradient, g)
        let shiftedWeight = needs[1] && ShiftedConv.uses(.weightGradient, g)
        guard shiftedInput || shiftedWeight else { return im2colBackward(g, n: n, o: o, xs: xs, ws: ws, gy: gy, needs: needs) }
        let sc = ShiftedConv(n: n, c: g.c, h: g.h, w: g.w, k: g.kh, padding: g.padding, o: o)
        var grads = im2colBackward(g, n: n, o: o, xs: xs, ws: ws, gy: gy,
                                   needs: [needs[0] && !shiftedInput, needs[1] && !shiftedWeight] + needs.dropFirst(2))
        if shiftedInput { grads[0] = sc.inputGradient(gy, weight: ws) }
        if shiftedWeight { var d = zeroScalars(ws.count); sc.weightGradient(xs, gy, into: &d); grads[1] = d }
        return grads
    }

    /// The im2col path of `convBackward`.
    static func im2colBackward(_ g: ConvGeometry, n: Int, o: Int, xs: [Float], ws: [Float], gy: [Float], needs: [Bool]) -> [[Float]?] {
        Engine.prepare()
        let inSize = g.c * g.h * g.w, outSize = o * g.columns
        // stride 1 with a square kernel and padding < k: input gradient by the transposed convolution
        let transposed = needs[0] && !g.isPointwise && g.stride == 1 && g.kh == g.kw && g.padding < g.kh
        var dx: [Float] = needs[0] && !transposed ? zeroScalars(n * inSize) : []
        var dw: [Float] = needs[1] ? zeroScalars(ws.count) : []
        var col = g.isPointwise || !needs[1] ? [] : [Float](repeating: 0, count: g.rows * g.columns)
        var dcol = (needs[0] && !g.isPointwise && !transposed) ? [Float](repeating: 0, count: g.rows * g.columns) : []
        xs.withUnsafeBufferPointer { px in
            gy.withUnsafeBufferPointer { pg in
                col.withUnsafeMutableBufferPointer { pc in
                    dcol.withUnsafeMutableBufferPointer { pdc in
                        dx.withUnsafeMutableBufferPointer { pdx in
                            for i in 0..<n {
                                let dyi = pg.baseAddress! + i * outSize
                                if needs[1] {
                                    let src: UnsafePointer<Float>
                                    if g.isPointwise { src = px.baseAddress! + i * inSize } else {
                                        g.im2col(px.baseAddress! + i * inSize, pc.baseAddress!)
                                        src = UnsafePointer(pc.baseAddress!)
                                    }
                                    sgemmParallel(false, true, m: o, n: g.rows, k: g.columns, dyi, lda: g.columns, src, ldb: g.columns,
                                          beta: 1, &dw, ldc: g.rows)
                                }
                                if needs[0] && !transposed {
                                    if g.isPointwise {
                                        sgemmParallel(true, false, m: g.rows, n: g.columns, k: o, ws, lda: g.rows, dyi, ldb: g.columns,
                                              beta: 0, pdx.baseAddress! + i * inSize, ldc: g.columns)
                                    } else {
                                        sgemmParallel(true, false, m: g.rows, n: g.columns, k: o, ws, lda: g.rows, dyi, ldb: g.columns,
                                              beta: 0, pdc.baseAddress!, ldc: g.columns)
                                        g.col2im(pdc.baseAddress!, pdx.baseAddress! + i * inSize)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if transposed { dx = convInputGradientStride1(g, n: n, o: o, ws: ws, gy: gy) }
        var grads: [[Float]?] = [needs[0] ? dx : nil, needs[1] ? dw : nil]
        if needs.count > 2 { grads.append(needs[2] ? biasGradient(gy, n: n, o: o, columns: g.columns) : nil) }
        return grads
    }

    /// `db[o] = Σ_{n, positions} dy[n, o, ...]`.
    static func biasGradient(_ gy: [Float], n: Int, o: Int, columns: Int) -> [Float] {
        var db = zeroScalars(o)
        gy.withUnsafeBufferPointer { g in
            for i in 0..<n { for oc in 0..<o {
                var s: Float = 0
                let base = g.baseAddress! + (i * o + oc) * columns
                for j in 0..<columns { s += base[j] }
                db[oc] += s
            } }
        }
        return db
    }
}
