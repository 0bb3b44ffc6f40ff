// port of https://github.com/huggingface/diffusers/blob/v0.42.1/src/diffusers/models/unets/unet_2d.py
// (`UNet2DModel.__init__` and `forward`) and embeddings.py (`Timesteps`, `TimestepEmbedding`)
import RoundsTensor

/// diffusers' `TimestepEmbedding`: `linear_2(silu(linear_1(t)))`.
final class TimestepEmbedding: Module {
    let linear1: Linear, linear2: Linear
    init(_ cin: Int, _ dim: Int, rng: inout PCG32) {
        linear1 = Linear(cin, dim, rng: &rng)
        linear2 = Linear(dim, dim, rng: &rng)
    }
    var children: [(String, any Module)] { [("linear_1", linear1), ("linear_2", linear2)] }
    func callAsFunction(_ x: Tensor) -> Tensor { linear2(linear1(x).silu()) }
}

/// A class-conditional denoising UNet with the architecture and parameter names of diffusers'
/// `UNet2DModel`, so its `diffusion_pytorch_model.safetensors` loads and saves as is.
///
/// `forward(sample [N, C, H, W], timesteps [N], classLabels [N]) -> [N, out_channels, H, W]`, with
/// `H`, `W` divisible by `config.sizeDivisor`.
public final class UNet2DModel: Module {
    public let config: UNetConfig
    let convIn: Conv2d
    let timeEmbedding: TimestepEmbedding
    let classEmbedding: Embedding?
    let downBlocks: [DownBlock]
    let midBlock: MidBlock?
    let upBlocks: [UpBlock]
    let convNormOut: GroupNorm, convOut: Conv2d

    /// A model with PyTorch's default initialisation drawn from `rng`.
    /// Precondition: `config` passed `validate` (every loader and `init(config:seed:)` check it).
    public init(config: UNetConfig, rng: inout PCG32) {
        self.config = config
        let ch = config.blockOutChannels, temb = config.timeEmbedDim
        let s = BlockSettings(
            temb: temb, groups: config.normNumGroups, eps: Float(config.normEps),
            dropout: Float(config.dropout), headDim: config.attentionHeadDim)
        convIn = Conv2d(config.inChannels, ch[0], kernel: 3, padding: 1, rng: &rng)
        timeEmbedding = TimestepEmbedding(ch[0], temb, rng: &rng)
        classEmbedding = config.numClassEmbeds.map { Embedding($0, temb, rng: &rng) }
        var down: [DownBlock] = [], out = ch[0]
        for (i, type) in config.downBlockTypes.enumerated() {
            let input = out
            out = ch[i]
            down.append(
                DownBlock(
                    input, out, layers: config.layersPerBlock, attention: type == .attention,
                    downsample: i < ch.count - 1, s, rng: &rng))
        }
        downBlocks = down
        midBlock =
            config.hasMidBlock
            ? MidBlock(
                ch.last!, attention: config.addAttention,
                attentionGroups: config.attnNormNumGroups ?? config.normNumGroups,
                scale: Float(config.midBlockScaleFactor), s, rng: &rng) : nil
        let reversed = Array(ch.reversed())
        var up: [UpBlock] = []
        out = reversed[0]
        for (i, type) in config.upBlockTypes.enumerated() {
            let prev = out
            out = reversed[i]
            let input = reversed[Swift.min(i + 1, ch.count - 1)]
            up.append(
                UpBlock(
                    input, out, prev: prev, layers: config.layersPerBlock + 1, attention: type == .attention,
                    upsample: i < ch.count - 1, s, rng: &rng))
        }
        upBlocks = up
        convNormOut = GroupNorm(groups: config.normNumGroups, channels: ch[0], eps: Float(config.normEps))
        convOut = Conv2d(ch[0], config.outChannels, kernel: 3, padding: 1, rng: &rng)
    }

