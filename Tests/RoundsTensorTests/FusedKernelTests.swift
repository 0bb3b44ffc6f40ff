import Foundation
import Testing
@testable import RoundsTensor

/// The vectorised and fused kernels against simple reference loops, on odd shapes (tails shorter
/// than eight lanes, batch 1, non-square planes).
@Suite struct FusedKernelTests {
    @Test func exp8MatchesExpfWithinTwoUlpAndHandlesTheEnds() {
        var worst: Float = 0
        var x: Float = -87
        while x < 88 {
            var v = Float8()
            for j in 0..<8 { v[j] = x + Float(j) * 0.0137 }
            let e = exp8(v)
            for j in 0..<8 {
                let ref = Foundation.exp(v[j])
                worst = Swift.max(worst, abs(e[j] - ref) / ref.ulp)
            }
            x += 0.37
        }
        #expect(worst <= 2, "exp8 is \(worst) ulp from expf")
        let ends = exp8(Float8(-Float.infinity, -100, -87.5, 0, 1, 88, .infinity, .nan))
        #expect(ends[0] == 0 && ends[1] == 0 && ends[2] == 0, "underflow to 0: \(ends)")
        #expect(ends[3] == 1 && abs(ends[4] - Float(M_E)) <= Float(M_E).ulp, "exp(0), exp(1): \(ends)")
        #expect(ends[5].isFinite && ends[6].isFinite && ends[7].isNaN, "saturation and NaN: \(ends)")
    }

