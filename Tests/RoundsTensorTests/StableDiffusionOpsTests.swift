import Foundation
import Testing
@testable import RoundsTensor

/// The ops Stable Diffusion's text encoder, VAE and UNet add: finite-difference gradients and
/// reference values computed by hand.
@Suite struct StableDiffusionOpsTests {
    @Test func causalAttentionGradients() {
        checkGradients([randn([2, 5, 6], seed: 41), randn([2, 5, 6], seed: 42), randn([2, 5, 6], seed: 43)], "causalAttention") {
            Tensor.causalAttention(query: $0[0], key: $0[1], value: $0[2], heads: 2)
        }
    }

    /// Token i's output equals plain attention over tokens 0...i alone, and never depends on later tokens.
    @Test func causalAttentionSeesOnlyThePast() {
        let q = randn([1, 4, 4], seed: 1), k = randn([1, 4, 4], seed: 2), v = randn([1, 4, 4], seed: 3)
        let y = Tensor.causalAttention(query: q, key: k, value: v, heads: 2)
        for i in 0..<4 {
            let full = Tensor.attention(query: q.slice(axis: 1, start: i, length: 1), key: k.slice(axis: 1, start: 0, length: i + 1),
                                        value: v.slice(axis: 1, start: 0, length: i + 1), heads: 2)
            expectClose(y.slice(axis: 1, start: i, length: 1), full, "token \(i)")
        }
        var k2 = k.scalars
        for j in 12..<16 { k2[j] += 5 }  // the last token's key
        let y2 = Tensor.causalAttention(query: q, key: Tensor(shape: k.shape, scalars: k2), value: v, heads: 2)
        expectClose(y2.slice(axis: 1, start: 0, length: 3), y.slice(axis: 1, start: 0, length: 3), "earlier tokens unchanged")
    }

    @Test func quickGELU() {
        checkGradients([randn([3, 7], seed: 5)], "quickGELU") { $0[0].quickGELU() }
        let y = Tensor(shape: [3], scalars: [-1, 0, 2]).quickGELU()
        expectClose(y, Tensor(shape: [3], scalars: [-1 / (1 + exp(1.702)), 0, 2 / (1 + exp(-3.404))]), "values")
    }

    @Test func geglu() {
        checkGradients([randn([2, 3, 8], seed: 6)], "geglu") { $0[0].geglu() }
        let x = randn([2, 6], seed: 7)
        let halves = x.split(sizes: [3, 3], axis: 1)
        expectClose(x.geglu(), halves[0] * halves[1].gelu(), "h · gelu(g)")
    }

    @Test func clamped() {
        // points away from the kinks at ±0.5, where a central difference straddles them
        let x = Tensor(shape: [6], scalars: [-2, -0.9, -0.2, 0.1, 0.3, 1.7])
        checkGradients([x], "clamped") { $0[0].clamped(-0.5, 0.5) }
        #expect(x.clamped(-0.5, 0.5).scalars == [-0.5, -0.5, -0.2, 0.1, 0.3, 0.5])
    }

    @Test func zeroPadded() {
        checkGradients([randn([2, 3, 4, 5], seed: 8)], "zeroPadded") { $0[0].zeroPadded(top: 1, bottom: 2, left: 0, right: 1) }
        let y = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4]).zeroPadded(bottom: 1, right: 1)
        #expect(y.shape == [1, 1, 3, 3])
        #expect(y.scalars == [1, 2, 0, 3, 4, 0, 0, 0, 0])
    }
}
