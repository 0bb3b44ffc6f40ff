// port of https://github.com/huggingface/diffusers/blob/v0.42.1/src/diffusers/models/transformers/transformer_2d.py
// (`Transformer2DModel` for continuous inputs) and models/attention.py (`BasicTransformerBlock`,
// `FeedForward` with GEGLU, norm_type "layer_norm"), as Stable Diffusion 1.x/2.x configure them
import RoundsTensor

/// diffusers' `Attention` inside a transformer block: `to_q`, `to_k`, `to_v` without bias, `to_out.0`
/// with; keys and values come from `context` (cross-attention) or the input (self-attention).
/// `upcast_attention` asks for float32 scores, which is what Rounds always computes.
final class TransformerAttention: Module {
    let toQ: Linear, toK: Linear, toV: Linear, toOut: Linear
    let heads: Int

    init(_ dim: Int, context: Int, heads: Int, headDim: Int, rng: inout PCG32) {
        let inner = heads * headDim
        toQ = Linear(dim, inner, bias: false, rng: &rng)
        toK = Linear(context, inner, bias: false, rng: &rng)
        toV = Linear(context, inner, bias: false, rng: &rng)
        toOut = Linear(inner, dim, rng: &rng)
        self.heads = heads
    }

    var children: [(String, any Module)] { [("to_q", toQ), ("to_k", toK), ("to_v", toV), ("to_out.0", toOut)] }

    func callAsFunction(_ x: Tensor, context: Tensor? = nil) -> Tensor {
        let c = context ?? x
        return toOut(Tensor.attention(query: toQ(x), key: toK(c), value: toV(c), heads: heads))
    }
}

/// `BasicTransformerBlock`: `h += attn1(norm1(h))`, `h += attn2(norm2(h), context)`,
/// `h += ff.net.2(geglu(ff.net.0.proj(norm3(h))))` over tokens `[B, T, dim]`.
final class BasicTransformerBlock: Module {
    let norm1: LayerNorm, attn1: TransformerAttention, norm2: LayerNorm, attn2: TransformerAttention
    let norm3: LayerNorm, ffIn: Linear, ffOut: Linear

    init(_ dim: Int, context: Int, heads: Int, headDim: Int, rng: inout PCG32) {
        norm1 = LayerNorm(dim)
        attn1 = TransformerAttention(dim, context: dim, heads: heads, headDim: headDim, rng: &rng)
        norm2 = LayerNorm(dim)
        attn2 = TransformerAttention(dim, context: context, heads: heads, headDim: headDim, rng: &rng)
        norm3 = LayerNorm(dim)
        ffIn = Linear(dim, dim * 8, rng: &rng)
        ffOut = Linear(dim * 4, dim, rng: &rng)
    }

    var children: [(String, any Module)] {
        [("norm1", norm1), ("attn1", attn1), ("norm2", norm2), ("attn2", attn2), ("norm3", norm3),
         ("ff.net.0.proj", ffIn), ("ff.net.2", ffOut)]
    }

    func callAsFunction(_ x: Tensor, context: Tensor) -> Tensor {
        var h = x + attn1(norm1(x))
        h = h + attn2(norm2(h), context: context)
        return h + ffOut(ffIn(norm3(h)).geglu())
    }
}

/// `Transformer2DModel`: group norm (ε 1e-6), `proj_in` (a 1x1 convolution, or a linear layer on the
/// tokens with `use_linear_projection`), transformer blocks over the `H·W` tokens, `proj_out` likewise,
/// plus the input.
final class Transformer2DModel: Module {
    let norm: GroupNorm
    let projIn: any Module, projOut: any Module
    let blocks: [BasicTransformerBlock]
    let linear: Bool

    init(_ channels: Int, heads: Int, context: Int, layers: Int, groups: Int, linearProjection: Bool, rng: inout PCG32) {
        let headDim = channels / heads, inner = heads * headDim
        norm = GroupNorm(groups: groups, channels: channels, eps: 1e-6)
        linear = linearProjection
        if linearProjection {
            projIn = Linear(channels, inner, rng: &rng)
        } else {
            projIn = Conv2d(channels, inner, kernel: 1, rng: &rng)
        }
        blocks = (0..<layers).map { _ in BasicTransformerBlock(inner, context: context, heads: heads, headDim: headDim, rng: &rng) }
        if linearProjection {
            projOut = Linear(inner, channels, rng: &rng)
        } else {
            projOut = Conv2d(inner, channels, kernel: 1, rng: &rng)
        }
    }

    var children: [(String, any Module)] {
        [("norm", norm), ("proj_in", projIn), ("transformer_blocks", ModuleList(blocks)), ("proj_out", projOut)]
    }

    func callAsFunction(_ x: Tensor, context: Tensor) -> Tensor {
        let h = x.shape[2], w = x.shape[3]
        var t: Tensor
        if linear {
            t = (projIn as! Linear)(norm(x).spatialTokens())
        } else {
            t = (projIn as! Conv2d)(norm(x)).spatialTokens()
        }
        for block in blocks { t = block(t, context: context) }
        let y = linear ? (projOut as! Linear)(t).spatialImage(height: h, width: w)
            : (projOut as! Conv2d)(t.spatialImage(height: h, width: w))
        return y + x
    }
}
