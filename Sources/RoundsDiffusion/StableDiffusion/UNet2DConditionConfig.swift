import RoundsCore

/// The settings of a diffusers `UNet2DConditionModel` (`unet/config.json`) that Stable Diffusion 1.x
/// and 2.x use; every other key must hold diffusers' default (see `ComponentConfig.checkRemaining`).
public struct UNet2DConditionConfig: Sendable, Equatable {
    public var sampleSize = 64, inChannels = 4, outChannels = 4
    public var centerInputSample = false, flipSinToCos = true
    public var freqShift: Float = 0
    /// true for `CrossAttnDownBlock2D`, false for `DownBlock2D` (and likewise up, in up order).
    public var downCrossAttention: [Bool] = [true, true, true, false]
    public var upCrossAttention: [Bool] = [false, true, true, true]
    public var blockOutChannels = [320, 640, 1280, 1280]
    public var layersPerBlock = [2, 2, 2, 2]
    public var transformerLayers = [1, 1, 1, 1]
    public var downsamplePadding = 1
    public var midBlockScaleFactor: Float = 1
    public var normNumGroups = 32
    public var normEps: Float = 1e-5
    public var crossAttentionDim = 768
    /// diffusers' `attention_head_dim`, which UNet2DConditionModel uses as the number of heads per block.
    public var heads = [8, 8, 8, 8]
    public var useLinearProjection = false, upcastAttention = false

    public init() {}

    /// The time embedding's width: four times the first block's channels.
    public var timeEmbedDim: Int { blockOutChannels[0] * 4 }

    /// Settings Rounds does not implement, at diffusers' defaults (a value there is accepted).
    static let defaults: [String: JSONValue] = [
        "only_cross_attention": false, "act_fn": "silu", "dropout": 0.0, "reverse_transformer_layers_per_block": nil,
        "encoder_hid_dim": nil, "encoder_hid_dim_type": nil, "num_attention_heads": nil, "dual_cross_attention": false,
        "class_embed_type": nil, "addition_embed_type": nil, "addition_time_embed_dim": nil, "num_class_embeds": nil,
        "resnet_time_scale_shift": "default", "resnet_skip_time_act": false, "resnet_out_scale_factor": 1.0,
        "time_embedding_type": "positional", "time_embedding_dim": nil, "time_embedding_act_fn": nil,
        "timestep_post_act": nil, "time_cond_proj_dim": nil, "conv_in_kernel": 3, "conv_out_kernel": 3,
        "projection_class_embeddings_input_dim": nil, "attention_type": "default", "class_embeddings_concat": false,
        "mid_block_only_cross_attention": nil, "cross_attention_norm": nil, "addition_embed_type_num_heads": 64,
        "mid_block_type": "UNetMidBlock2DCrossAttn",
    ]

    /// Reads `unet/config.json`.
    public init(path: String) throws(DiffusionError) {
        var c = try ComponentConfig(path: path)
        if let name = try c.reader.string("_class_name"), name != "UNet2DConditionModel" {
            throw DiffusionError(.unsupported, "\(path): _class_name: Rounds reads UNet2DConditionModel, got '\(name)'")
        }
        sampleSize = try c.int("sample_size", default: 64)
        inChannels = try c.int("in_channels", default: 4)
        outChannels = try c.int("out_channels", default: 4)
        centerInputSample = try c.reader.bool("center_input_sample") ?? false
        flipSinToCos = try c.reader.bool("flip_sin_to_cos") ?? true
        freqShift = try c.float("freq_shift", default: 0)
        blockOutChannels = try c.reader.ints("block_out_channels") ?? blockOutChannels
        let n = blockOutChannels.count
        guard n >= 1, blockOutChannels.allSatisfy({ $0 >= 1 }) else {
            throw DiffusionError(.invalidConfig, "\(path): block_out_channels: expected positive channel counts, got \(blockOutChannels)")
        }
        let down = try c.reader.strings("down_block_types") ?? ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"]
        let up = try c.reader.strings("up_block_types") ?? ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"]
        guard down.count == n, up.count == n else {
            throw DiffusionError(.invalidConfig, "\(path): down_block_types (\(down.count)) and up_block_types (\(up.count)) must have one entry per block_out_channels (\(n))")
        }
        downCrossAttention = try Self.blockKinds(down, plain: "DownBlock2D", cross: "CrossAttnDownBlock2D", key: "down_block_types", path)
        upCrossAttention = try Self.blockKinds(up, plain: "UpBlock2D", cross: "CrossAttnUpBlock2D", key: "up_block_types", path)
        layersPerBlock = try c.perBlock("layers_per_block", count: n, default: 2)
        transformerLayers = try c.perBlock("transformer_layers_per_block", count: n, default: 1)
        downsamplePadding = try c.int("downsample_padding", default: 1, in: 0...3)
        midBlockScaleFactor = try c.float("mid_block_scale_factor", default: 1)
        normNumGroups = try c.int("norm_num_groups", default: 32)
        normEps = try c.float("norm_eps", default: 1e-5)
        guard let cross = try? c.reader.int("cross_attention_dim") else {
            throw DiffusionError(.unsupported, "\(path): cross_attention_dim: Rounds implements one integer width, got \(c.reader.object["cross_attention_dim"]?.canonicalString ?? "nothing")")
        }
        crossAttentionDim = cross ?? 1280
        heads = try c.perBlock("attention_head_dim", count: n, default: 8)
        useLinearProjection = try c.reader.bool("use_linear_projection") ?? false
        upcastAttention = try c.reader.bool("upcast_attention") ?? false
        for (i, ch) in blockOutChannels.enumerated() {
            guard ch % normNumGroups == 0 else {
                throw DiffusionError(.invalidConfig, "\(path): block_out_channels[\(i)] = \(ch) does not split into norm_num_groups \(normNumGroups)")
            }
            guard ch % heads[i] == 0 else {
                throw DiffusionError(.invalidConfig, "\(path): block_out_channels[\(i)] = \(ch) does not split into attention_head_dim \(heads[i]) heads")
            }
        }
        try c.checkRemaining(defaults: Self.defaults, ignored: ["_class_name", "_diffusers_version", "_name_or_path"])
    }

    private static func blockKinds(_ types: [String], plain: String, cross: String, key: String, _ path: String) throws(DiffusionError) -> [Bool] {
        var out: [Bool] = []
        for (i, t) in types.enumerated() {
            guard t == plain || t == cross else {
                throw DiffusionError(.unsupported, "\(path): \(key)[\(i)]: Rounds implements \(plain) and \(cross), got '\(t)'")
            }
            out.append(t == cross)
        }
        return out
    }
}
