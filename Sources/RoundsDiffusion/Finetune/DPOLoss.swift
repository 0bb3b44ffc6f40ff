import RoundsTensor

/// The Diffusion-DPO objective (Wallace et al. 2023, as diffusers' `train_diffusion_dpo.py` computes it).
///
/// With per-sample mean squared errors of the policy, `L(θ, x)`, and of the frozen reference, `L(ref, x)`,
/// for the winner `w` and loser `l` of each pair (same noise, same timestep):
///
///     inside = -β/2 · ((L(θ,x_w) − L(θ,x_l)) − (L(ref,x_w) − L(ref,x_l)))
///     loss   = mean over pairs of −log σ(inside)
///
/// With `sftWeight` λ > 0 the winners' own denoising loss is added, `loss + λ · mean L(θ,x_w)` (RPO,
/// Pang et al. 2024): plain DPO can raise the margin by making both images less likely, and on a small
/// set of pairs that drifts the whole model; the winner term anchors it to the winners.
///
/// `inside > 0` when the policy denoises the winner better, relative to the loser, than the reference
/// does; the share of such pairs is the implicit accuracy, and the mean of `inside` the margin.
public enum DPOLoss {
    public struct Value {
        /// The scalar loss (differentiable through the policy's errors).
        public var loss: Tensor
        /// `inside` per pair.
        public var inside: [Float]

        /// Share of pairs with `inside > 0`.
        public var implicitAccuracy: Float {
            inside.isEmpty ? 0 : Float(inside.filter { $0 > 0 }.count) / Float(inside.count)
        }

        /// Mean of `inside` over pairs.
        public var margin: Float { inside.isEmpty ? 0 : inside.reduce(0, +) / Float(inside.count) }
    }

    /// - Parameters:
    ///   - policyErrors: `[2P]`, winners first then losers (pair i is rows i and P+i).
    ///   - referenceErrors: the reference's errors in the same order (constants).
    ///   - beta: β > 0.
    ///   - sftWeight: λ ≥ 0, the weight of the winners' plain loss (0: Diffusion-DPO as published).
    public static func value(policyErrors: Tensor, referenceErrors: [Float], beta: Float, sftWeight: Float = 0) -> Value {
        let pairs = policyErrors.count / 2
        precondition(policyErrors.count == 2 * pairs && referenceErrors.count == policyErrors.count)
        let halves = policyErrors.split(sizes: [pairs, pairs], axis: 0)
        let modelDiff = halves[0] - halves[1]
        let refDiff = (0..<pairs).map { referenceErrors[$0] - referenceErrors[pairs + $0] }
        let inside = (modelDiff - Tensor(shape: [pairs], scalars: refDiff)).scaled(by: -beta / 2)
        var loss = inside.logSigmoid().mean().scaled(by: -1)
        if sftWeight > 0 { loss = loss + halves[0].mean().scaled(by: sftWeight) }
        return Value(loss: loss, inside: inside.scalars)
    }
}
