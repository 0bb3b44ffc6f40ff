/// A low-rank adapter of a linear layer (Hu et al. 2021, as peft's `LoraLayer` computes it):
/// `y = W·x + b + (α/r) · B·(A·x)` with `A = down [r, in]` and `B = up [out, r]`.
///
/// Initialised as peft does by default: `A` with PyTorch's `kaiming_uniform_(a=√5)` (`U(±1/√in)`), `B` zero,
/// so a new adapter leaves the layer's output unchanged and training starts at the base model.
public final class LoRAAdapter: Module {
    public let down: Parameter, up: Parameter
    public let alpha: Float
    /// Off: the layer computes its base output only (the reference of Diffusion-DPO).
    public var isEnabled = true

    public var rank: Int { down.shape[0] }
    /// `α / r`, peft's `scaling`.
    public var scale: Float { alpha / Float(rank) }

    public init(inFeatures: Int, outFeatures: Int, rank: Int, alpha: Float, rng: inout PCG32) {
        precondition(rank >= 1 && inFeatures >= 1 && outFeatures >= 1, "LoRA rank \(rank) for \(inFeatures)->\(outFeatures)")
        down = Parameter(uniformInit([rank, inFeatures], fanIn: inFeatures, rng: &rng))
        up = Parameter(.zeros([outFeatures, rank]))
        self.alpha = alpha
    }

    /// An adapter with the given weights (`down [r, in]`, `up [out, r]`).
    public init(down: Tensor, up: Tensor, alpha: Float) {
        precondition(down.rank == 2 && up.rank == 2 && up.shape[1] == down.shape[0], "LoRA down \(down.shape) and up \(up.shape)")
        self.down = Parameter(down)
        self.up = Parameter(up)
        self.alpha = alpha
    }

    public var ownParameters: [(String, Parameter)] { [("down", down), ("up", up)] }

    /// `(α/r) · B·(A·x)` over the last dimension of `x`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let h = Tensor.linear(Tensor.linear(x, weight: down.tensor, bias: nil), weight: up.tensor, bias: nil)
        return scale == 1 ? h : h.scaled(by: scale)
    }

    /// The same map applied per pixel of `x [N, in, H, W]` (the adapter of a 1x1 convolution).
    public func pointwise(_ x: Tensor) -> Tensor {
        let r = rank, inF = down.shape[1], outF = up.shape[0]
        let h = Tensor.conv2d(Tensor.conv2d(x, weight: down.tensor.reshaped([r, inF, 1, 1]), bias: nil),
                              weight: up.tensor.reshaped([outF, r, 1, 1]), bias: nil)
        return scale == 1 ? h : h.scaled(by: scale)
    }
}
