import Foundation

/// Exponential moving average of weights (diffusers `EMAModel`): after optimizer step `t`,
/// `shadow ← shadow - (1 - decay_t)·(shadow - θ)` with
/// `decay_t = clamp(raw, minDecay, maxDecay)`, `s = t - updateAfterStep - 1`,
/// `raw = 0` for `s <= 0`, else `1 - (1 + s/invGamma)^-power` with warm-up or `(1 + s)/(10 + s)` without.
/// With `constantDecay` every step uses `maxDecay` (not in diffusers): the shadow starts as the initial
/// weights and leaves them slowly, which finetuning needs — diffusers' ramp makes the first steps'
/// shadow equal the raw weights (decay 0 at step 1, 0.55 at step 10).
public final class EMA {
    public var maxDecay: Float, minDecay: Float
    public var updateAfterStep: Int
    public var useWarmup: Bool
    public var constantDecay: Bool
    public var invGamma: Float, power: Float
    /// Shadow weights by parameter name.
    public internal(set) var shadow: [String: [Float]]
    /// Number of `update` calls so far (diffusers' `optimization_step`).
    public internal(set) var updates: Int = 0

    public init(parameters: [(name: String, parameter: Parameter)], maxDecay: Float = 0.9999, minDecay: Float = 0,
                updateAfterStep: Int = 0, useWarmup: Bool = false, invGamma: Float = 1, power: Float = 2.0 / 3.0,
                constantDecay: Bool = false) {
        self.constantDecay = constantDecay
        self.maxDecay = maxDecay
        self.minDecay = minDecay
        self.updateAfterStep = updateAfterStep
        self.useWarmup = useWarmup
        self.invGamma = invGamma
        self.power = power
        shadow = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.parameter.value.scalars) })
    }

    /// The decay used at optimization step `step`.
    public func decay(at step: Int) -> Float {
        if constantDecay { return maxDecay }
        let s = Float(Swift.max(0, step - updateAfterStep - 1))
        if s <= 0 { return 0 }
        let raw = useWarmup ? 1 - powf(1 + s / invGamma, -power) : (1 + s) / (10 + s)
        return Swift.max(Swift.min(raw, maxDecay), minDecay)
    }

    /// Moves the shadow towards the current weights.
    public func update(from parameters: [(name: String, parameter: Parameter)]) {
        updates += 1
        let oneMinus = 1 - decay(at: updates)
        for (name, p) in parameters {
            guard var s = shadow.removeValue(forKey: name) else { continue }
            let w = p.value.scalars
            for i in 0..<s.count { s[i] -= oneMinus * (s[i] - w[i]) }
            shadow[name] = s
        }
    }

    /// Copies the shadow weights into `parameters` (e.g. for sampling with EMA weights).
    public func copy(to parameters: [(name: String, parameter: Parameter)]) {
        for (name, p) in parameters {
            if let s = shadow[name] { var v = p.value; v.assign(s); p.value = v }
        }
    }
}
