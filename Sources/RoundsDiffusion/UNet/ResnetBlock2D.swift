// port of https://github.com/huggingface/diffusers/blob/v0.42.1/src/diffusers/models/resnet.py
// (`ResnetBlock2D` with time_embedding_norm "default", `Downsample2D` and `Upsample2D` with use_conv)
import RoundsTensor

/// Per-call state of a forward pass: whether dropout is active and the generator it draws from.
public final class ForwardContext {
    public var training: Bool
    public var rng: PCG32
    public init(training: Bool = false, rng: PCG32 = PCG32(seed: 0)) {
        self.training = training
        self.rng = rng
    }

    func dropout(_ x: Tensor, _ p: Float) -> Tensor {
        guard training, p > 0 else { return x }
        return x.dropout(p, training: true, using: &rng)
    }
}

/// `ResnetBlock2D`: `h = conv1(silu(norm1(x))) + time_emb_proj(silu(temb))[:, :, None, None]`,
/// `h = conv2(dropout(silu(norm2(h))))`, `y = (shortcut(x) + h) / outputScaleFactor`
/// with a 1x1 `conv_shortcut` when the channel count changes; without a time embedding (`temb` nil, the
/// VAE's blocks) there is no `time_emb_proj`.
final class ResnetBlock2D: Module {
    let norm1: GroupNorm, conv1: Conv2d, timeEmbProj: Linear?, norm2: GroupNorm, conv2: Conv2d
    let convShortcut: Conv2d?
    let dropout: Float, outputScaleFactor: Float

    init(
        _ cin: Int, _ cout: Int, temb: Int?, groups: Int, eps: Float, dropout: Float, outputScaleFactor: Float,
        rng: inout PCG32
    ) {
        norm1 = GroupNorm(groups: groups, channels: cin, eps: eps)
        conv1 = Conv2d(cin, cout, kernel: 3, padding: 1, rng: &rng)
        timeEmbProj = temb.map { Linear($0, cout, rng: &rng) }
        norm2 = GroupNorm(groups: groups, channels: cout, eps: eps)
        conv2 = Conv2d(cout, cout, kernel: 3, padding: 1, rng: &rng)
        convShortcut = cin == cout ? nil : Conv2d(cin, cout, kernel: 1, rng: &rng)
        self.dropout = dropout
        self.outputScaleFactor = outputScaleFactor
    }

    var children: [(String, any Module)] {
        [("norm1", norm1), ("conv1", conv1)] + (timeEmbProj.map { [("time_emb_proj", $0)] } ?? [])
            + [("norm2", norm2), ("conv2", conv2)] + (convShortcut.map { [("conv_shortcut", $0)] } ?? [])
    }

    func callAsFunction(_ x: Tensor, _ temb: Tensor?, _ ctx: ForwardContext) -> Tensor {
        var h = conv1(norm1.silu(x))
        if let timeEmbProj, let temb { h = h + timeEmbProj(temb.silu()).reshaped([x.shape[0], -1, 1, 1]) }
        h = conv2(ctx.dropout(norm2.silu(h), dropout))
        let y = (convShortcut?(x) ?? x) + h
        return outputScaleFactor == 1 ? y : y.scaled(by: 1 / outputScaleFactor)
    }
}

/// `Downsample2D(use_conv=True)`: a 3x3 convolution with stride 2 and `padding` (1 in UNets); with
/// padding 0 (the VAE encoder's) the input is first padded by one zero row and column at the bottom
/// and right, as diffusers does.
final class Downsample2D: Module {
    let conv: Conv2d
    let padding: Int
    init(_ channels: Int, padding: Int = 1, rng: inout PCG32) {
        conv = Conv2d(channels, channels, kernel: 3, stride: 2, padding: padding, rng: &rng)
        self.padding = padding
    }
    var children: [(String, any Module)] { [("conv", conv)] }
    func callAsFunction(_ x: Tensor) -> Tensor { padding == 0 ? conv(x.zeroPadded(bottom: 1, right: 1)) : conv(x) }
}

/// `Upsample2D(use_conv=True)`: nearest-neighbour upsampling by 2, then a 3x3 convolution.
final class Upsample2D: Module {
    let conv: Conv2d
    init(_ channels: Int, rng: inout PCG32) { conv = Conv2d(channels, channels, kernel: 3, padding: 1, rng: &rng) }
    var children: [(String, any Module)] { [("conv", conv)] }
    func callAsFunction(_ x: Tensor) -> Tensor { conv(x.upsampleNearest(factor: 2)) }
}
