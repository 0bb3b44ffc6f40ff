import Foundation

/// AdamW with PyTorch's semantics (`torch.optim.AdamW`, `amsgrad=False`): for each parameter with a
/// gradient, `t += 1`, `θ ← θ·(1 - lr·λ)` (decoupled decay), `m ← β1·m + (1-β1)·g`,
/// `v ← β2·v + (1-β2)·g²`, `θ ← θ - (lr / (1-β1ᵗ)) · m / (√v / √(1-β2ᵗ) + ε)`.
/// A parameter without a gradient is skipped and keeps its own step count, as in PyTorch.
public final class AdamW {
    public struct Moments: Equatable, Sendable {
        public var m: [Float], v: [Float], step: Int
    }

    public let parameters: [(name: String, parameter: Parameter)]
    public var learningRate: Float
    public var beta1: Float, beta2: Float, eps: Float, weightDecay: Float
    /// Optimizer state by parameter name.
    public internal(set) var state: [String: Moments] = [:]

    public init(parameters: [(name: String, parameter: Parameter)], learningRate: Float = 1e-3,
                beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 1e-2) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
    }

    /// One update of every parameter that has a gradient.
    public func step() {
        let lr = learningRate, b1 = beta1, b2 = beta2, eps = eps, decay = 1 - learningRate * weightDecay
        for (name, p) in parameters {
            guard let g = p.leaf.grad else { continue }
            var s = state[name] ?? Moments(m: zeroScalars(g.count), v: zeroScalars(g.count), step: 0)
            state[name] = nil  // keep the arrays uniquely referenced while mutating
            s.step += 1
            let bc1 = 1 - Float(pow(Double(b1), Double(s.step)))
            let bc2sqrt = (1 - Float(pow(Double(b2), Double(s.step)))).squareRoot()
            let stepSize = lr / bc1
            var value = p.value
            value.withUnsafeMutableScalars { w in
                s.m.withUnsafeMutableBufferPointer { m in
                    s.v.withUnsafeMutableBufferPointer { v in
                        g.withUnsafeBufferPointer { gp in
                            Self.update(w: w.baseAddress!, m: m.baseAddress!, v: v.baseAddress!, g: gp.baseAddress!, count: g.count,
                                        decay: decay, b1: b1, b2: b2, stepSize: stepSize, bc2sqrt: bc2sqrt, eps: eps)
                        }
                    }
                }
            }
            p.value = value
            state[name] = s
        }
    }

    /// The update of one parameter, eight lanes at a time with the scalar formula's operations in
    /// the same order (so each element gets the same bits as a scalar loop would give it).
    static func update(w: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
                       g: UnsafePointer<Float>, count: Int, decay: Float, b1: Float, b2: Float, stepSize: Float,
                       bc2sqrt: Float, eps: Float) {
        func lanes(_ w: Float8, _ m: Float8, _ v: Float8, _ g: Float8) -> (Float8, Float8, Float8) {
            let m2 = b1 * m + (1 - b1) * g
            let v2 = b2 * v + (1 - b2) * g * g
            return (w * decay - stepSize * m2 / (v2.squareRoot() / bc2sqrt + eps), m2, v2)
        }
        var i = 0
        while i + 8 <= count {
            let (w2, m2, v2) = lanes(w.load8(i), m.load8(i), v.load8(i), g.load8(i))
            w.store8(w2, i); m.store8(m2, i); v.store8(v2, i)
            i += 8
        }
        let t = count - i
        if t > 0 {
            let (w2, m2, v2) = lanes(loadPartial(w + i, t), loadPartial(m + i, t), loadPartial(v + i, t), loadPartial(g + i, t))
            storePartial(w2, w + i, t); storePartial(m2, m + i, t); storePartial(v2, v + i, t)
        }
    }

    /// Clears every parameter's gradient.
    public func zeroGrad() { for (_, p) in parameters { p.zeroGrad() } }
}

/// Scales all gradients so their global L2 norm is at most `maxNorm` (PyTorch `clip_grad_norm_`:
/// factor `maxNorm / (norm + 1e-6)` when below 1). Returns the norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [(name: String, parameter: Parameter)], maxNorm: Float) -> Float {
    var sq: Double = 0
    for (_, p) in parameters {
        guard let g = p.leaf.grad else { continue }
        g.withUnsafeBufferPointer { b in
            var acc = SIMD8<Double>(), i = 0
            while i + 8 <= b.count { let d = SIMD8<Double>(b.baseAddress!.load8(i)); acc += d * d; i += 8 }
            sq += acc.sum()
            while i < b.count { sq += Double(b[i]) * Double(b[i]); i += 1 }
        }
    }
    let norm = Float(sq.squareRoot())
    let coef = maxNorm / (norm + 1e-6)
    if coef < 1 { for (_, p) in parameters { p.scaleGrad(by: coef) } }
    return norm
}

/// Linear warm-up then cosine decay (diffusers/transformers `get_cosine_schedule_with_warmup`,
/// `num_cycles = 0.5`): factor `step / warmup` while warming up, then
/// `max(0, ½·(1 + cos(π · 2·cycles · progress)))` with `progress = (step - warmup) / (total - warmup)`.
public struct WarmupCosineSchedule: Sendable, Hashable {
    public var baseLearningRate: Float
    public var warmupSteps: Int
    public var totalSteps: Int
    public var cycles: Double

    public init(baseLearningRate: Float, warmupSteps: Int, totalSteps: Int, cycles: Double = 0.5) {
        self.baseLearningRate = baseLearningRate
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.cycles = cycles
    }

    /// The learning rate for optimizer step `step` (0-based, as the LambdaLR sees it).
    public func learningRate(at step: Int) -> Float {
        if step < warmupSteps { return baseLearningRate * Float(step) / Float(Swift.max(1, warmupSteps)) }
        let progress = Double(step - warmupSteps) / Double(Swift.max(1, totalSteps - warmupSteps))
        return baseLearningRate * Float(Swift.max(0, 0.5 * (1 + cos(Double.pi * cycles * 2 * progress))))
    }
}
