/// What `LoRASet.attach` adds to a UNet: rank, alpha and the layers adapted.
public struct LoRAConfig: Sendable, Equatable {
    /// The attention projections of every transformer block, as diffusers' LoRA scripts and MAGIC adapt.
    public static let attentionTargets = ["to_q", "to_k", "to_v", "to_out.0"]
    /// The feed-forward layers of every transformer block (`--lora-targets attention,feed-forward`).
    public static let feedForwardTargets = ["ff.net.0.proj", "ff.net.2"]

    /// r: the adapters' inner dimension (MAGIC: 32).
    public var rank: Int
    /// α: the output is scaled by α/r (MAGIC: 32).
    public var alpha: Float
    /// Module names matched against the end of each linear layer's dotted path, as peft's `target_modules`.
    public var targets: [String]

    public init(rank: Int = 32, alpha: Float = 32, targets: [String] = LoRAConfig.attentionTargets) {
        self.rank = rank
        self.alpha = alpha
        self.targets = targets
    }

    /// - Throws: `.invalidArgument` naming the setting out of range.
    public func validate() throws(DiffusionError) {
        guard rank >= 1 else { throw DiffusionError(.invalidArgument, "LoRA rank: expected at least 1, got \(rank)") }
        guard alpha > 0, alpha.isFinite else { throw DiffusionError(.invalidArgument, "LoRA alpha: expected a positive number, got \(alpha)") }
        guard !targets.isEmpty else { throw DiffusionError(.invalidArgument, "LoRA targets: none given") }
    }
}
