/// Group normalisation of `x [N, C, S…]` (`S` = product of the spatial sizes), optionally followed by
/// SiLU in the same pass: the data splits into `N·groups` contiguous groups of `C/groups · S`
/// elements; each is standardised with its mean `μ` and `rstd = 1/√(var + eps)` (biased variance),
/// `x̂ = (x - μ)·rstd`, `h = x̂·γ_c + β_c`, and `y = h` or `y = silu(h)`.
///
/// The tape keeps the input and two floats per group, not `x̂` (nor SiLU's input): backward
/// recomputes `x̂` and `h` in its passes, which read no more memory than the saved arrays would.
struct GroupNormKernel {
    let groups, groupsPerSample, channelsPerGroup, spatial: Int
    let eps: Float
    let silu: Bool

    var size: Int { channelsPerGroup * spatial }
    var channels: Int { groupsPerSample * channelsPerGroup }

    /// Mean and `1/σ` of each group. Sums run in eight float lanes over blocks of 256 elements,
    /// accumulated across blocks in Double; the variance is the second pass `Σ (x - μ)²`.
    func statistics(_ x: UnsafePointer<Float>, group gi: Int) -> (mean: Float, rstd: Float) {
        let base = x + gi * size
        var s: Double = 0, i = 0
        while i < size { let c = Swift.min(256, size - i); s += Double(sum8(base + i, count: c)); i += c }
        let mu = s / Double(size), m8 = Float8(repeating: Float(mu))
        var v: Double = 0
        i = 0
        while i < size {
            let c = Swift.min(256, size - i)
            var acc = Float8(), j = 0
            while j + 8 <= c { let d = base.load8(i + j) - m8; acc += d * d; j += 8 }
            if j < c {
                var d = loadPartial(base + i + j, c - j) - m8
                for l in (c - j)..<8 { d[l] = 0 }
                acc += d * d
            }
            v += Double(acc.sum())
            i += c
        }
        return (Float(mu), Float(1 / (v / Double(size) + Double(eps)).squareRoot()))
    }

