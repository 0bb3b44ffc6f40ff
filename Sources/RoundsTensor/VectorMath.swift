// Vectorised elementwise kernels over raw float buffers, eight lanes at a time.
//
// The scalar loops they replace called `expf` once or twice per element through closures (the
// UNet's SiLUs alone took ~8% of a training step). Every element, tails included, goes through the
// same eight-lane formula, so a result never depends on where an element sits in its buffer.

typealias Float8 = SIMD8<Float>

extension UnsafePointer where Pointee == Float {
    @inline(__always) func load8(_ i: Int) -> Float8 { UnsafeRawPointer(self + i).loadUnaligned(as: Float8.self) }
}

extension UnsafeMutablePointer where Pointee == Float {
    @inline(__always) func load8(_ i: Int) -> Float8 { UnsafeRawPointer(self + i).loadUnaligned(as: Float8.self) }
    @inline(__always) func store8(_ v: Float8, _ i: Int) {
        UnsafeMutableRawPointer(self + i).storeBytes(of: v, as: Float8.self)
    }
}

/// The first `count` (< 8) elements at `p`, zero-padded.
@inline(__always)
func loadPartial(_ p: UnsafePointer<Float>, _ count: Int) -> Float8 {
    var v = Float8()
    for j in 0..<count { v[j] = p[j] }
    return v
}

/// Stores the first `count` (< 8) lanes of `v` at `p`.
@inline(__always)
func storePartial(_ v: Float8, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
    for j in 0..<count { p[j] = v[j] }
}

/// `eˣ` per lane (Cephes' `expf`: `x = n·ln2 + r`, a degree-6 polynomial in `r`, then `2ⁿ` from
/// the exponent bits), within 2 ulp of `expf` over the float range. Inputs below -87.3 give 0,
/// above 88 saturate at e⁸⁸ (1.65e38); NaN stays NaN.
@inline(__always)
func exp8(_ x: Float8) -> Float8 {
    // clamp by masks (the generic `clamped` is not inlined); NaN lanes compare false and stay NaN
    var clamped = x
    clamped.replace(with: -87.33, where: x .< -87.33)
    clamped.replace(with: 88, where: x .> 88)
    // round(x / ln2) by the 1.5·2²³ trick: the sum's low mantissa bits hold the integer
    let magic: Float = 12_582_912
    let m = clamped * 1.442_695_04 + magic
    let n = m - magic
    let r = clamped - n * 0.693_359_375 + n * 2.121_944_4e-4
    var p: Float8 = Float8(repeating: 1.987_569_15e-4) * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 1.666_666_55e-1
    p = p * r + 5.000_000_12e-1
    p = p * (r * r) + r + 1
    let k = unsafeBitCast(m, to: SIMD8<Int32>.self) &- 0x4B40_0000
    let scale = unsafeBitCast((k &+ 127) &<< 23, to: Float8.self)
    var y = p * scale
    y.replace(with: 0, where: x .< -87.33)
    y.replace(with: x, where: x .!= x)
    return y
}

/// SiLU `x·σ(x) = x / (1 + e⁻ˣ)` per lane.
@inline(__always)
func silu8(_ x: Float8) -> Float8 { x / (1 + exp8(-x)) }

/// SiLU's derivative times `g`: `g · σ(x)·(1 + x·(1 - σ(x)))`.
@inline(__always)
func siluBackward8(_ x: Float8, _ g: Float8) -> Float8 {
    let s = 1 / (1 + exp8(-x))
    return g * s * (1 + x * (1 - s))
}

/// Applies `f` to `count` elements of `src`, writing `dst` (which may be `src`).
@inline(__always)
func map8(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ count: Int, _ f: (Float8) -> Float8) {
    var i = 0
    while i + 8 <= count { dst.store8(f(src.load8(i)), i); i += 8 }
    if i < count { storePartial(f(loadPartial(src + i, count - i)), dst + i, count - i) }
}

/// `dst[i] = f(a[i], b[i])` over `count` elements.
@inline(__always)
func zip8(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ count: Int,
          _ f: (Float8, Float8) -> Float8) {
    var i = 0
    while i + 8 <= count { dst.store8(f(a.load8(i), b.load8(i)), i); i += 8 }
    if i < count { storePartial(f(loadPartial(a + i, count - i), loadPartial(b + i, count - i)), dst + i, count - i) }
}

/// `Σ p[0..<count]` in eight float lanes, the lanes summed at the end.
@inline(__always)
func sum8(_ p: UnsafePointer<Float>, count: Int) -> Float {
    var acc = Float8(), i = 0
    while i + 8 <= count { acc += p.load8(i); i += 8 }
    if i < count { acc += loadPartial(p + i, count - i) }
    return acc.sum()
}

/// `(Σ p, Σ p·q)` over `count` elements.
@inline(__always)
func sumAndDot8(_ p: UnsafePointer<Float>, _ q: UnsafePointer<Float>, count: Int) -> (Float, Float) {
    var s = Float8(), d = Float8(), i = 0
    while i + 8 <= count { let a = p.load8(i); s += a; d += a * q.load8(i); i += 8 }
    if i < count { let a = loadPartial(p + i, count - i); s += a; d += a * loadPartial(q + i, count - i) }
    return (s.sum(), d.sum())
}
