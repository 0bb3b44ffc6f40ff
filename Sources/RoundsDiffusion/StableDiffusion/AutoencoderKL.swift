// port of https://github.com/huggingface/diffusers/blob/v0.42.1/src/diffusers/models/autoencoders/autoencoder_kl.py
// and vae.py (`Encoder`, `Decoder`, `DiagonalGaussianDistribution`; `DownEncoderBlock2D`, `UpDecoderBlock2D`)
import RoundsTensor

/// The VAE encoder: conv_in, down blocks (resnets without time embedding, ε 1e-6, a padded stride-2
/// convolution but in the last), mid block, group norm + SiLU, conv_out to the Gaussian's mean and log-variance.
final class VAEEncoder: Module {
    let convIn: Conv2d
    let blocks: [(resnets: [ResnetBlock2D], down: Downsample2D?)]
    let mid: MidBlock
    let normOut: GroupNorm, convOut: Conv2d

    init(_ c: AutoencoderKLConfig, rng: inout PCG32) {
        let ch = c.blockOutChannels, s = BlockSettings(temb: nil, groups: c.normNumGroups, eps: 1e-6, dropout: 0, headDim: nil)
        convIn = Conv2d(c.inChannels, ch[0], kernel: 3, padding: 1, rng: &rng)
        var blocks: [(resnets: [ResnetBlock2D], down: Downsample2D?)] = [], out = ch[0]
        for i in ch.indices {
            let input = out
            out = ch[i]
            let resnets = (0..<c.layersPerBlock).map { j in
                ResnetBlock2D(j == 0 ? input : out, out, temb: nil, groups: c.normNumGroups, eps: 1e-6, dropout: 0,
                              outputScaleFactor: 1, rng: &rng)
            }
            blocks.append((resnets, i < ch.count - 1 ? Downsample2D(out, padding: 0, rng: &rng) : nil))
        }
        self.blocks = blocks
        mid = MidBlock(ch.last!, attention: c.midBlockAttention, attentionGroups: c.normNumGroups, scale: 1, s, rng: &rng)
        normOut = GroupNorm(groups: c.normNumGroups, channels: ch.last!, eps: 1e-6)
        convOut = Conv2d(ch.last!, 2 * c.latentChannels, kernel: 3, padding: 1, rng: &rng)
    }

    var children: [(String, any Module)] {
        [("conv_in", convIn), ("down_blocks", ModuleList(blocks.map { b in
            VAEBlock(resnets: b.resnets, sampler: b.down.map { ("downsamplers", $0) }) })),
         ("mid_block", mid), ("conv_norm_out", normOut), ("conv_out", convOut)]
    }

    func callAsFunction(_ x: Tensor, _ ctx: ForwardContext) -> Tensor {
        var h = convIn(x)
        for b in blocks {
            for r in b.resnets { h = r(h, nil, ctx) }
            if let d = b.down { h = d(h) }
        }
        return convOut(normOut.silu(mid(h, nil, ctx)))
    }
}

/// The VAE decoder: conv_in, mid block, up blocks (`layers_per_block + 1` resnets, an upsampler but in the
/// last), group norm + SiLU, conv_out.
final class VAEDecoder: Module {
    let convIn: Conv2d
    let mid: MidBlock
    let blocks: [(resnets: [ResnetBlock2D], up: Upsample2D?)]
    let normOut: GroupNorm, convOut: Conv2d

    init(_ c: AutoencoderKLConfig, rng: inout PCG32) {
        let rc = Array(c.blockOutChannels.reversed())
        let s = BlockSettings(temb: nil, groups: c.normNumGroups, eps: 1e-6, dropout: 0, headDim: nil)
        convIn = Conv2d(c.latentChannels, rc[0], kernel: 3, padding: 1, rng: &rng)
        mid = MidBlock(rc[0], attention: c.midBlockAttention, attentionGroups: c.normNumGroups, scale: 1, s, rng: &rng)
        var blocks: [(resnets: [ResnetBlock2D], up: Upsample2D?)] = [], out = rc[0]
        for i in rc.indices {
            let prev = out
            out = rc[i]
            let resnets = (0...c.layersPerBlock).map { j in
                ResnetBlock2D(j == 0 ? prev : out, out, temb: nil, groups: c.normNumGroups, eps: 1e-6, dropout: 0,
                              outputScaleFactor: 1, rng: &rng)
            }
            blocks.append((resnets, i < rc.count - 1 ? Upsample2D(out, rng: &rng) : nil))
        }
        self.blocks = blocks
        normOut = GroupNorm(groups: c.normNumGroups, channels: rc.last!, eps: 1e-6)
        convOut = Conv2d(rc.last!, c.outChannels, kernel: 3, padding: 1, rng: &rng)
    }

