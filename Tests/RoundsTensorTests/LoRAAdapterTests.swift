import Testing
@testable import RoundsTensor

/// `LoRAAdapter` on `Linear` and 1x1 `Conv2d`, and frozen parameters.
@Suite struct LoRAAdapterTests {
    @Test func linearWithAdapterIsBasePlusScaledLowRankProduct() {
        var rng = PCG32(seed: 1)
        let layer = Linear(6, 5, rng: &rng)
        let x = randn([3, 6], seed: 2)
        let base = layer(x)
        let adapter = LoRAAdapter(down: randn([2, 6], seed: 3), up: randn([5, 2], seed: 4), alpha: 3)
        layer.adapter = adapter
        // By hand: y[n, o] = base[n, o] + 1.5 · Σ_r up[o, r] · Σ_i down[r, i] · x[n, i]
        let d = adapter.down.value.scalars, u = adapter.up.value.scalars, xs = x.scalars
        var expected = base.scalars
        for n in 0..<3 {
            for o in 0..<5 {
                var acc: Float = 0
                for r in 0..<2 {
                    var h: Float = 0
                    for i in 0..<6 { h += d[r * 6 + i] * xs[n * 6 + i] }
                    acc += u[o * 2 + r] * h
                }
                expected[n * 5 + o] += 1.5 * acc
            }
        }
        expectClose(layer(x), Tensor(shape: [3, 5], scalars: expected), "W x + b + (α/r) B A x")
        adapter.isEnabled = false
        #expect(layer(x).scalars == base.scalars)
    }

    @Test func aNewAdapterChangesNothingAndTrainsFromZero() {
        var rng = PCG32(seed: 1)
        let layer = Linear(4, 3, rng: &rng)
        let x = randn([2, 4], seed: 5)
        let base = layer(x)
        layer.adapter = LoRAAdapter(inFeatures: 4, outFeatures: 3, rank: 2, alpha: 2, rng: &rng)
        #expect(layer(x).scalars == base.scalars)
        #expect(layer.adapter!.up.value.scalars.allSatisfy { $0 == 0 })
        #expect(layer.adapter!.down.value.scalars.allSatisfy { abs($0) <= 0.5 } && layer.adapter!.down.value.scalars.contains { $0 != 0 })
    }

    @Test func pointwiseAdapterOfAConvolutionEqualsTheLinearOneOnEveryPixel() {
        let adapter = LoRAAdapter(down: randn([2, 3], seed: 3), up: randn([4, 2], seed: 4), alpha: 1)
        let x = randn([2, 3, 5, 5], seed: 6)
        let perPixel = adapter(x.spatialTokens()).spatialImage(height: 5, width: 5)
        expectClose(adapter.pointwise(x), perPixel, "1x1 convolution adapter")
        var rng = PCG32(seed: 2)
        let conv = Conv2d(3, 4, kernel: 1, rng: &rng)
        let base = conv(x)
        conv.adapter = adapter
        expectClose(conv(x), base + perPixel, "conv + adapter")
    }

    @Test func gradientsOfTheInputAndFrozenParametersGetNone() {
        let adapter = LoRAAdapter(down: randn([2, 6], seed: 3), up: randn([5, 2], seed: 4), alpha: 4)
        checkGradients([randn([3, 6], seed: 7)], "LoRA input") { adapter($0[0]) }
        var rng = PCG32(seed: 1)
        let layer = Linear(6, 5, rng: &rng)
        layer.adapter = adapter
        layer.setFrozen(true)
        adapter.zeroGrad()
        layer(randn([3, 6], seed: 8)).sum().backward()
        #expect(layer.weight.grad == nil && layer.bias?.grad == nil, "frozen base: no gradient")
        #expect(adapter.down.grad != nil && adapter.up.grad != nil, "the adapter still trains")
    }
}
