import RoundsTensor

/// The Diffusion-DPO objective (Wallace et al. 2023, as diffusers' `train_diffusion_dpo.py` computes it).
///
/// With per-sample mean squared errors of the policy, `L(θ, x)`, and of the frozen reference, `L(ref, x)`,
/// for the winner `w` and loser `l` of each pair (same noise, same timestep):
///
///     inside = -β/2 · ((L(θ,x_w) − L(θ,x_l)) − (L(ref,x_w) − L(ref,x_l)))
///     loss   = mean over pairs of −log σ(inside)
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
    public static func value(policyErrors: Tensor, referenceErrors: [Float], beta: Float) -> Value {
        let pairs = policyErrors.count / 2
        precondition(policyErrors.count == 2 * pairs && referenceErrors.count == policyErrors.count)
        let halves = policyErrors.split(sizes: [pairs, pairs], axis: 0)
        let modelDiff = halves[0] - halves[1]
        let refDiff = (0..<pairs).map { referenceErrors[$0] - referenceErrors[pairs + $0] }
        let inside = (modelDiff - Tensor(shape: [pairs], scalars: refDiff)).scaled(by: -beta / 2)
        let loss = inside.logSigmoid().mean().scaled(by: -1)
        return Value(loss: loss, inside: inside.scalars)
    }
}
