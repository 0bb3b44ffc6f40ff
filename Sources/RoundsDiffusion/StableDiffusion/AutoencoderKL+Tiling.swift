// port of https://github.com/huggingface/diffusers/blob/v0.42.1/src/diffusers/models/autoencoders/autoencoder_kl.py
// (`tiled_decode`, `blend_v`, `blend_h`, with tile_overlap_factor 0.25)
import RoundsTensor

extension AutoencoderKL {
    /// Decodes unscaled latents in overlapping tiles of `tile` latents (default: the VAE's `sample_size`
    /// over its factor, as diffusers' `enable_tiling()`), blending each tile into its upper and left
    /// neighbours linearly over a quarter of a tile, so memory is that of one tile. Latents no larger than
    /// a tile decode in one piece.
    public func tiledDecode(_ z: Tensor, tile: Int? = nil) -> Tensor {
        let f = config.downsamplingFactor
        let latentTile = max(tile ?? config.sampleSize / f, 1), sampleTile = latentTile * f
        let h = z.shape[2], w = z.shape[3]
        guard h > latentTile || w > latentTile else { return decode(z) }
        let overlap = max(Int(Float(latentTile) * 0.75), 1)
        let blend = Int(Float(sampleTile) * 0.25), limit = sampleTile - blend
        var rows: [[Tensor]] = []
        for i in stride(from: 0, to: h, by: overlap) {
            var row: [Tensor] = []
            for j in stride(from: 0, to: w, by: overlap) {
                let piece = z.slice(axis: 2, start: i, length: min(latentTile, h - i))
                    .slice(axis: 3, start: j, length: min(latentTile, w - j))
                row.append(withoutGradients { decode(piece) })
            }
            rows.append(row)
        }
        var out: [Tensor] = []
        for i in rows.indices {
            var parts: [Tensor] = []
            for j in rows[i].indices {
                var t = rows[i][j]
                if i > 0 { t = Self.blend(rows[i - 1][j], into: t, extent: blend, axis: 2) }
                if j > 0 { t = Self.blend(rows[i][j - 1], into: t, extent: blend, axis: 3) }
                rows[i][j] = t  // diffusers blends in place: later tiles see the blended neighbour
                parts.append(t.slice(axis: 2, start: 0, length: min(limit, t.shape[2])).slice(axis: 3, start: 0, length: min(limit, t.shape[3])))
            }
            out.append(Tensor.concat(parts, axis: 3))
        }
        return Tensor.concat(out, axis: 2)
    }

    /// `b[..., y, ...] = a[..., -e + y, ...]·(1 - y/e) + b[..., y, ...]·(y/e)` for the first `e` rows (axis 2)
    /// or columns (axis 3), `e = min(extent, a's size, b's size)`.
    static func blend(_ a: Tensor, into b: Tensor, extent: Int, axis: Int) -> Tensor {
        let e = min(extent, a.shape[axis], b.shape[axis])
        guard e > 0 else { return b }
        var out = b.scalars
        let (n, c) = (b.shape[0], b.shape[1])
        let (ah, aw, bh, bw) = (a.shape[2], a.shape[3], b.shape[2], b.shape[3])
        let av = a.scalars
        for p in 0..<(n * c) {
            for k in 0..<e {
                let wb = Float(k) / Float(e), wa = 1 - wb
                if axis == 2 {
                    for x in 0..<bw where x < aw {
                        let bi = p * bh * bw + k * bw + x, ai = p * ah * aw + (ah - e + k) * aw + x
                        out[bi] = av[ai] * wa + out[bi] * wb
                    }
                } else {
                    for y in 0..<bh where y < ah {
                        let bi = p * bh * bw + y * bw + k, ai = p * ah * aw + y * aw + (aw - e + k)
                        out[bi] = av[ai] * wa + out[bi] * wb
                    }
                }
            }
        }
        return Tensor(shape: b.shape, scalars: out)
    }
}
