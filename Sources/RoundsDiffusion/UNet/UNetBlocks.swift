// port of https://github.com/huggingface/diffusers/blob/v0.42.1/src/diffusers/models/unets/unet_2d_blocks.py
// (`DownBlock2D`, `AttnDownBlock2D`, `UpBlock2D`, `AttnUpBlock2D`, `UNetMidBlock2D`)
import RoundsTensor

/// Hyper-parameters shared by every block of one UNet.
struct BlockSettings {
    let temb: Int?, groups: Int, eps: Float, dropout: Float
    /// Heads' width, nil meaning one head over a block's channels.
    let headDim: Int?
    func heads(_ channels: Int) -> Int { headDim ?? channels }
}

/// `DownBlock2D` (no attention) or `AttnDownBlock2D`: `layers` resnets, each followed by attention in the
/// attention variant, then an optional stride-2 conv. Returns every intermediate output for the skips.
final class DownBlock: Module {
    let resnets: [ResnetBlock2D], attentions: [AttentionBlock], downsampler: Downsample2D?

    init(_ cin: Int, _ cout: Int, layers: Int, attention: Bool, downsample: Bool, _ s: BlockSettings, rng: inout PCG32)
    {
        var r: [ResnetBlock2D] = [], a: [AttentionBlock] = []
        for i in 0..<layers {
            r.append(
                ResnetBlock2D(
                    i == 0 ? cin : cout, cout, temb: s.temb, groups: s.groups, eps: s.eps,
                    dropout: s.dropout, outputScaleFactor: 1, rng: &rng))
            if attention {
                a.append(
                    AttentionBlock(
                        cout, headDim: s.heads(cout), groups: s.groups, eps: s.eps, rescaleOutputFactor: 1, rng: &rng))
            }
        }
        resnets = r
        attentions = a
        downsampler = downsample ? Downsample2D(cout, rng: &rng) : nil
    }

    var children: [(String, any Module)] {
        var c: [(String, any Module)] = [("resnets", ModuleList(resnets))]
        if !attentions.isEmpty { c.append(("attentions", ModuleList(attentions))) }
        if let downsampler { c.append(("downsamplers", ModuleList([downsampler]))) }
        return c
    }

    func callAsFunction(_ x: Tensor, _ temb: Tensor, _ ctx: ForwardContext) -> (Tensor, [Tensor]) {
        var h = x, outputs: [Tensor] = []
        for (i, resnet) in resnets.enumerated() {
            h = resnet(h, temb, ctx)
            if !attentions.isEmpty { h = attentions[i](h) }
            outputs.append(h)
        }
        if let downsampler {
            h = downsampler(h)
            outputs.append(h)
        }
        return (h, outputs)
    }
}

/// `UpBlock2D` or `AttnUpBlock2D`: `layers` resnets, each on the previous output concatenated (channels)
/// with the latest unused skip, attention after each in the attention variant, then an optional upsampler.
final class UpBlock: Module {
    let resnets: [ResnetBlock2D], attentions: [AttentionBlock], upsampler: Upsample2D?

    /// - Parameters: `cin` the channels of this level's input skip, `prev` those of the previous block's output.
    init(
        _ cin: Int, _ cout: Int, prev: Int, layers: Int, attention: Bool, upsample: Bool, _ s: BlockSettings,
        rng: inout PCG32
    ) {
        var r: [ResnetBlock2D] = [], a: [AttentionBlock] = []
        for i in 0..<layers {
            let skip = i == layers - 1 ? cin : cout
            let input = i == 0 ? prev : cout
            r.append(
                ResnetBlock2D(
                    input + skip, cout, temb: s.temb, groups: s.groups, eps: s.eps,
                    dropout: s.dropout, outputScaleFactor: 1, rng: &rng))
            if attention {
                a.append(
                    AttentionBlock(
                        cout, headDim: s.heads(cout), groups: s.groups, eps: s.eps, rescaleOutputFactor: 1, rng: &rng))
            }
        }
        resnets = r
        attentions = a
        upsampler = upsample ? Upsample2D(cout, rng: &rng) : nil
    }

    var children: [(String, any Module)] {
        var c: [(String, any Module)] = []
        if !attentions.isEmpty { c.append(("attentions", ModuleList(attentions))) }
        c.append(("resnets", ModuleList(resnets)))
        if let upsampler { c.append(("upsamplers", ModuleList([upsampler]))) }
        return c
    }

    /// `skips`: the skip tensors in the order they were produced; consumed from the end.
    func callAsFunction(_ x: Tensor, skips: inout [Tensor], _ temb: Tensor, _ ctx: ForwardContext) -> Tensor {
        var h = x
        for (i, resnet) in resnets.enumerated() {
            let skip = skips.removeLast()
            h = resnet(Tensor.concat([h, skip], axis: 1), temb, ctx)
            if !attentions.isEmpty { h = attentions[i](h) }
        }
        if let upsampler { h = upsampler(h) }
        return h
    }
}

/// `UNetMidBlock2D` with one layer: resnet, attention (when `add_attention`), resnet; resnets and attention
/// divide their output by `mid_block_scale_factor`.
final class MidBlock: Module {
    let resnets: [ResnetBlock2D], attention: AttentionBlock?

    init(_ channels: Int, attention: Bool, attentionGroups: Int, scale: Float, _ s: BlockSettings, rng: inout PCG32) {
        var r: [ResnetBlock2D] = []
        r.append(
            ResnetBlock2D(
                channels, channels, temb: s.temb, groups: s.groups, eps: s.eps, dropout: s.dropout,
                outputScaleFactor: scale, rng: &rng))
        self.attention =
            attention
            ? AttentionBlock(
                channels, headDim: s.heads(channels), groups: attentionGroups, eps: s.eps,
                rescaleOutputFactor: scale, rng: &rng) : nil
        r.append(
            ResnetBlock2D(
                channels, channels, temb: s.temb, groups: s.groups, eps: s.eps, dropout: s.dropout,
                outputScaleFactor: scale, rng: &rng))
        resnets = r
    }

    var children: [(String, any Module)] {
        var c: [(String, any Module)] = []
        if let attention { c.append(("attentions", ModuleList([attention]))) }
        c.append(("resnets", ModuleList(resnets)))
        return c
    }

    func callAsFunction(_ x: Tensor, _ temb: Tensor?, _ ctx: ForwardContext) -> Tensor {
        var h = resnets[0](x, temb, ctx)
        if let attention { h = attention(h) }
        return resnets[1](h, temb, ctx)
    }
}
