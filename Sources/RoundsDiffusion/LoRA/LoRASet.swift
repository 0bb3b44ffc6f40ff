import RoundsTensor

/// The low-rank adapters attached to a Stable Diffusion pipeline's UNet (and, for loaded files, its text
/// encoder): one `LoRAAdapter` per adapted layer, named by the layer's diffusers path.
///
/// As a `Module`, its parameters are the adapters' weights under their diffusers file names
/// (`unet.<path>.lora.down.weight`), so the optimizer, the training state and the adapter file share
/// one naming. Attaching freezes nothing by itself; `LatentTrainer` freezes the base.
public final class LoRASet: Module {
    public enum Component: String, Sendable { case unet, textEncoder = "text_encoder" }

    public struct Entry {
        public let component: Component
        /// The adapted layer's dotted path inside its component (`down_blocks.0.…attn1.to_q`).
        public let path: String
        public let adapter: LoRAAdapter
        let host: any Module
    }

    public private(set) var entries: [Entry]

    init(entries: [Entry]) { self.entries = entries }

    public var ownParameters: [(String, Parameter)] {
        entries.flatMap { e -> [(String, Parameter)] in
            let base = e.component.rawValue + "." + (e.component == .textEncoder ? "text_model." : "") + e.path
            return [(base + ".lora.down.weight", e.adapter.down), (base + ".lora.up.weight", e.adapter.up)]
        }
    }

    /// Whether the adapters take part in forward passes; off gives the base model (DPO's reference).
    public var isEnabled: Bool {
        get { entries.first?.adapter.isEnabled ?? false }
        set { for e in entries { e.adapter.isEnabled = newValue } }
    }

    /// Adds new adapters (`B` zero, so the output is unchanged) to every linear layer of `unet` whose path
    /// ends with one of `config.targets`.
    ///
    /// - Throws: `.invalidArgument` for a bad config, a target that matches no layer, or a layer that
    ///   already has an adapter.
    public static func attach(_ config: LoRAConfig, to unet: UNet2DConditionModel, seed: UInt64 = 0) throws(DiffusionError) -> LoRASet {
        try config.validate()
        var rng = PCG32(seed: seed)
        var entries: [Entry] = []
        var matched = Set<String>()
        for (path, module) in unet.namedModules() {
            guard let linear = module as? Linear, let target = config.targets.first(where: { path == $0 || path.hasSuffix("." + $0) }) else { continue }
            guard linear.adapter == nil else {
                throw DiffusionError(.invalidArgument, "LoRA: \(path) already has an adapter")
            }
            let a = LoRAAdapter(inFeatures: linear.inFeatures, outFeatures: linear.outFeatures, rank: config.rank,
                                alpha: config.alpha, rng: &rng)
            linear.adapter = a
            entries.append(Entry(component: .unet, path: path, adapter: a, host: linear))
            matched.insert(target)
        }
        if let missing = config.targets.first(where: { !matched.contains($0) }) {
            let set = LoRASet(entries: entries)
            set.detach()
            throw DiffusionError(.invalidArgument, "LoRA target '\(missing)' matches no linear layer of the UNet (known attention and feed-forward names: \((LoRAConfig.attentionTargets + LoRAConfig.feedForwardTargets).joined(separator: ", ")))")
        }
        return LoRASet(entries: entries)
    }

    /// Removes every adapter from its layer: the pipeline is its base again.
    public func detach() {
        for e in entries {
            if let l = e.host as? Linear, l.adapter === e.adapter { l.adapter = nil }
            if let c = e.host as? Conv2d, c.adapter === e.adapter { c.adapter = nil }
        }
        entries = []
    }

    /// Rank and alpha when every adapter shares them (a trained set), else nil.
    public var uniformShape: (rank: Int, alpha: Float)? {
        guard let first = entries.first else { return nil }
        let same = entries.allSatisfy { $0.adapter.rank == first.adapter.rank && $0.adapter.alpha == first.adapter.alpha }
        return same ? (first.adapter.rank, first.adapter.alpha) : nil
    }

    /// Number of trainable values.
    public var parameterCount: Int { ownParameters.reduce(0) { $0 + $1.1.value.count } }
}
