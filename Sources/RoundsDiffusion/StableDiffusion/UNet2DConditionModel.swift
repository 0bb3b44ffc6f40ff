// port of https://github.com/huggingface/diffusers/blob/v0.42.1/src/diffusers/models/unets/unet_2d_condition.py
// (`UNet2DConditionModel.__init__` and `forward` for Stable Diffusion 1.x/2.x configurations)
import RoundsTensor

/// The text-conditioned denoising UNet of Stable Diffusion, with diffusers' architecture and parameter
/// names, so `unet/diffusion_pytorch_model.safetensors` loads as is.
///
/// `callAsFunction(sample [N, C, h, w], timesteps [N], context [N, T, cross_attention_dim]) -> [N, out, h, w]`,
/// `h` and `w` divisible by `sizeDivisor`.
public final class UNet2DConditionModel: Module {
    public let config: UNet2DConditionConfig
    let convIn: Conv2d
    let timeEmbedding: TimestepEmbedding
    let downBlocks: [ConditionalDownBlock]
    let midBlock: ConditionalMidBlock
    let upBlocks: [ConditionalUpBlock]
    let convNormOut: GroupNorm, convOut: Conv2d

    public init(config c: UNet2DConditionConfig, rng: inout PCG32) {
        config = c
        let ch = c.blockOutChannels, n = ch.count
        convIn = Conv2d(c.inChannels, ch[0], kernel: 3, padding: 1, rng: &rng)
        timeEmbedding = TimestepEmbedding(ch[0], c.timeEmbedDim, rng: &rng)
        var down: [ConditionalDownBlock] = [], out = ch[0]
        for i in 0..<n {
            let input = out
            out = ch[i]
            down.append(ConditionalDownBlock(input, out, layers: c.layersPerBlock[i],
                                             transformer: c.downCrossAttention[i] ? (c.heads[i], c.transformerLayers[i]) : nil,
                                             downsample: i < n - 1, c, rng: &rng))
        }
        downBlocks = down
        midBlock = ConditionalMidBlock(ch[n - 1], heads: c.heads[n - 1], layers: c.transformerLayers[n - 1], c, rng: &rng)
        let rc = Array(ch.reversed()), rHeads = Array(c.heads.reversed()), rLayers = Array(c.layersPerBlock.reversed())
        let rTransformer = Array(c.transformerLayers.reversed())
        var up: [ConditionalUpBlock] = []
        out = rc[0]
        for i in 0..<n {
            let prev = out
            out = rc[i]
            let input = rc[min(i + 1, n - 1)]
            up.append(ConditionalUpBlock(input, out, prev: prev, layers: rLayers[i] + 1,
                                         transformer: c.upCrossAttention[i] ? (rHeads[i], rTransformer[i]) : nil,
                                         upsample: i < n - 1, c, rng: &rng))
        }
        upBlocks = up
        convNormOut = GroupNorm(groups: c.normNumGroups, channels: ch[0], eps: c.normEps)
        convOut = Conv2d(ch[0], c.outChannels, kernel: 3, padding: 1, rng: &rng)
    }

    public var children: [(String, any Module)] {
        [("conv_in", convIn), ("time_embedding", timeEmbedding), ("down_blocks", ModuleList(downBlocks)),
         ("mid_block", midBlock), ("up_blocks", ModuleList(upBlocks)), ("conv_norm_out", convNormOut), ("conv_out", convOut)]
    }

    /// What the latent height and width must be a multiple of (one halving per down block but the last).
    public var sizeDivisor: Int { 1 << (config.blockOutChannels.count - 1) }

    public func callAsFunction(_ sample: Tensor, timesteps: [Float], context: Tensor, _ ctx: ForwardContext = ForwardContext()) -> Tensor {
        precondition(sample.rank == 4 && sample.shape[1] == config.inChannels && timesteps.count == sample.shape[0],
                     "UNet2DConditionModel: sample \(sample.shape) with \(timesteps.count) timesteps for in_channels \(config.inChannels)")
        precondition(sample.shape[2] % sizeDivisor == 0 && sample.shape[3] % sizeDivisor == 0,
                     "UNet2DConditionModel: latent size \(sample.shape[2])x\(sample.shape[3]) is not a multiple of \(sizeDivisor)")
        precondition(context.rank == 3 && context.shape[0] == sample.shape[0] && context.shape[2] == config.crossAttentionDim,
                     "UNet2DConditionModel: context \(context.shape) for batch \(sample.shape[0]) and cross_attention_dim \(config.crossAttentionDim)")
        let x = config.centerInputSample ? sample.scaled(by: 2).adding(-1) : sample
        let tproj = Tensor.timestepEmbedding(timesteps, dim: config.blockOutChannels[0], flipSinToCos: config.flipSinToCos,
                                             downscaleFreqShift: config.freqShift)
        let temb = timeEmbedding(tproj)
        var h = convIn(x)
        var skips = [h]
        for block in downBlocks {
            let (y, outs) = block(h, temb, context: context, ctx)
            h = y
            skips += outs
        }
        h = midBlock(h, temb, context: context, ctx)
        for block in upBlocks { h = block(h, skips: &skips, temb, context: context, ctx) }
        return convOut(convNormOut.silu(h))
    }
}
