// port of https://github.com/huggingface/diffusers/blob/v0.42.1/src/diffusers/models/unets/unet_2d_blocks.py
// (`CrossAttnDownBlock2D`, `CrossAttnUpBlock2D`, `UNetMidBlock2DCrossAttn`, plus `DownBlock2D`/`UpBlock2D`
// through the pixel UNet's blocks)
import RoundsTensor

/// A down block of `UNet2DConditionModel`: resnets, each followed by a `Transformer2DModel` in the
/// cross-attention variant, then an optional stride-2 convolution. Returns every output for the skips.
final class ConditionalDownBlock: Module {
    let resnets: [ResnetBlock2D], attentions: [Transformer2DModel], downsampler: Downsample2D?

    init(_ cin: Int, _ cout: Int, layers: Int, transformer: (heads: Int, layers: Int)?, downsample: Bool,
         _ c: UNet2DConditionConfig, rng: inout PCG32) {
        var r: [ResnetBlock2D] = [], a: [Transformer2DModel] = []
        for i in 0..<layers {
            r.append(ResnetBlock2D(i == 0 ? cin : cout, cout, temb: c.timeEmbedDim, groups: c.normNumGroups, eps: c.normEps,
                                   dropout: 0, outputScaleFactor: 1, rng: &rng))
            if let transformer {
                a.append(Transformer2DModel(cout, heads: transformer.heads, context: c.crossAttentionDim, layers: transformer.layers,
                                            groups: c.normNumGroups, linearProjection: c.useLinearProjection, rng: &rng))
            }
        }
        resnets = r
        attentions = a
        downsampler = downsample ? Downsample2D(cout, padding: c.downsamplePadding, rng: &rng) : nil
    }

    var children: [(String, any Module)] {
        var c: [(String, any Module)] = []
        if !attentions.isEmpty { c.append(("attentions", ModuleList(attentions))) }
        c.append(("resnets", ModuleList(resnets)))
        if let downsampler { c.append(("downsamplers", ModuleList([downsampler]))) }
        return c
    }

    func callAsFunction(_ x: Tensor, _ temb: Tensor, context: Tensor, _ ctx: ForwardContext) -> (Tensor, [Tensor]) {
        var h = x, outputs: [Tensor] = []
        for (i, resnet) in resnets.enumerated() {
            h = resnet(h, temb, ctx)
            if !attentions.isEmpty { h = attentions[i](h, context: context) }
            outputs.append(h)
        }
        if let downsampler {
            h = downsampler(h)
            outputs.append(h)
        }
        return (h, outputs)
    }
}

/// An up block: resnets over the previous output concatenated with the latest skip, a transformer after
/// each in the cross-attention variant, then an optional upsampler.
final class ConditionalUpBlock: Module {
    let resnets: [ResnetBlock2D], attentions: [Transformer2DModel], upsampler: Upsample2D?

    init(_ cin: Int, _ cout: Int, prev: Int, layers: Int, transformer: (heads: Int, layers: Int)?, upsample: Bool,
         _ c: UNet2DConditionConfig, rng: inout PCG32) {
        var r: [ResnetBlock2D] = [], a: [Transformer2DModel] = []
        for i in 0..<layers {
            let skip = i == layers - 1 ? cin : cout, input = i == 0 ? prev : cout
            r.append(ResnetBlock2D(input + skip, cout, temb: c.timeEmbedDim, groups: c.normNumGroups, eps: c.normEps,
                                   dropout: 0, outputScaleFactor: 1, rng: &rng))
            if let transformer {
                a.append(Transformer2DModel(cout, heads: transformer.heads, context: c.crossAttentionDim, layers: transformer.layers,
                                            groups: c.normNumGroups, linearProjection: c.useLinearProjection, rng: &rng))
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

    func callAsFunction(_ x: Tensor, skips: inout [Tensor], _ temb: Tensor, context: Tensor, _ ctx: ForwardContext) -> Tensor {
        var h = x
        for (i, resnet) in resnets.enumerated() {
            h = resnet(Tensor.concat([h, skips.removeLast()], axis: 1), temb, ctx)
            if !attentions.isEmpty { h = attentions[i](h, context: context) }
        }
        if let upsampler { h = upsampler(h) }
        return h
    }
}

/// `UNetMidBlock2DCrossAttn` with one layer: resnet, transformer, resnet.
final class ConditionalMidBlock: Module {
    let resnets: [ResnetBlock2D], attention: Transformer2DModel

    init(_ channels: Int, heads: Int, layers: Int, _ c: UNet2DConditionConfig, rng: inout PCG32) {
        func resnet(_ rng: inout PCG32) -> ResnetBlock2D {
            ResnetBlock2D(channels, channels, temb: c.timeEmbedDim, groups: c.normNumGroups, eps: c.normEps, dropout: 0,
                          outputScaleFactor: c.midBlockScaleFactor, rng: &rng)
        }
        let first = resnet(&rng)
        attention = Transformer2DModel(channels, heads: heads, context: c.crossAttentionDim, layers: layers,
                                       groups: c.normNumGroups, linearProjection: c.useLinearProjection, rng: &rng)
        resnets = [first, resnet(&rng)]
    }

    var children: [(String, any Module)] { [("attentions", ModuleList([attention])), ("resnets", ModuleList(resnets))] }

    func callAsFunction(_ x: Tensor, _ temb: Tensor, context: Tensor, _ ctx: ForwardContext) -> Tensor {
        resnets[1](attention(resnets[0](x, temb, ctx), context: context), temb, ctx)
    }
}