    @Test func siluMatchesTheScalarFormulaOnOddLengths() throws {
        for n in [1, 7, 9, 37] {
            let x = randn([n], seed: UInt64(60 + n), scale: 4).trackingGradient()
            let y = x.silu()
            let gy = randn([n], seed: UInt64(80 + n))
            y.backward(seed: gy)
            let xs = x.scalars.map(Double.init)
            let ref = xs.map { $0 / (1 + Foundation.exp(-$0)) }
            let dref = zip(xs, gy.scalars).map { v, g -> Double in
                let s = 1 / (1 + Foundation.exp(-v))
                return Double(g) * s * (1 + v * (1 - s))
            }
            expectClose(y, Tensor(shape: [n], scalars: ref.map(Float.init)), rtol: 1e-6, atol: 1e-6, "silu \(n)")
            expectClose(try #require(x.grad), Tensor(shape: [n], scalars: dref.map(Float.init)), rtol: 1e-5, atol: 1e-6, "silu' \(n)")
        }
    }

    /// Group norm (and its fused SiLU) in Double, straight from the definition.
    func referenceGroupNorm(_ x: Tensor, groups: Int, gamma: [Float], beta: [Float], silu: Bool) -> [Float] {
        let n = x.shape[0], c = x.shape[1], s = x.count / (n * c), per = c / groups
        var out = [Float](repeating: 0, count: x.count)
        for b in 0..<n { for g in 0..<groups {
            let base = (b * c + g * per) * s, size = per * s
            let vals = (0..<size).map { Double(x.scalars[base + $0]) }
            let mu = vals.reduce(0, +) / Double(size)
            let v = vals.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(size)
            for i in 0..<size {
                let ch = g * per + i / s
                let h = (vals[i] - mu) / (v + 1e-5).squareRoot() * Double(gamma[ch]) + Double(beta[ch])
                out[base + i] = Float(silu ? h / (1 + Foundation.exp(-h)) : h)
            }
        } }
        return out
    }

    @Test func groupNormAndFusedSiLUMatchTheDefinitionOnOddShapes() {
        // batch 1 and 3, non-square planes, spatial sizes that leave tails of 1-7 lanes
        for (shape, groups) in [([1, 6, 3, 5], 3), ([3, 4, 7, 2], 2), ([2, 8, 1, 1], 4), ([1, 2, 9, 9], 1)] {
            let c = shape[1]
            let x = randn(shape, seed: 70, scale: 3).adding(1.5)
            let gamma = randn([c], seed: 71).scalars, beta = randn([c], seed: 72).scalars
            let (w, b) = (Tensor(shape: [c], scalars: gamma), Tensor(shape: [c], scalars: beta))
            for silu in [false, true] {
                let y = silu ? Tensor.groupNormSiLU(x, groups: groups, weight: w, bias: b)
                    : Tensor.groupNorm(x, groups: groups, weight: w, bias: b)
                let ref = referenceGroupNorm(x, groups: groups, gamma: gamma, beta: beta, silu: silu)
                expectClose(y, Tensor(shape: shape, scalars: ref), rtol: 1e-5, atol: 2e-6, "groupNorm \(shape) silu \(silu)")
            }
        }
    }

    @Test func fusedGroupNormSiLUGradientsMatchFiniteDifferencesAndTheUnfusedOps() throws {
        let x = randn([2, 4, 3, 5], seed: 73), w = randn([4], seed: 74), b = randn([4], seed: 75)
        checkGradients([x, w, b], "groupNormSiLU") { Tensor.groupNormSiLU($0[0], groups: 2, weight: $0[1], bias: $0[2]) }
        checkGradients([x], "groupNormSiLU no affine") { Tensor.groupNormSiLU($0[0], groups: 4, weight: nil, bias: nil) }
        // same gradients as groupNorm followed by silu
        let gy = randn([2, 4, 3, 5], seed: 76)
        let (x1, w1, b1) = (x.trackingGradient(), w.trackingGradient(), b.trackingGradient())
        Tensor.groupNormSiLU(x1, groups: 2, weight: w1, bias: b1).backward(seed: gy)
        let (x2, w2, b2) = (x.trackingGradient(), w.trackingGradient(), b.trackingGradient())
        Tensor.groupNorm(x2, groups: 2, weight: w2, bias: b2).silu().backward(seed: gy)
        expectClose(try #require(x1.grad), try #require(x2.grad), rtol: 1e-5, atol: 1e-6, "dx fused vs unfused")
        expectClose(try #require(w1.grad), try #require(w2.grad), rtol: 1e-5, atol: 1e-6, "dγ fused vs unfused")
        expectClose(try #require(b1.grad), try #require(b2.grad), rtol: 1e-5, atol: 1e-6, "dβ fused vs unfused")
    }

    @Test func groupNormLayerSiLUIsTheFusedOp() {
        let norm = GroupNorm(groups: 2, channels: 4)
        let x = randn([1, 4, 3, 3], seed: 77)
        expectClose(norm.silu(x), norm(x).silu(), rtol: 1e-6, atol: 1e-6, "GroupNorm.silu")
    }

    /// `col` of one image by the definition.
    func referenceIm2col(_ g: ConvGeometry, _ x: [Float]) -> [Float] {
        var col = [Float](repeating: 0, count: g.rows * g.columns)
        for ch in 0..<g.c { for ki in 0..<g.kh { for kj in 0..<g.kw { for oy in 0..<g.ho { for ox in 0..<g.wo {
            let iy = oy * g.stride - g.padding + ki, ix = ox * g.stride - g.padding + kj
            guard iy >= 0, iy < g.h, ix >= 0, ix < g.w else { continue }
            col[((ch * g.kh + ki) * g.kw + kj) * g.columns + oy * g.wo + ox] = x[(ch * g.h + iy) * g.w + ix]
        } } } } }
        return col
    }

    @Test func im2colMatchesTheDefinitionForSameSizeAndOtherGeometries() {
        // (c, h, w, k, stride, padding): same-size shifted copies (3x3 pad 1, 5x5 pad 2, 1-pixel and
        // 1-wide planes, a plane narrower than the kernel), and the general path (stride 2, valid)
        let cases = [(3, 5, 7, 3, 1, 1), (2, 1, 1, 3, 1, 1), (2, 4, 1, 3, 1, 1), (1, 6, 6, 5, 1, 2), (2, 2, 3, 5, 1, 2),
                     (3, 7, 5, 3, 2, 1), (2, 6, 5, 3, 1, 0), (1, 5, 5, 2, 1, 1)]
        for (c, h, w, k, stride, padding) in cases {
            let ho = (h + 2 * padding - k) / stride + 1, wo = (w + 2 * padding - k) / stride + 1
            let g = ConvGeometry(c: c, h: h, w: w, kh: k, kw: k, stride: stride, padding: padding, ho: ho, wo: wo)
            let x = randn([c, h, w], seed: 78).scalars
            // a dirty buffer: im2col must write every element
            var col = [Float](repeating: .nan, count: g.rows * g.columns)
            x.withUnsafeBufferPointer { px in col.withUnsafeMutableBufferPointer { g.im2col(px.baseAddress!, $0.baseAddress!) } }
            #expect(col == referenceIm2col(g, x), "im2col c\(c) \(h)x\(w) k\(k) s\(stride) p\(padding)")
        }
    }

    @Test func convolutionOnBatchOneNonSquareMatchesDirectLoops() throws {
        let (c, h, w, o) = (3, 5, 9, 4)
        let x = randn([1, c, h, w], seed: 79).trackingGradient(), wt = randn([o, c, 3, 3], seed: 80).trackingGradient()
        let bias = randn([o], seed: 81).trackingGradient()
        let y = Tensor.conv2d(x, weight: wt, bias: bias, stride: 1, padding: 1)
        let gy = randn(y.shape, seed: 82)
        y.backward(seed: gy)
        var ref = [Double](repeating: 0, count: y.count), dx = [Double](repeating: 0, count: x.count)
        var dw = [Double](repeating: 0, count: wt.count), db = [Double](repeating: 0, count: o)
        for oc in 0..<o { for i in 0..<h { for j in 0..<w {
            let yi = (oc * h + i) * w + j
            ref[yi] += Double(bias.scalars[oc]); db[oc] += Double(gy.scalars[yi])
            for ic in 0..<c { for ki in 0..<3 { for kj in 0..<3 {
                let ii = i + ki - 1, jj = j + kj - 1
                guard ii >= 0, ii < h, jj >= 0, jj < w else { continue }
                let xi = (ic * h + ii) * w + jj, wi = ((oc * c + ic) * 3 + ki) * 3 + kj
                ref[yi] += Double(x.scalars[xi]) * Double(wt.scalars[wi])
                dx[xi] += Double(gy.scalars[yi]) * Double(wt.scalars[wi])
                dw[wi] += Double(gy.scalars[yi]) * Double(x.scalars[xi])
            } } }
        } } }
        expectClose(y, Tensor(shape: y.shape, scalars: ref.map(Float.init)), rtol: 1e-4, atol: 1e-4, "forward")
        expectClose(try #require(x.grad), Tensor(shape: x.shape, scalars: dx.map(Float.init)), rtol: 1e-4, atol: 1e-4, "dx")
        expectClose(try #require(wt.grad), Tensor(shape: wt.shape, scalars: dw.map(Float.init)), rtol: 1e-4, atol: 1e-4, "dw")
        expectClose(try #require(bias.grad), Tensor(shape: [o], scalars: db.map(Float.init)), rtol: 1e-4, atol: 1e-4, "db")
    }

    @Test func scratchPoolReusesAndBoundsItsBuffers() {
        let pool = ScratchPool(keep: 2)
        let a = pool.take(100)
        pool.give(a)
        let b = pool.take(50)
        #expect(b.pointer == a.pointer && b.capacity == 100, "a free buffer big enough is reused")
        let c = pool.take(200)
        #expect(c.pointer != b.pointer, "a buffer in use is not handed out twice")
        let d = pool.take(10)
        pool.give(b); pool.give(c); pool.give(d)  // three returned, two kept: the smallest (d) is freed
        let e = pool.take(10), f = pool.take(10)
        #expect(Set([e.pointer, f.pointer]) == Set([b.pointer, c.pointer]), "the two larger buffers were kept")
        pool.give(e); pool.give(f)
    }

    @Test func softmaxRowsMatchTheDefinitionOnOddLengths() throws {
        for n in [1, 5, 8, 13] {
            let x = randn([3, n], seed: UInt64(90 + n), scale: 5).trackingGradient()
            let y = x.softmax()
            let gy = randn([3, n], seed: 91)
            y.backward(seed: gy)
            var ref = [Float](), dref = [Float]()
            for r in 0..<3 {
                let row = (0..<n).map { Double(x.scalars[r * n + $0]) }, m = row.max()!
                let e = row.map { Foundation.exp($0 - m) }, s = e.reduce(0, +)
                let p = e.map { $0 / s }, g = (0..<n).map { Double(gy.scalars[r * n + $0]) }
                let dot = zip(p, g).map { $0 * $1 }.reduce(0, +)
                ref += p.map(Float.init); dref += zip(p, g).map { Float($0 * ($1 - dot)) }
            }
            expectClose(y, Tensor(shape: [3, n], scalars: ref), rtol: 1e-5, atol: 1e-7, "softmax \(n)")
            expectClose(try #require(x.grad), Tensor(shape: [3, n], scalars: dref), rtol: 1e-4, atol: 1e-6, "softmax' \(n)")
        }
    }

    @Test func attentionOnOddTokenCountsMatchesDirectLoops() throws {
        // 13 query and 11 key tokens (tails of 5 and 3 lanes), 2 heads of 3 channels, batch 1
        let (tq, tk, heads, d) = (13, 11, 2, 3), c = heads * d
        let q = randn([1, tq, c], seed: 92).trackingGradient(), k = randn([1, tk, c], seed: 93).trackingGradient()
        let v = randn([1, tk, c], seed: 94).trackingGradient()
        let y = Tensor.attention(query: q, key: k, value: v, heads: heads)
        var ref = [Float](repeating: 0, count: tq * c)
        let (qs, ks, vs) = (q.scalars.map(Double.init), k.scalars.map(Double.init), v.scalars.map(Double.init))
        let scale = 1 / Double(d).squareRoot()
        for h in 0..<heads { for i in 0..<tq {
            var scores = [Double](repeating: 0, count: tk)
            for j in 0..<tk { for ch in 0..<d { scores[j] += qs[i * c + h * d + ch] * ks[j * c + h * d + ch] * scale } }
            let m = scores.max()!
            let e = scores.map { Foundation.exp($0 - m) }
            let s = e.reduce(0, +)
            for ch in 0..<d {
                var acc: Double = 0
                for j in 0..<tk { acc += e[j] / s * vs[j * c + h * d + ch] }
                ref[i * c + h * d + ch] = Float(acc)
            }
        } }
        expectClose(y, Tensor(shape: [1, tq, c], scalars: ref), rtol: 1e-5, atol: 1e-6, "attention forward")
        checkGradients([q, k, v].map(\.detached), "attention, odd token counts") {
            Tensor.attention(query: $0[0], key: $0[1], value: $0[2], heads: heads)
        }
    }

    @Test func adamWLanesGiveTheScalarFormulasBits() {
        // 21 elements: two full blocks of eight and a tail of five
        let n = 21
        var w = randn([n], seed: 95).scalars, m = randn([n], seed: 96, scale: 0.1).scalars
        var v = randn([n], seed: 97, scale: 0.1).scalars.map { $0 * $0 }
        let g = randn([n], seed: 98).scalars
        let (decay, b1, b2, step, bc2, eps): (Float, Float, Float, Float, Float, Float) = (0.999, 0.9, 0.999, 0.01, 0.3, 1e-8)
        var (ws, ms, vs) = (w, m, v)
        for i in 0..<n {
            ws[i] *= decay
            ms[i] = b1 * ms[i] + (1 - b1) * g[i]
            vs[i] = b2 * vs[i] + (1 - b2) * g[i] * g[i]
            ws[i] -= step * ms[i] / (vs[i].squareRoot() / bc2 + eps)
        }
        g.withUnsafeBufferPointer { gp in
            AdamW.update(w: &w, m: &m, v: &v, g: gp.baseAddress!, count: n, decay: decay, b1: b1, b2: b2,
                         stepSize: step, bc2sqrt: bc2, eps: eps)
        }
        #expect(w == ws && m == ms && v == vs, "vectorised AdamW differs from the scalar update")
    }

    @Test func sameShapeAddPassesTheGradientToBoth() throws {
        let a = randn([2, 3, 5], seed: 99).trackingGradient(), b = randn([2, 3, 5], seed: 100).trackingGradient()
        let y = a + b
        #expect(y.scalars == zip(a.scalars, b.scalars).map { $0 + $1 })
        let gy = randn([2, 3, 5], seed: 101)
        (y * Tensor.ones([2, 3, 5])).backward(seed: gy)
        #expect(try #require(a.grad).scalars == gy.scalars && (try #require(b.grad)).scalars == gy.scalars)
    }
}
