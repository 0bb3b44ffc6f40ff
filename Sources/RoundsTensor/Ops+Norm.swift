import Foundation

/// Kernel of layer norm (group norm has its own, `GroupNormKernel`): the data splits into `groups`
/// contiguous runs of `size` elements; each is standardised (biased variance, `eps` inside the root),
/// then scaled and shifted per channel. Inside a group, channel `cbase + j / run` owns `run`
/// consecutive elements, with `cbase = (group mod groupsPerSample) · channelsPerGroup` (layer norm:
/// one group per row, `run = 1`).
struct Standardizer {
    let groups, size, groupsPerSample, channelsPerGroup, run: Int
    let eps: Float

    var channels: Int { groupsPerSample * channelsPerGroup }

    /// Returns `y`, `xhat` and `1/σ` per group.
    func forward(_ x: [Float], gamma: [Float], beta: [Float]) -> (y: [Float], xhat: [Float], rstd: [Float]) {
        var xhat = [Float](repeating: 0, count: x.count), y = [Float](repeating: 0, count: x.count)
        var rstd = [Float](repeating: 0, count: groups)
        x.withUnsafeBufferPointer { px in
            xhat.withUnsafeMutableBufferPointer { ph in
                y.withUnsafeMutableBufferPointer { py in
                    rstd.withUnsafeMutableBufferPointer { pr in
                        let (hp, yp, rp) = (SendablePointer(ph.baseAddress!), SendablePointer(py.baseAddress!), SendablePointer(pr.baseAddress!))
                        parallelChunks(groups, costPerItem: size * 4) { range in
                            for gi in range {
                                let base = gi * size
                                var s: Double = 0
                                for j in 0..<size { s += Double(px[base + j]) }
                                let mu = s / Double(size)
                                var v: Double = 0
                                for j in 0..<size { let d = Double(px[base + j]) - mu; v += d * d }
                                let r = Float(1 / (v / Double(size) + Double(eps)).squareRoot())
                                rp.p[gi] = r
                                let m = Float(mu), cbase = (gi % groupsPerSample) * channelsPerGroup
                                for cj in 0..<channelsPerGroup {
                                    let g = gamma[cbase + cj], b = beta[cbase + cj], o = base + cj * run
                                    for i in 0..<run {
                                        let h = (px[o + i] - m) * r
                                        hp.p[o + i] = h
                                        yp.p[o + i] = h * g + b
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (y, xhat, rstd)
    }

    /// `dx = rstd · (dxhat - mean(dxhat) - xhat · mean(dxhat · xhat))` per group, with `dxhat = gy · γ`;
    /// `dγ_c = Σ gy · xhat`, `dβ_c = Σ gy`.
    func backward(gy: [Float], xhat: [Float], rstd: [Float], gamma: [Float]) -> (dx: [Float], dgamma: [Float], dbeta: [Float]) {
        var dx = [Float](repeating: 0, count: gy.count)
        // per-group partial sums of dγ, dβ, merged after the parallel loop
        var partG = [Float](repeating: 0, count: groups * channelsPerGroup), partB = partG
        dx.withUnsafeMutableBufferPointer { pd in
            partG.withUnsafeMutableBufferPointer { pg in
                partB.withUnsafeMutableBufferPointer { pb in
                    let (dp, gp, bp) = (SendablePointer(pd.baseAddress!), SendablePointer(pg.baseAddress!), SendablePointer(pb.baseAddress!))
                    parallelChunks(groups, costPerItem: size * 4) { range in
                        for gi in range {
                            let base = gi * size, cbase = (gi % groupsPerSample) * channelsPerGroup
                            var s1: Float = 0, s2: Float = 0
                            for cj in 0..<channelsPerGroup {
                                let g = gamma[cbase + cj], o = base + cj * run
                                var sg: Float = 0, sgx: Float = 0
                                for i in 0..<run { sg += gy[o + i]; sgx += gy[o + i] * xhat[o + i] }
                                gp.p[gi * channelsPerGroup + cj] = sgx
                                bp.p[gi * channelsPerGroup + cj] = sg
                                s1 += g * sg; s2 += g * sgx
                            }
                            let m1 = s1 / Float(size), m2 = s2 / Float(size), r = rstd[gi]
                            for cj in 0..<channelsPerGroup {
                                let g = gamma[cbase + cj], o = base + cj * run
                                for i in 0..<run { dp.p[o + i] = r * (gy[o + i] * g - m1 - xhat[o + i] * m2) }
                            }
                        }
                    }
                }
            }
        }
        var dgamma = [Float](repeating: 0, count: channels), dbeta = dgamma
        for gi in 0..<groups {
            let cbase = (gi % groupsPerSample) * channelsPerGroup
            for cj in 0..<channelsPerGroup {
                dgamma[cbase + cj] += partG[gi * channelsPerGroup + cj]
                dbeta[cbase + cj] += partB[gi * channelsPerGroup + cj]
            }
        }
        return (dx, dgamma, dbeta)
    }
}

extension Tensor {
    /// Layer normalisation over the last dimension (PyTorch `layer_norm` with `normalized_shape = [D]`).
    public static func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float = 1e-5) -> Tensor {
        let d = x.shape.last ?? 1
        if let weight { precondition(weight.shape == [d], "layerNorm: weight \(weight.shape) for last dimension \(d)") }
        if let bias { precondition(bias.shape == [d], "layerNorm: bias \(bias.shape) for last dimension \(d)") }
        let std = Standardizer(groups: x.count / Swift.max(d, 1), size: d, groupsPerSample: 1, channelsPerGroup: d, run: 1, eps: eps)
        return normalized(x, std, weight: weight, bias: bias)
    }

    private static func normalized(_ x: Tensor, _ std: Standardizer, weight: Tensor?, bias: Tensor?) -> Tensor {
        let gamma = weight?.scalars ?? [Float](repeating: 1, count: std.channels)
        let (y, xhat, rstd) = std.forward(x.scalars, gamma: gamma, beta: bias?.scalars ?? [Float](repeating: 0, count: std.channels))
        var out = Tensor(uncheckedShape: x.shape, scalars: y)
        var inputs = [x]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let hasWeight = weight != nil
        out.record(inputs) { gy, _ in
            let (dx, dg, db) = std.backward(gy: gy, xhat: xhat, rstd: rstd, gamma: gamma)
            var grads: [[Float]?] = [dx]
            if hasWeight { grads.append(dg) }
            if inputs.count > grads.count { grads.append(db) }
            return grads
        }
        return out
    }
}
