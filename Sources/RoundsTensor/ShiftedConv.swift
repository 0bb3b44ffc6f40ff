/// Stride-1 `k x k` convolution without im2col: every kernel tap is one GEMM over a shifted view of
/// the zero-padded input.
///
/// The batch is laid out channel-major, `xpad [C, N·plane]`, each image a zero-padded `Hp x Wp` plane
/// plus `k` slack elements (`plane = Hp·Wp + k`). On the "wide" output grid (`Ho` rows of `Wp`
/// columns, the last `k - 1` of each row unused) output position `q` of tap `(i, j)` reads input
/// position `q + i·Wp + j`, so `Y_wide [O, N·plane] = Σ_taps W_tap [O, C] · xpad[:, shift_tap ...]`:
/// `k²` GEMMs of depth `C` whose B operand is `xpad` at an offset, instead of one GEMM of depth
/// `C·k²` over a column matrix `k²` times the input's size (memory-bound at 64x64).
/// The weight gradient is the same sum transposed, `dW_tap = dY_wide · xpad[:, shift_tap ...]ᵀ` with
/// zeros in the unused columns of `dY_wide`; the input gradient is this forward convolution of `dy`
/// with the flipped, transposed kernel and padding `k - 1 - p`.
struct ShiftedConv {
    let n, c, h, w, k, padding, o: Int

    var hp: Int { h + 2 * padding }
    var wp: Int { w + 2 * padding }
    var ho: Int { hp - k + 1 }
    var wo: Int { wp - k + 1 }
    var plane: Int { hp * wp + k }
    /// Columns of the batched wide matrices.
    var columns: Int { n * plane }
    /// Columns the GEMMs compute: up to the last image's last output row. Any column reads at most
    /// `(k-1)·Wp + k-1` past itself, which stays inside `xpad` only up to here.
    var computed: Int { (n - 1) * plane + ho * wp }

    /// Which passes use this algorithm; the engine benchmark forces each choice in turn.
    enum Pass { case forward, inputGradient, weightGradient }
    @TaskLocal static var policy = ConvAlgorithmPolicy.automatic

    /// Stride 1, square kernel larger than 1x1, padding below the kernel size.
    static func applies(_ g: ConvGeometry) -> Bool {
        g.stride == 1 && g.kh == g.kw && g.kh > 1 && g.padding < g.kh
    }

    /// Whether `pass` of `g` runs here. Automatically: the forward pass and the input gradient of
    /// 64x64 and larger planes when OpenBLAS runs its AVX-512 (SkylakeX) kernels; never with the AVX2
    /// (Haswell) ones, and never for the weight gradient. Measured against the image-parallel im2col
    /// path in one run (`rounds bench engine`, 2 threads, SkylakeX): 64x64 planes, 64 channels, batch 4:
    /// forward 4.40 vs 5.43 ms, input gradient 4.81 vs 5.37 ms, weight gradient 7.53 vs 5.82 ms; 32x32,
    /// 128 channels: forward 5.57 vs 4.55 ms, input gradient 5.68 vs 4.69 ms (image-parallel ahead);
    /// 16x16 and 8x8: image-parallel ahead by 20-60%. With Haswell kernels im2col was ahead or level
    /// everywhere (single-threaded, e.g. 64x64 input gradient 12.2 vs 12.3 ms).
    static func uses(_ pass: Pass, _ g: ConvGeometry) -> Bool {
        guard applies(g) else { return false }
        switch policy {
        case .always: return true
        case .never: return false
        case .automatic: return favours(pass, g, avx512: BLASKernel.skylakeX.isActive)
        }
    }

    /// The measured rule behind `.automatic`.
    static func favours(_ pass: Pass, _ g: ConvGeometry, avx512: Bool) -> Bool {
        guard avx512, pass != .weightGradient, applies(g) else { return false }
        return g.h * g.w >= 4096
    }

    /// `x [N, C, H, W]` -> `xpad [C, N·plane]`, zero padded.
    func pad(_ x: UnsafePointer<Float>, channels: Int, into dst: UnsafeMutablePointer<Float>) {
        let dp = SendablePointer(dst)
        let (n, h, w, wp, plane, padding, columns) = (n, h, w, wp, plane, padding, columns)
        parallelChunks(channels * n, costPerItem: plane) { range in
            for item in range {
                let ch = item / n, img = item % n
                let out = dp.p + ch * columns + img * plane
                out.update(repeating: 0, count: plane)
                let src = x + (img * channels + ch) * h * w
                for y in 0..<h { (out + (y + padding) * wp + padding).update(from: src + y * w, count: w) }
            }
        }
    }

    /// `taps [k², rows, cols]` from `weight [rows, cols, k, k]`; `flip` reverses the taps and
    /// exchanges rows and columns (`weight [cols, rows, k, k]`), the kernel of the input gradient.
    static func taps(_ weight: [Float], rows: Int, cols: Int, k: Int, flip: Bool) -> [Float] {
        let kk = k * k
        return makeScalars(weight.count) { t in
            for r in 0..<rows { for c in 0..<cols { for tap in 0..<kk {
                if flip { t[(kk - 1 - tap) * rows * cols + r * cols + c] = weight[(c * rows + r) * kk + tap] }
                else { t[tap * rows * cols + r * cols + c] = weight[(r * cols + c) * kk + tap] }
            } } }
        }
    }

