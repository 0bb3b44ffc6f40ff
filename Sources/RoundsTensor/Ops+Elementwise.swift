import Foundation

// Elementwise ops: broadcasting arithmetic and pointwise activations.

/// Applies `f` to every element in parallel chunks.
@inline(__always)
func mapScalars(_ x: [Float], _ f: (Float) -> Float) -> [Float] {
    x.withUnsafeBufferPointer { src in
        makeScalars(x.count) { dst in
            let d = SendablePointer(dst)
            parallelChunks(x.count, costPerItem: 4) { r in
                for i in r { d.p[i] = f(src[i]) }
            }
        }
    }
}

/// Combines two equal-length arrays elementwise, in parallel chunks.
@inline(__always)
func zipScalars(_ a: [Float], _ b: [Float], _ f: (Float, Float) -> Float) -> [Float] {
    precondition(a.count == b.count, "zip of \(a.count) and \(b.count) elements")
    return a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            makeScalars(a.count) { dst in
                let d = SendablePointer(dst)
                parallelChunks(a.count, costPerItem: 2) { r in
                    for i in r { d.p[i] = f(pa[i], pb[i]) }
                }
            }
        }
    }
}

extension Tensor {
    /// Broadcasting binary op with gradient rules `da = ga(gy, a, b)`, `db = gb(gy, a, b)` elementwise.
    /// `linear` marks ops whose gradients do not depend on the operands (add, sub): their backward
    /// only sums `gy` (times ±1) down to each input's shape.
    static func broadcasting(_ a: Tensor, _ b: Tensor, linear: Bool = false,
                             _ f: @escaping (Float, Float) -> Float,
                             da: @escaping (Float, Float, Float) -> Float,
                             db: @escaping (Float, Float, Float) -> Float) -> Tensor {
        let outShape = Broadcast.shape(a.shape, b.shape)
        let ax = a.scalars, bx = b.scalars, aShape = a.shape, bShape = b.shape
        var out: Tensor
        if linear {
            // add/sub: the backward only sums ±gy, so the tape keeps shapes, not operands.
            let sa = da(1, 0, 0), sb = db(1, 0, 0)
            let y: [Float]
            if aShape == bShape { y = zipScalars(ax, bx, f) }
            else if aShape == outShape, let runs = BroadcastRuns(operand: bShape, output: outShape) { y = runs.apply(ax, bx, f) }
            else if bShape == outShape, let runs = BroadcastRuns(operand: aShape, output: outShape) {
                y = runs.apply(bx, ax) { v, u in f(u, v) }
            } else {
                let stA = Broadcast.strides(of: aShape, in: outShape), stB = Broadcast.strides(of: bShape, in: outShape)
                y = ax.withUnsafeBufferPointer { pa in
                    bx.withUnsafeBufferPointer { pb in
                        makeScalars(outShape.elementCount) { dst in
                            Broadcast.forEach(target: outShape, aStrides: stA, bStrides: stB) { o, i, j in dst[o] = f(pa[i], pb[j]) }
                        }
                    }
                }
            }
            out = Tensor(uncheckedShape: outShape, scalars: y)
            out.record([a, b]) { gy, needs in
                func reduced(_ s: Float, to shape: [Int]) -> [Float] {
                    let g = s == 1 ? gy : gy.map { $0 * s }
                    if shape == outShape { return g }
                    if let runs = BroadcastRuns(operand: shape, output: outShape) { return runs.reduce { o, _ in g[o] } }
                    return Broadcast.reduce(g, from: outShape, to: shape)
                }
                return [needs[0] ? reduced(sa, to: aShape) : nil, needs[1] ? reduced(sb, to: bShape) : nil]
            }
            return out
        }
        if a.shape == b.shape {
            out = Tensor(uncheckedShape: outShape, scalars: zipScalars(ax, bx, f))
            out.record([a, b]) { gy, needs in
                [needs[0] ? (0..<gy.count).map { da(gy[$0], ax[$0], bx[$0]) } : nil,
                 needs[1] ? (0..<gy.count).map { db(gy[$0], ax[$0], bx[$0]) } : nil]
            }
            return out
        }
        // One operand full-size, the other per run: no expansion needed.
        if aShape == outShape, let runs = BroadcastRuns(operand: bShape, output: outShape) {
            out = Tensor(uncheckedShape: outShape, scalars: runs.apply(ax, bx, f))
            out.record([a, b]) { gy, needs in
                [needs[0] ? (0..<gy.count).map { o in da(gy[o], ax[o], bx[(o / runs.inner) % runs.period]) } : nil,
                 needs[1] ? runs.reduce { o, p in db(gy[o], ax[o], bx[p]) } : nil]
            }
            return out
        }
        if bShape == outShape, let runs = BroadcastRuns(operand: aShape, output: outShape) {
            out = Tensor(uncheckedShape: outShape, scalars: runs.apply(bx, ax) { y, x in f(x, y) })
            out.record([a, b]) { gy, needs in
                [needs[0] ? runs.reduce { o, p in da(gy[o], ax[p], bx[o]) } : nil,
                 needs[1] ? (0..<gy.count).map { o in db(gy[o], ax[(o / runs.inner) % runs.period], bx[o]) } : nil]
            }
            return out
        }
        let sa = Broadcast.strides(of: a.shape, in: outShape), sb = Broadcast.strides(of: b.shape, in: outShape)
        let y = ax.withUnsafeBufferPointer { pa in
            bx.withUnsafeBufferPointer { pb in
                makeScalars(outShape.elementCount) { dst in
                    Broadcast.forEach(target: outShape, aStrides: sa, bStrides: sb) { o, i, j in dst[o] = f(pa[i], pb[j]) }
                }
            }
        }
        out = Tensor(uncheckedShape: outShape, scalars: y)
        out.record([a, b]) { gy, needs in
            let ae = Broadcast.expand(ax, from: aShape, to: outShape)
            let be = Broadcast.expand(bx, from: bShape, to: outShape)
            var ga: [Float]? = nil, gb: [Float]? = nil
            if needs[0] {
                let full = makeScalars(gy.count) { d in for i in 0..<gy.count { d[i] = da(gy[i], ae[i], be[i]) } }
                ga = Broadcast.reduce(full, from: outShape, to: aShape)
            }
            if needs[1] {
                let full = makeScalars(gy.count) { d in for i in 0..<gy.count { d[i] = db(gy[i], ae[i], be[i]) } }
                gb = Broadcast.reduce(full, from: outShape, to: bShape)
            }
            return [ga, gb]
        }
        return out
    }