    var children: [(String, any Module)] {
        [("conv_in", convIn), ("mid_block", mid), ("up_blocks", ModuleList(blocks.map { b in
            VAEBlock(resnets: b.resnets, sampler: b.up.map { ("upsamplers", $0) }) })),
         ("conv_norm_out", normOut), ("conv_out", convOut)]
    }

    func callAsFunction(_ z: Tensor, _ ctx: ForwardContext) -> Tensor {
        var h = mid(convIn(z), nil, ctx)
        for b in blocks {
            for r in b.resnets { h = r(h, nil, ctx) }
            if let u = b.up { h = u(h) }
        }
        return convOut(normOut.silu(h))
    }
}

/// Names of one encoder or decoder block's parameters: `resnets.i` and `downsamplers.0` / `upsamplers.0`.
private final class VAEBlock: Module {
    let resnets: [ResnetBlock2D], sampler: (String, any Module)?
    init(resnets: [ResnetBlock2D], sampler: (String, any Module)?) {
        self.resnets = resnets
        self.sampler = sampler
    }
    var children: [(String, any Module)] {
        [("resnets", ModuleList(resnets))] + (sampler.map { [($0.0, ModuleList([$0.1]))] } ?? [])
    }
}

/// diffusers' `AutoencoderKL`: images `[N, 3, H, W]` in -1...1 <-> latents `[N, latent_channels, H/f, W/f]`
/// with `f = downsamplingFactor`. Latents for the UNet are `(z - shift_factor) · scaling_factor`.
public final class AutoencoderKL: Module {
    public let config: AutoencoderKLConfig
    let encoder: VAEEncoder, decoder: VAEDecoder
    let quantConv: Conv2d?, postQuantConv: Conv2d?

    public init(config: AutoencoderKLConfig, rng: inout PCG32) {
        self.config = config
        encoder = VAEEncoder(config, rng: &rng)
        decoder = VAEDecoder(config, rng: &rng)
        let l = config.latentChannels
        quantConv = config.useQuantConv ? Conv2d(2 * l, 2 * l, kernel: 1, rng: &rng) : nil
        postQuantConv = config.usePostQuantConv ? Conv2d(l, l, kernel: 1, rng: &rng) : nil
    }

    public var children: [(String, any Module)] {
        [("encoder", encoder), ("decoder", decoder)] + (quantConv.map { [("quant_conv", $0)] } ?? [])
            + (postQuantConv.map { [("post_quant_conv", $0)] } ?? [])
    }

    /// The diagonal Gaussian over latents of `image` (not scaled): its mean and log-variance, the latter
    /// clamped to -30...20 as diffusers does.
    public func encode(_ image: Tensor, _ ctx: ForwardContext = ForwardContext()) -> (mean: Tensor, logVariance: Tensor) {
        precondition(image.rank == 4 && image.shape[1] == config.inChannels, "AutoencoderKL.encode: image \(image.shape)")
        var moments = encoder(image, ctx)
        if let quantConv { moments = quantConv(moments) }
        let parts = moments.split(sizes: [config.latentChannels, config.latentChannels], axis: 1)
        return (parts[0], parts[1].clamped(-30, 20))
    }

    /// The UNet's latents for `image`: the Gaussian's mean, or a sample `mean + exp(logvar/2)·noise` with
    /// `noise` (the mean's shape) when given, shifted and scaled.
    public func latents(of image: Tensor, noise: Tensor? = nil) -> Tensor {
        let (mean, logVar) = encode(image)
        var z = mean
        if let noise {
            precondition(noise.shape == mean.shape, "AutoencoderKL.latents: noise \(noise.shape) for latents \(mean.shape)")
            z = mean + logVar.scaled(by: 0.5).exp() * noise
        }
        return z.adding(-config.shiftFactor).scaled(by: config.scalingFactor)
    }

    /// Decodes unscaled latents `z` to an image in about -1...1.
    public func decode(_ z: Tensor, _ ctx: ForwardContext = ForwardContext()) -> Tensor {
        precondition(z.rank == 4 && z.shape[1] == config.latentChannels, "AutoencoderKL.decode: latents \(z.shape)")
        return decoder(postQuantConv?(z) ?? z, ctx)
    }

    /// Decodes the UNet's latents (undoing the scaling and shift).
    public func decodeLatents(_ latents: Tensor) -> Tensor {
        decode(latents.scaled(by: 1 / config.scalingFactor).adding(config.shiftFactor))
    }
}
