import RoundsCore

/// The settings of a diffusers `AutoencoderKL` (`vae/config.json`).
public struct AutoencoderKLConfig: Sendable, Equatable {
    public var inChannels = 3, outChannels = 3, latentChannels = 4
    public var blockOutChannels = [128, 256, 512, 512]
    public var layersPerBlock = 2, normNumGroups = 32
    /// The image size the VAE was trained at (`sample_size`), which tiled decoding uses as its tile.
    public var sampleSize = 512
    public var scalingFactor: Float = 0.18215
    public var shiftFactor: Float = 0
    public var useQuantConv = true, usePostQuantConv = true, midBlockAttention = true

    public init() {}

    /// The spatial downsampling factor: one halving per block but the last (8 for Stable Diffusion).
    public var downsamplingFactor: Int { 1 << (blockOutChannels.count - 1) }

    static let defaults: [String: JSONValue] = ["act_fn": "silu", "latents_mean": nil, "latents_std": nil]

    /// Reads `vae/config.json`.
    public init(path: String) throws(DiffusionError) {
        var c = try ComponentConfig(path: path)
        if let name = try c.reader.string("_class_name"), name != "AutoencoderKL" {
            throw DiffusionError(.unsupported, "\(path): _class_name: Rounds reads AutoencoderKL, got '\(name)'")
        }
        inChannels = try c.int("in_channels", default: 3)
        outChannels = try c.int("out_channels", default: 3)
        latentChannels = try c.int("latent_channels", default: 4)
        blockOutChannels = try c.reader.ints("block_out_channels") ?? [64]
        let n = blockOutChannels.count
        guard n >= 1, blockOutChannels.allSatisfy({ $0 >= 1 }) else {
            throw DiffusionError(.invalidConfig, "\(path): block_out_channels: expected positive channel counts, got \(blockOutChannels)")
        }
        for (key, expected) in [("down_block_types", "DownEncoderBlock2D"), ("up_block_types", "UpDecoderBlock2D")] {
            let types = try c.reader.strings(key) ?? [String](repeating: expected, count: n)
            guard types.count == n else {
                throw DiffusionError(.invalidConfig, "\(path): \(key): \(types.count) entries for \(n) block_out_channels")
            }
            if let (i, t) = types.enumerated().first(where: { $0.element != expected }) {
                throw DiffusionError(.unsupported, "\(path): \(key)[\(i)]: Rounds implements \(expected), got '\(t)'")
            }
        }
        layersPerBlock = try c.int("layers_per_block", default: 1)
        normNumGroups = try c.int("norm_num_groups", default: 32)
        sampleSize = try c.int("sample_size", default: 32)
        scalingFactor = try c.float("scaling_factor", default: 0.18215)
        shiftFactor = try c.float("shift_factor", default: 0)
        guard scalingFactor != 0 else { throw DiffusionError(.invalidConfig, "\(path): scaling_factor: 0 cannot scale latents") }
        useQuantConv = try c.reader.bool("use_quant_conv") ?? true
        usePostQuantConv = try c.reader.bool("use_post_quant_conv") ?? true
        midBlockAttention = try c.reader.bool("mid_block_add_attention") ?? true
        _ = try c.reader.bool("force_upcast")  // Rounds computes in float32 throughout
        for (i, ch) in blockOutChannels.enumerated() where ch % normNumGroups != 0 {
            throw DiffusionError(.invalidConfig, "\(path): block_out_channels[\(i)] = \(ch) does not split into norm_num_groups \(normNumGroups)")
        }
        try c.checkRemaining(defaults: Self.defaults, ignored: ["_class_name", "_diffusers_version", "_name_or_path"])
    }
}