    /// A freshly initialised model for `config`, after validating it.
    public convenience init(config: UNetConfig, seed: UInt64) throws(DiffusionError) {
        try config.validate(source: "UNet config")
        var rng = PCG32(seed: seed)
        self.init(config: config, rng: &rng)
    }

    public var children: [(String, any Module)] {
        var c: [(String, any Module)] = [("conv_in", convIn), ("time_embedding", timeEmbedding)]
        if let classEmbedding { c.append(("class_embedding", classEmbedding)) }
        c.append(("down_blocks", ModuleList(downBlocks)))
        if let midBlock { c.append(("mid_block", midBlock)) }
        c += [("up_blocks", ModuleList(upBlocks)), ("conv_norm_out", convNormOut), ("conv_out", convOut)]
        return c
    }

    /// Number of scalar parameters.
    public var parameterCount: Int { namedParameters().reduce(0) { $0 + $1.parameter.value.count } }

    /// Checks a forward call's arguments; each error names the argument with expected vs actual.
    public func checkInputs(sampleShape: [Int], timesteps: Int, classLabels: [Int]?) throws(DiffusionError) {
        let c = config
        guard sampleShape.count == 4, sampleShape[1] == c.inChannels, sampleShape[0] >= 1 else {
            throw DiffusionError(
                .shapeMismatch, "sample: expected shape [N, \(c.inChannels), H, W], got \(sampleShape)")
        }
        let (n, h, w) = (sampleShape[0], sampleShape[2], sampleShape[3])
        guard h >= 1, w >= 1, h % c.sizeDivisor == 0, w % c.sizeDivisor == 0 else {
            throw DiffusionError(
                .shapeMismatch,
                "sample: height and width must be positive multiples of \(c.sizeDivisor) "
                    + "(\(c.blockOutChannels.count) blocks), got \(h)x\(w)")
        }
        guard timesteps == n else {
            throw DiffusionError(.shapeMismatch, "timestep: expected shape [\(n)] (one per sample), got [\(timesteps)]")
        }
        switch (c.numClassEmbeds, classLabels) {
        case (nil, nil): break
        case (nil, .some):
            throw DiffusionError(
                .invalidArgument, "class_labels: the model is unconditional (num_class_embeds is null)")
        case (.some, nil):
            throw DiffusionError(.invalidArgument, "class_labels: the model is class-conditional and needs \(n) labels")
        case (.some(let k), .some(let labels)):
            guard labels.count == n else {
                throw DiffusionError(.shapeMismatch, "class_labels: expected shape [\(n)], got [\(labels.count)]")
            }
            if let (i, bad) = labels.enumerated().first(where: { $0.element < 0 || $0.element >= k }) {
                throw DiffusionError(
                    .invalidArgument, "class_labels[\(i)]: \(bad) is outside 0..<\(k) (num_class_embeds)")
            }
        }
    }

    /// The network's output for `sample [N, C, H, W]` at `timesteps` (one per sample) and `classLabels`.
    ///
    /// Precondition: the inputs pass `checkInputs` (call it first on untrusted data).
    /// Records gradients unless run inside `withoutGradients`.
    public func forward(
        _ sample: Tensor, timesteps: [Float], classLabels: [Int]?,
        context: ForwardContext = ForwardContext()
    ) -> Tensor {
        let ch0 = config.blockOutChannels[0]
        var x = config.centerInputSample ? sample.scaled(by: 2).adding(-1) : sample
        let tProj = Tensor.timestepEmbedding(
            timesteps, dim: ch0, flipSinToCos: config.flipSinToCos,
            downscaleFreqShift: Float(config.freqShift))
        var emb = timeEmbedding(tProj)
        if let classEmbedding, let classLabels { emb = emb + classEmbedding(classLabels) }
        x = convIn(x)
        var skips = [x]
        for block in downBlocks {
            let (h, outputs) = block(x, emb, context)
            x = h
            skips += outputs
        }
        if let midBlock { x = midBlock(x, emb, context) }
        for block in upBlocks { x = block(x, skips: &skips, emb, context) }
        return convOut(convNormOut.silu(x))
    }
}
