import Testing
@testable import RoundsTensor

/// The shifted-GEMM convolution against the im2col path (itself checked against finite differences
/// and PyTorch), on odd shapes and batches where a wrong shift or plane stride would show; and the
/// tape's memory behaviour that the 2 GB budget of a 64x64 training step relies on.
@Suite struct ShiftedConvTests {
    @Test(arguments: [(3, 1, 3, 5, 7, 9), (3, 0, 2, 4, 6, 5), (2, 1, 1, 3, 5, 5), (5, 2, 2, 3, 9, 6), (3, 2, 1, 2, 4, 4)])
    func matchesIm2col(k: Int, padding: Int, n: Int, c: Int, h: Int, w: Int) throws {
        let o = 4
        var rng = PCG32(seed: UInt64(k * 100 + padding * 10 + n))
        let x = Tensor.randomNormal([n, c, h, w], using: &rng)
        let wt = Tensor.randomNormal([o, c, k, k], std: 0.3, using: &rng)
        let b = Tensor.randomNormal([o], using: &rng)
        func run(_ shifted: Bool) throws -> [Tensor] {
            try ShiftedConv.$policy.withValue(shifted ? .always : .never) { try ImageParallelConv.$policy.withValue(.never) {
                let (xv, wv, bv) = (x.trackingGradient(), wt.trackingGradient(), b.trackingGradient())
                let y = Tensor.conv2d(xv, weight: wv, bias: bv, stride: 1, padding: padding)
                var seedRNG = PCG32(seed: 3)
                y.backward(seed: Tensor.randomNormal(y.shape, using: &seedRNG))
                return [y.detached, try #require(xv.grad), try #require(wv.grad), try #require(bv.grad)]
            } }
        }
        let (fast, reference) = (try run(true), try run(false))
        for (i, name) in ["y", "dx", "dw", "db"].enumerated() {
            expectClose(fast[i], reference[i], rtol: 1e-4, atol: 1e-4, "k \(k) pad \(padding): \(name)")
        }
    }

    @Test func attentionWithoutGradientsMatchesRecorded() {
        var rng = PCG32(seed: 11)
        let q = Tensor.randomNormal([2, 6, 8], using: &rng), k = Tensor.randomNormal([2, 5, 8], using: &rng)
        let v = Tensor.randomNormal([2, 5, 8], using: &rng)
        let recorded = Tensor.attention(query: q.trackingGradient(), key: k, value: v, heads: 2)
        let plain = withoutGradients { Tensor.attention(query: q, key: k, value: v, heads: 2) }
        #expect(recorded.requiresGradient && !plain.requiresGradient)
        expectClose(plain, recorded.detached, rtol: 0, atol: 0, "attention output")
    }

    @Test func backwardFreesWhatTheTapeSaved() {
        // After backward the graph's closures are gone: `input` is again the only owner of its buffer.
        // built at run time: a constant literal may become a static, never uniquely owned buffer
        var input = (1...4).map { Float($0) }
        let y: Tensor
        do {
            let x = Tensor(shape: [4], scalars: input).trackingGradient()
            y = (x.silu() * x).sum()
        }
        y.backward()
        #expect(isUnique(&input), "the tape still holds the input after backward")
        withExtendedLifetime(y) {}
    }

    @Test func addKeepsNoOperandOnTheTape() {
        var operand = (4...6).map { Float($0) }
        let a = Tensor(shape: [3], scalars: [1, 2, 3]).trackingGradient()
        let y: Tensor
        do { y = a + Tensor(shape: [3], scalars: operand) }
        #expect(isUnique(&operand), "a + b keeps its operand alive for a backward that never reads it")
        withExtendedLifetime(y) {}
    }

    private func isUnique(_ a: inout [Float]) -> Bool {
        // Copy-on-write: a write to a uniquely owned buffer keeps its address.
        let before = a.withUnsafeBufferPointer { $0.baseAddress }
        a[0] += 0
        return a.withUnsafeBufferPointer { $0.baseAddress } == before
    }

    @Test func automaticChoiceFollowsTheMeasuredRule() {
        func geometry(_ c: Int, _ size: Int) -> ConvGeometry {
            ConvGeometry(c: c, h: size, w: size, kh: 3, kw: 3, stride: 1, padding: 1, ho: size, wo: size)
        }
        // AVX-512 kernels: 64x64 planes' forward and input gradient; never the weight gradient
        #expect(ShiftedConv.favours(.forward, geometry(64, 64), avx512: true))
        #expect(ShiftedConv.favours(.inputGradient, geometry(128, 64), avx512: true))
        #expect(!ShiftedConv.favours(.inputGradient, geometry(128, 32), avx512: true), "image-parallel im2col is ahead at 32x32")
        #expect(!ShiftedConv.favours(.weightGradient, geometry(64, 64), avx512: true))
        #expect(!ShiftedConv.favours(.forward, geometry(64, 32), avx512: true))
        #expect(!ShiftedConv.favours(.forward, geometry(128, 16), avx512: true))
        // AVX2 kernels: never; stride 2 or 1x1: never
        #expect(!ShiftedConv.favours(.forward, geometry(64, 64), avx512: false))
        let strided = ConvGeometry(c: 64, h: 64, w: 64, kh: 3, kw: 3, stride: 2, padding: 1, ho: 32, wo: 32)
        #expect(!ShiftedConv.favours(.forward, strided, avx512: true))
    }
}
