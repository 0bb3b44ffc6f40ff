import Foundation

extension Tensor {
    /// CLIP's "quick GELU", `x · σ(1.702 x)`; derivative `σ(ax) + a x σ(ax)(1 - σ(ax))`.
    public func quickGELU() -> Tensor {
        unary({ x in x / (1 + Foundation.exp(-1.702 * x)) }, saves: .input, derivative: { x, _ in
            let s = 1 / (1 + Foundation.exp(-1.702 * x))
            return s + 1.702 * x * s * (1 - s)
        })
    }

    /// Each element clamped to `low...high` (PyTorch `clamp`); the gradient passes inside the range only.
    public func clamped(_ low: Float, _ high: Float) -> Tensor {
        unary({ Swift.min(Swift.max($0, low), high) }, saves: .input, derivative: { x, _ in x >= low && x <= high ? 1 : 0 })
    }

    /// GEGLU's gate, diffusers' `GEGLU` after its projection: the last dimension `[..., 2n]` splits into
    /// `h = x[..., :n]` and `g = x[..., n:]`, and `y = h · gelu(g)` (exact erf GELU) `[..., n]`.
    public func geglu() -> Tensor {
        let w = shape.last ?? 0
        precondition(w % 2 == 0, "geglu: last dimension \(w) is odd")
        let n = w / 2, rows = count / Swift.max(w, 1), xs = scalars
        var outShape = shape
        outShape[outShape.count - 1] = n
        let y = xs.withUnsafeBufferPointer { px in
            makeScalars(rows * n) { d in
                let dp = SendablePointer(d)
                parallelChunks(rows, costPerItem: n * 8) { r in
                    for row in r {
                        let src = px.baseAddress! + row * w, dst = dp.p + row * n
                        for j in 0..<n {
                            let g = src[n + j]
                            dst[j] = src[j] * 0.5 * g * (1 + Foundation.erf(g * 0.70710678118654752))
                        }
                    }
                }
            }
        }
        var out = Tensor(uncheckedShape: outShape, scalars: y)
        out.record([self], detail: "\(rows)x\(n)") { gy, _ in
            [xs.withUnsafeBufferPointer { px in gy.withUnsafeBufferPointer { pg in
                makeScalars(rows * w) { d in
                    let dp = SendablePointer(d)
                    parallelChunks(rows, costPerItem: n * 12) { r in
                        for row in r {
                            let src = px.baseAddress! + row * w, dst = dp.p + row * w, g0 = pg.baseAddress! + row * n
                            for j in 0..<n {
                                let h = src[j], g = src[n + j]
                                let cdf = 0.5 * (1 + Foundation.erf(g * 0.70710678118654752))
                                let pdf = Foundation.exp(-0.5 * g * g) * 0.3989422804014327
                                dst[j] = g0[j] * g * cdf
                                dst[n + j] = g0[j] * h * (cdf + g * pdf)
                            }
                        }
                    }
                }
            } }]
        }
        return out
    }
}