    /// `wide [rows, N·plane] = Σ_tap taps[tap] [rows, C] · xpad[:, shift_tap ...]`; column slabs run
    /// on the engine's workers, each through all taps with single-threaded sgemm.
    func wideForward(taps: UnsafePointer<Float>, rows: Int, xpad: UnsafePointer<Float>, channels: Int,
                     wide: UnsafeMutablePointer<Float>) {
        let kk = k * k, cols = computed
        let (tp, xp, yp) = (UncheckedSendable(taps), UncheckedSendable(xpad), SendablePointer(wide))
        let (k, wp, columns) = (k, wp, columns)
        // slabs small enough that one slab's output stays in cache across the k² taps
        let slab = Swift.min(1536, Swift.max(256, (cols + Engine.threads - 1) / Engine.threads))
        parallelChunks((cols + slab - 1) / slab, costPerItem: 1 << 20) { range in
            for s in range {
                let lo = s * slab, width = Swift.min(slab, cols - lo)
                for tap in 0..<kk {
                    let shift = (tap / k) * wp + tap % k
                    sgemm(false, false, m: rows, n: width, k: channels, tp.value + tap * rows * channels, lda: channels,
                          xp.value + shift + lo, ldb: columns, beta: tap == 0 ? 0 : 1, yp.p + lo, ldc: columns)
                }
            }
        }
    }

    /// `y [N, rows, Ho, Wo]` from the wide grid (plus `bias [rows]` when given).
    func extract(_ wide: UnsafePointer<Float>, rows: Int, bias: [Float]?, into y: UnsafeMutablePointer<Float>) {
        let yp = SendablePointer(y)
        let (n, ho, wo, wp, plane, columns) = (n, ho, wo, wp, plane, columns)
        parallelChunks(n * rows, costPerItem: ho * wo) { range in
            for item in range {
                let img = item / rows, r = item % rows
                let src = wide + r * columns + img * plane, dst = yp.p + item * ho * wo
                let b = bias?[r] ?? 0
                for oy in 0..<ho {
                    let s = src + oy * wp, d = dst + oy * wo
                    if b == 0 { d.update(from: s, count: wo) } else { for i in 0..<wo { d[i] = s[i] + b } }
                }
            }
        }
    }

    /// Forward convolution `x [N, C, H, W]` with `weight [O, C, k, k]` -> `[N, O, Ho, Wo]`.
    func forward(_ x: [Float], weight: [Float], bias: [Float]?) -> [Float] {
        forward(x, taps: Self.taps(weight, rows: o, cols: c, k: k, flip: false), bias: bias)
    }

    /// Forward convolution with the kernel already as `taps [k², O, C]`.
    func forward(_ x: [Float], taps: [Float], bias: [Float]?) -> [Float] {
        var xpad = [Float](unsafeUninitializedCapacity: c * columns) { _, count in count = c * columns }
        var wide = [Float](unsafeUninitializedCapacity: o * columns) { _, count in count = o * columns }
        x.withUnsafeBufferPointer { px in xpad.withUnsafeMutableBufferPointer { pad(px.baseAddress!, channels: c, into: $0.baseAddress!) } }
        xpad.withUnsafeBufferPointer { px in
            taps.withUnsafeBufferPointer { pt in
                wide.withUnsafeMutableBufferPointer { pw in
                    wideForward(taps: pt.baseAddress!, rows: o, xpad: px.baseAddress!, channels: c, wide: pw.baseAddress!)
                }
            }
        }
        return wide.withUnsafeBufferPointer { pw in
            makeScalars(n * o * ho * wo) { extract(pw.baseAddress!, rows: o, bias: bias, into: $0) }
        }
    }

    /// The input gradient: `dy [N, O, Ho, Wo]` convolved with the flipped, transposed kernel.
    func inputGradient(_ dy: [Float], weight: [Float]) -> [Float] {
        let t = ShiftedConv(n: n, c: o, h: ho, w: wo, k: k, padding: k - 1 - padding, o: c)
        precondition(t.ho == h && t.wo == w, "shifted conv: transposed geometry \(t.ho)x\(t.wo) for input \(h)x\(w)")
        return t.forward(dy, taps: Self.taps(weight, rows: c, cols: o, k: k, flip: true), bias: nil)
    }

    /// `dW [O, C, k, k]` (added to `into`) from `xs [N, C, H, W]` and `dy [N, O, Ho, Wo]`.
    func weightGradient(_ xs: [Float], _ dy: [Float], into dw: inout [Float]) {
        let kk = k * k
        var xpad = [Float](unsafeUninitializedCapacity: c * columns) { _, count in count = c * columns }
        xs.withUnsafeBufferPointer { px in xpad.withUnsafeMutableBufferPointer { pad(px.baseAddress!, channels: c, into: $0.baseAddress!) } }
        // dY on the wide grid, zero in the unused columns and the slack
        let wide = makeScalars(o * columns) { d in
            d.update(repeating: 0, count: o * columns)
            dy.withUnsafeBufferPointer { pg in
                for r in 0..<o { for img in 0..<n { for oy in 0..<ho {
                    (d + r * columns + img * plane + oy * wp).update(from: pg.baseAddress! + ((img * o + r) * ho + oy) * wo, count: wo)
                } } }
            }
        }
        var dTaps = [Float](repeating: 0, count: kk * o * c)
        xpad.withUnsafeBufferPointer { px in
            wide.withUnsafeBufferPointer { pw in
                dTaps.withUnsafeMutableBufferPointer { pd in
                    let cols = computed
                    for tap in 0..<kk {
                        let shift = (tap / k) * wp + tap % k
                        sgemmParallel(false, true, m: o, n: c, k: cols, pw.baseAddress!, lda: columns,
                                      px.baseAddress! + shift, ldb: columns, beta: 0, pd.baseAddress! + tap * o * c, ldc: c)
                    }
                }
            }
        }
        for r in 0..<o { for ch in 0..<c { for tap in 0..<kk { dw[(r * c + ch) * kk + tap] += dTaps[tap * o * c + r * c + ch] } } }
    }
}