    /// `y` and the per-group `(mean, rstd)` the backward pass needs.
    func forward(_ x: [Float], gamma: [Float], beta: [Float]) -> (y: [Float], mean: [Float], rstd: [Float]) {
        var mean = [Float](repeating: 0, count: groups), rstd = mean
        let y = x.withUnsafeBufferPointer { px in
            makeScalars(x.count) { d in
                mean.withUnsafeMutableBufferPointer { pm in
                    rstd.withUnsafeMutableBufferPointer { pr in
                        let (yp, mp, rp) = (SendablePointer(d), SendablePointer(pm.baseAddress!), SendablePointer(pr.baseAddress!))
                        parallelChunks(groups, costPerItem: size * 4) { range in
                            for gi in range {
                                let (m, r) = statistics(px.baseAddress!, group: gi)
                                mp.p[gi] = m; rp.p[gi] = r
                                let cbase = (gi % groupsPerSample) * channelsPerGroup
                                let (m8, r8) = (Float8(repeating: m), Float8(repeating: r))
                                for cj in 0..<channelsPerGroup {
                                    let o = gi * size + cj * spatial
                                    let g8 = Float8(repeating: gamma[cbase + cj]), b8 = Float8(repeating: beta[cbase + cj])
                                    if silu {
                                        map8(px.baseAddress! + o, yp.p + o, spatial) { silu8((($0 - m8) * r8) * g8 + b8) }
                                    } else {
                                        map8(px.baseAddress! + o, yp.p + o, spatial) { (($0 - m8) * r8) * g8 + b8 }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (y, mean, rstd)
    }

    /// With `dh = gy` (or, after SiLU, `gy · silu'(h)`) and `dx̂ = dh·γ`:
    /// `dx = rstd · (dx̂ - mean(dx̂) - x̂ · mean(dx̂ · x̂))` per group, `dγ_c = Σ dh · x̂`, `dβ_c = Σ dh`.
    func backward(gy: [Float], x: [Float], mean: [Float], rstd: [Float], gamma: [Float], beta: [Float])
        -> (dx: [Float], dgamma: [Float], dbeta: [Float]) {
        // per-group partial sums of dγ, dβ, merged after the parallel loop
        var partG = [Float](repeating: 0, count: groups * channelsPerGroup), partB = partG
        let dx = makeScalars(gy.count) { d in
            gy.withUnsafeBufferPointer { pgy in x.withUnsafeBufferPointer { px in
            partG.withUnsafeMutableBufferPointer { pg in partB.withUnsafeMutableBufferPointer { pb in
                let (dp, gp, bp) = (SendablePointer(d), SendablePointer(pg.baseAddress!), SendablePointer(pb.baseAddress!))
                parallelChunks(groups, costPerItem: size * 6) { range in
                    for gi in range {
                        let cbase = (gi % groupsPerSample) * channelsPerGroup
                        let (m8, r8) = (Float8(repeating: mean[gi]), Float8(repeating: rstd[gi]))
                        var s1: Float = 0, s2: Float = 0
                        for cj in 0..<channelsPerGroup {
                            let o = gi * size + cj * spatial, g = gamma[cbase + cj]
                            let xo = px.baseAddress! + o
                            var dh = pgy.baseAddress! + o
                            if silu {
                                // dh = gy · silu'(h), parked in dx until the second pass
                                let g8 = Float8(repeating: g), b8 = Float8(repeating: beta[cbase + cj])
                                zip8(xo, dh, dp.p + o, spatial) { xv, gv in siluBackward8(((xv - m8) * r8) * g8 + b8, gv) }
                                dh = UnsafePointer(dp.p + o)
                            }
                            var sg = Float8(), sgx = Float8(), i = 0
                            while i + 8 <= spatial {
                                let gv = dh.load8(i)
                                sg += gv; sgx += gv * ((xo.load8(i) - m8) * r8); i += 8
                            }
                            if i < spatial {
                                let gv = loadPartial(dh + i, spatial - i)  // zero-padded: adds nothing
                                sg += gv; sgx += gv * ((loadPartial(xo + i, spatial - i) - m8) * r8)
                            }
                            let (a, b) = (sgx.sum(), sg.sum())
                            gp.p[gi * channelsPerGroup + cj] = a
                            bp.p[gi * channelsPerGroup + cj] = b
                            s1 += g * b; s2 += g * a
                        }
                        let m1 = Float8(repeating: s1 / Float(size)), m2 = Float8(repeating: s2 / Float(size))
                        for cj in 0..<channelsPerGroup {
                            let o = gi * size + cj * spatial, g8 = Float8(repeating: gamma[cbase + cj])
                            let dh = silu ? UnsafePointer(dp.p + o) : pgy.baseAddress! + o
                            zip8(px.baseAddress! + o, dh, dp.p + o, spatial) { xv, gv in
                                r8 * (gv * g8 - m1 - ((xv - m8) * r8) * m2)
                            }
                        }
                    }
                }
            } } } }
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
    /// Group normalisation (PyTorch `group_norm`): `x [N, C, ...]` split into `groups` groups of
    /// `C/groups` channels; `weight`, `bias` `[C]`.
    public static func groupNorm(_ x: Tensor, groups: Int, weight: Tensor?, bias: Tensor?, eps: Float = 1e-5) -> Tensor {
        groupNorm(x, groups: groups, weight: weight, bias: bias, eps: eps, silu: false)
    }

    /// `silu(groupNorm(x))` in one pass (the resnet blocks' `silu(norm(x))`), with less memory on the
    /// tape than the two ops apart.
    public static func groupNormSiLU(_ x: Tensor, groups: Int, weight: Tensor?, bias: Tensor?, eps: Float = 1e-5) -> Tensor {
        groupNorm(x, groups: groups, weight: weight, bias: bias, eps: eps, silu: true)
    }

    private static func groupNorm(_ x: Tensor, groups: Int, weight: Tensor?, bias: Tensor?, eps: Float, silu: Bool) -> Tensor {
        precondition(x.rank >= 2 && groups > 0 && x.shape[1] % groups == 0, "groupNorm: \(groups) groups for input \(x.shape)")
        let c = x.shape[1], spatial = x.count / Swift.max(x.shape[0] * c, 1)
        if let weight { precondition(weight.shape == [c], "groupNorm: weight \(weight.shape) for \(c) channels") }
        if let bias { precondition(bias.shape == [c], "groupNorm: bias \(bias.shape) for \(c) channels") }
        let kernel = GroupNormKernel(groups: x.shape[0] * groups, groupsPerSample: groups, channelsPerGroup: c / groups,
                                     spatial: spatial, eps: eps, silu: silu)
        let gamma = weight?.scalars ?? [Float](repeating: 1, count: c)
        let beta = bias?.scalars ?? [Float](repeating: 0, count: c)
        let xs = x.scalars
        let (y, mean, rstd) = kernel.forward(xs, gamma: gamma, beta: beta)
        var out = Tensor(uncheckedShape: x.shape, scalars: y)
        var inputs = [x]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let hasWeight = weight != nil
        out.record(inputs, detail: "\(c) channels, \(spatial) positions\(silu ? " + SiLU" : "")") { gy, _ in
            let (dx, dg, db) = kernel.backward(gy: gy, x: xs, mean: mean, rstd: rstd, gamma: gamma, beta: beta)
            var grads: [[Float]?] = [dx]
            if hasWeight { grads.append(dg) }
            if inputs.count > grads.count { grads.append(db) }
            return grads
        }
        return out
    }
}