    /// `a + b` with broadcasting (equal shapes, the residual connections, eight lanes at a time).
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        guard a.shape == b.shape else { return broadcasting(a, b, linear: true, +, da: { g, _, _ in g }, db: { g, _, _ in g }) }
        let y = a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                makeScalars(a.count) { d in
                    let dp = SendablePointer(d)
                    parallelChunks(a.count, costPerItem: 2) { r in
                        zip8(pa.baseAddress! + r.lowerBound, pb.baseAddress! + r.lowerBound, dp.p + r.lowerBound, r.count, +)
                    }
                }
            }
        }
        var out = Tensor(uncheckedShape: a.shape, scalars: y)
        out.record([a, b]) { gy, needs in [needs[0] ? gy : nil, needs[1] ? gy : nil] }
        return out
    }

    /// `a - b` with broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        broadcasting(a, b, linear: true, -, da: { g, _, _ in g }, db: { g, _, _ in -g })
    }

    /// `a * b` elementwise with broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        broadcasting(a, b, *, da: { g, _, y in g * y }, db: { g, x, _ in g * x })
    }

    /// What a pointwise op's backward reads: keeping only that alive on the tape is what bounds a
    /// training step's memory (a constant derivative keeps neither array).
    enum UnarySaved { case input, output, neither }

    /// Pointwise op `y = f(x)` whose derivative is given from `x` and `y`; `saves` says which of the
    /// two the derivative reads (the other is passed as 0).
    func unary(_ f: @escaping (Float) -> Float, saves: UnarySaved,
               derivative: @escaping (Float, Float) -> Float) -> Tensor {
        var out = Tensor(uncheckedShape: shape, scalars: mapScalars(scalars, f))
        let kept: [Float]
        switch saves {
        case .input: kept = scalars
        case .output: kept = out.scalars
        case .neither: kept = []
        }
        out.record([self]) { gy, _ in
            let g = gy.withUnsafeBufferPointer { pg in
                kept.withUnsafeBufferPointer { pk in
                    makeScalars(gy.count) { d in
                        let dp = SendablePointer(d)
                        parallelChunks(gy.count, costPerItem: 4) { r in
                            switch saves {
                            case .input: for i in r { dp.p[i] = pg[i] * derivative(pk[i], 0) }
                            case .output: for i in r { dp.p[i] = pg[i] * derivative(0, pk[i]) }
                            case .neither: for i in r { dp.p[i] = pg[i] * derivative(0, 0) }
                            }
                        }
                    }
                }
            }
            return [g]
        }
        return out
    }

    /// `s * x`.
    public func scaled(by s: Float) -> Tensor { unary({ $0 * s }, saves: .neither, derivative: { _, _ in s }) }

    /// `x + c` for a constant `c`.
    public func adding(_ c: Float) -> Tensor { unary({ $0 + c }, saves: .neither, derivative: { _, _ in 1 }) }

    /// `-x`.
    public static prefix func - (x: Tensor) -> Tensor { x.scaled(by: -1) }

    /// `x * x`.
    public func squared() -> Tensor { unary({ $0 * $0 }, saves: .input, derivative: { x, _ in 2 * x }) }

    /// SiLU (swish): `x * sigmoid(x)`, eight lanes at a time (`silu8`); keeps its input for backward.
    public func silu() -> Tensor {
        let xs = scalars, n = count
        var out = Tensor(uncheckedShape: shape, scalars: Self.map8Parallel(xs, silu8))
        out.record([self]) { gy, _ in
            [gy.withUnsafeBufferPointer { pg in
                xs.withUnsafeBufferPointer { px in
                    makeScalars(n) { d in
                        let dp = SendablePointer(d)
                        parallelChunks(n, costPerItem: 16) { r in
                            zip8(px.baseAddress! + r.lowerBound, pg.baseAddress! + r.lowerBound, dp.p + r.lowerBound, r.count, siluBackward8)
                        }
                    }
                }
            }]
        }
        return out
    }

    /// `f` over every element, eight lanes at a time, in parallel chunks.
    static func map8Parallel(_ x: [Float], _ f: (Float8) -> Float8) -> [Float] {
        x.withUnsafeBufferPointer { src in
            makeScalars(x.count) { dst in
                let d = SendablePointer(dst)
                parallelChunks(x.count, costPerItem: 16) { r in
                    map8(src.baseAddress! + r.lowerBound, d.p + r.lowerBound, r.count, f)
                }
            }
        }
    }

    /// GELU, exact (erf) form as PyTorch's default: `x * Φ(x) = x/2 * (1 + erf(x/√2))`;
    /// `tanhApproximation` gives PyTorch's `approximate="tanh"`.
    public func gelu(tanhApproximation: Bool = false) -> Tensor {
        if tanhApproximation {
            let k: Float = (2 / Float.pi).squareRoot()
            return unary({ x in 0.5 * x * (1 + Foundation.tanh(k * (x + 0.044715 * x * x * x))) }, saves: .input, derivative: { x, _ in
                let u = k * (x + 0.044715 * x * x * x)
                let t = Foundation.tanh(u)
                return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)
            })
        }
        return unary({ x in 0.5 * x * (1 + Foundation.erf(x * 0.70710678118654752)) }, saves: .input, derivative: { x, _ in
            let cdf = 0.5 * (1 + Foundation.erf(x * 0.70710678118654752))
            let pdf = Foundation.exp(-0.5 * x * x) * 0.3989422804014327
            return cdf + x * pdf
        })
    }

    /// Numerically stable `log σ(x) = min(x, 0) - log1p(exp(-|x|))`; derivative `σ(-x)`.
    public func logSigmoid() -> Tensor {
        unary({ x in Swift.min(x, 0) - Foundation.log1p(Foundation.exp(-Swift.abs(x))) }, saves: .input, derivative: { x, _ in
            1 / (1 + Foundation.exp(x))
        })
    }

    /// Sigmoid `1 / (1 + exp(-x))`.
    public func sigmoid() -> Tensor {
        unary({ 1 / (1 + Foundation.exp(-$0)) }, saves: .output, derivative: { _, y in y * (1 - y) })
    }

    /// Elementwise exponential.
    public func exp() -> Tensor { unary({ Foundation.exp($0) }, saves: .output, derivative: { _, y in y }) }

    /// Inverted dropout: zeroes each element with probability `p` and scales the rest by `1/(1-p)`;
    /// the identity when `training` is false or `p == 0`. Draws one uniform per element from `rng`.
    public func dropout(_ p: Float, training: Bool, using rng: inout PCG32) -> Tensor {
        precondition(p >= 0 && p < 1, "dropout probability \(p) outside [0, 1)")
        guard training, p > 0 else { return self }
        let keep = 1 / (1 - p)
        var mask = [Float](repeating: 0, count: count)
        for i in 0..<count { mask[i] = rng.nextUniform() < p ? 0 : keep }
        let m = mask
        var out = Tensor(uncheckedShape: shape, scalars: zipScalars(scalars, m, *))
        out.record([self]) { gy, _ in [zipScalars(gy, m, *)] }
        return out
    }
}
