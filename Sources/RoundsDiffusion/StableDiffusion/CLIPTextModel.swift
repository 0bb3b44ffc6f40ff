// port of transformers 5 src/transformers/models/clip/modeling_clip.py (`CLIPTextTransformer`:
// embeddings, pre-norm encoder layers with causal self-attention, final layer norm)
import RoundsTensor

/// One encoder layer: `h += out_proj(causalAttention(layer_norm1(h)))`, `h += fc2(act(fc1(layer_norm2(h))))`.
final class CLIPEncoderLayer: Module {
    let norm1: LayerNorm, q: Linear, k: Linear, v: Linear, out: Linear, norm2: LayerNorm, fc1: Linear, fc2: Linear
    let heads: Int, quick: Bool

    init(_ c: CLIPTextConfig, rng: inout PCG32) {
        norm1 = LayerNorm(c.hiddenSize, eps: c.layerNormEps)
        q = Linear(c.hiddenSize, c.hiddenSize, rng: &rng)
        k = Linear(c.hiddenSize, c.hiddenSize, rng: &rng)
        v = Linear(c.hiddenSize, c.hiddenSize, rng: &rng)
        out = Linear(c.hiddenSize, c.hiddenSize, rng: &rng)
        norm2 = LayerNorm(c.hiddenSize, eps: c.layerNormEps)
        fc1 = Linear(c.hiddenSize, c.intermediateSize, rng: &rng)
        fc2 = Linear(c.intermediateSize, c.hiddenSize, rng: &rng)
        heads = c.heads
        quick = c.activation == "quick_gelu"
    }

    var children: [(String, any Module)] {
        [("layer_norm1", norm1), ("self_attn.q_proj", q), ("self_attn.k_proj", k), ("self_attn.v_proj", v),
         ("self_attn.out_proj", out), ("layer_norm2", norm2), ("mlp.fc1", fc1), ("mlp.fc2", fc2)]
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        let n = norm1(x)
        var h = x + out(Tensor.causalAttention(query: q(n), key: k(n), value: v(n), heads: heads))
        let m = fc1(norm2(h))
        h = h + fc2(quick ? m.quickGELU() : m.gelu())
        return h
    }
}

/// transformers' `CLIPTextModel` (the text encoder of Stable Diffusion): token ids `[B, T]` (T ≤
/// `max_position_embeddings`) -> `last_hidden_state [B, T, hidden]`. Parameter names are those of the
/// model without its `text_model.` prefix (transformers 5 writes them so; transformers 4's prefixed
/// names are mapped when loading).
public final class CLIPTextModel: Module {
    public let config: CLIPTextConfig
    let tokenEmbedding: Embedding, positionEmbedding: Embedding
    let layers: [CLIPEncoderLayer]
    let finalNorm: LayerNorm

    public init(config: CLIPTextConfig, rng: inout PCG32) {
        self.config = config
        tokenEmbedding = Embedding(config.vocabSize, config.hiddenSize, rng: &rng)
        positionEmbedding = Embedding(config.maxPositions, config.hiddenSize, rng: &rng)
        layers = (0..<config.layers).map { _ in CLIPEncoderLayer(config, rng: &rng) }
        finalNorm = LayerNorm(config.hiddenSize, eps: config.layerNormEps)
    }

    public var children: [(String, any Module)] {
        [("embeddings.token_embedding", tokenEmbedding), ("embeddings.position_embedding", positionEmbedding),
         ("encoder.layers", ModuleList(layers)), ("final_layer_norm", finalNorm)]
    }

    /// The hidden states of `ids` (`batch` rows of equal length).
    /// Precondition: ids within the vocabulary and rows no longer than the position table.
    public func callAsFunction(_ ids: [[Int]]) -> Tensor {
        let b = ids.count, t = ids.first?.count ?? 0
        precondition(ids.allSatisfy { $0.count == t } && t <= config.maxPositions, "CLIPTextModel: rows of unequal length or over \(config.maxPositions)")
        precondition(ids.joined().allSatisfy { $0 >= 0 && $0 < config.vocabSize }, "CLIPTextModel: token id outside the vocabulary of \(config.vocabSize)")
        let tokens = tokenEmbedding(Array(ids.joined())).reshaped([b, t, config.hiddenSize])
        let positions = positionEmbedding(Array(0..<t)).reshaped([1, t, config.hiddenSize])
        var h = tokens + positions
        for layer in layers { h = layer(h) }
        return finalNorm(h)
    }

    /// Maps a file's tensor name to the model's: drops transformers 4's `text_model.` prefix and the
    /// `position_ids` buffer some versions saved.
    static func parameterName(_ fileName: String) -> String? {
        let name = fileName.hasPrefix("text_model.") ? String(fileName.dropFirst("text_model.".count)) : fileName
        return name.hasSuffix("position_ids") ? nil : name
    }
}
