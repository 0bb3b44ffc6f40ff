// Standard layers with PyTorch's parameter names, shapes and default initialisation
// (`kaiming_uniform_(a=√5)`, i.e. U(-1/√fan_in, 1/√fan_in) for weight and bias).

/// PyTorch's default init bound for a layer with `fanIn` inputs.
func uniformInit(_ shape: [Int], fanIn: Int, rng: inout PCG32) -> Tensor {
    let bound = 1 / Float(Swift.max(fanIn, 1)).squareRoot()
    return Tensor.randomUniform(shape, low: -bound, high: bound, using: &rng)
}

/// `nn.Linear`: `weight [out, in]`, `bias [out]`.
public final class Linear: Module {
    public let weight: Parameter
    public let bias: Parameter?
    /// A low-rank adapter added to the output (`LoRAAdapter`); not part of `ownParameters`, so the base's
    /// state dict keeps diffusers' names.
    public var adapter: LoRAAdapter?
    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, rng: inout PCG32) {
        weight = Parameter(uniformInit([outFeatures, inFeatures], fanIn: inFeatures, rng: &rng))
        self.bias = bias ? Parameter(uniformInit([outFeatures], fanIn: inFeatures, rng: &rng)) : nil
    }
    public var ownParameters: [(String, Parameter)] { [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) }
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let y = Tensor.linear(x, weight: weight.tensor, bias: bias?.tensor)
        guard let adapter, adapter.isEnabled else { return y }
        return y + adapter(x)
    }
}

/// `nn.Conv2d` with a square kernel: `weight [out, in, k, k]`, `bias [out]`.
public final class Conv2d: Module {
    public let weight: Parameter
    public let bias: Parameter?
    public let stride: Int, padding: Int
    /// A low-rank adapter of a 1x1 convolution (kohya-ss adapts `proj_in`/`proj_out` of SD 1.x this way).
    public var adapter: LoRAAdapter? {
        didSet { precondition(adapter == nil || weight.shape[2] == 1 && weight.shape[3] == 1, "LoRA on a \(weight.shape) convolution") }
    }
    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool = true, rng: inout PCG32) {
        let fanIn = inChannels * kernel * kernel
        weight = Parameter(uniformInit([outChannels, inChannels, kernel, kernel], fanIn: fanIn, rng: &rng))
        self.bias = bias ? Parameter(uniformInit([outChannels], fanIn: fanIn, rng: &rng)) : nil
        self.stride = stride
        self.padding = padding
    }
    public var ownParameters: [(String, Parameter)] { [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) }
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let y = Tensor.conv2d(x, weight: weight.tensor, bias: bias?.tensor, stride: stride, padding: padding)
        guard let adapter, adapter.isEnabled else { return y }
        return y + adapter.pointwise(x)
    }
}

/// `nn.GroupNorm`: `weight` (ones) and `bias` (zeros) `[channels]`.
public final class GroupNorm: Module {
    public let groups: Int, eps: Float
    public let weight: Parameter, bias: Parameter
    public init(groups: Int, channels: Int, eps: Float = 1e-5) {
        precondition(channels % groups == 0, "GroupNorm: \(channels) channels in \(groups) groups")
        self.groups = groups
        self.eps = eps
        weight = Parameter(.ones([channels]))
        bias = Parameter(.zeros([channels]))
    }
    public var ownParameters: [(String, Parameter)] { [("weight", weight), ("bias", bias)] }
    public func callAsFunction(_ x: Tensor) -> Tensor {
        Tensor.groupNorm(x, groups: groups, weight: weight.tensor, bias: bias.tensor, eps: eps)
    }
    /// `silu(self(x))`, fused (`Tensor.groupNormSiLU`).
    public func silu(_ x: Tensor) -> Tensor {
        Tensor.groupNormSiLU(x, groups: groups, weight: weight.tensor, bias: bias.tensor, eps: eps)
    }
}

/// `nn.LayerNorm` over the last dimension.
public final class LayerNorm: Module {
    public let eps: Float
    public let weight: Parameter, bias: Parameter
    public init(_ dim: Int, eps: Float = 1e-5) {
        self.eps = eps
        weight = Parameter(.ones([dim]))
        bias = Parameter(.zeros([dim]))
    }
    public var ownParameters: [(String, Parameter)] { [("weight", weight), ("bias", bias)] }
    public func callAsFunction(_ x: Tensor) -> Tensor { Tensor.layerNorm(x, weight: weight.tensor, bias: bias.tensor, eps: eps) }
}

/// `nn.Embedding`: `weight [count, dim]`, initialised N(0, 1) as PyTorch does.
public final class Embedding: Module {
    public let weight: Parameter
    public init(_ count: Int, _ dim: Int, rng: inout PCG32) {
        weight = Parameter(.randomNormal([count, dim], using: &rng))
    }
    public var ownParameters: [(String, Parameter)] { [("weight", weight)] }
    public func callAsFunction(_ indices: [Int]) -> Tensor { Tensor.embedding(weight.tensor, indices: indices) }
}
