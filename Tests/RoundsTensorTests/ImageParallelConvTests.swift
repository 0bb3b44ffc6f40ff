import Testing
@testable import RoundsTensor

/// The image-parallel convolution against the per-image im2col path (itself checked against finite
/// differences and PyTorch), over the shapes it must get right: 3x3 with and without padding, stride 2
/// (input gradient through col2im), 1x1, odd sizes and batches that split unevenly, with and without bias.
@Suite struct ImageParallelConvTests {
    @Test(arguments: [
        (k: 3, stride: 1, padding: 1, n: 3, c: 5, h: 7, w: 6, bias: true),
        (k: 3, stride: 1, padding: 0, n: 2, c: 3, h: 6, w: 5, bias: false),
        (k: 3, stride: 2, padding: 1, n: 4, c: 3, h: 9, w: 8, bias: true),
        (k: 1, stride: 1, padding: 0, n: 3, c: 6, h: 5, w: 5, bias: true),
        (k: 2, stride: 1, padding: 1, n: 2, c: 2, h: 4, w: 3, bias: false),
    ])
    func matchesPerImageIm2col(k: Int, stride: Int, padding: Int, n: Int, c: Int, h: Int, w: Int, bias: Bool) throws {
        Engine.prepare()
        let o = 4
        var rng = PCG32(seed: UInt64(k * 1000 + stride * 100 + padding * 10 + n))
        let x = Tensor.randomNormal([n, c, h, w], using: &rng)
        let wt = Tensor.randomNormal([o, c, k, k], std: 0.3, using: &rng)
        let b = Tensor.randomNormal([o], using: &rng)
        func run(_ batched: Bool) throws -> [Tensor] {
            try ShiftedConv.$policy.withValue(.never) { try ImageParallelConv.$policy.withValue(batched ? .always : .never) {
                let (xv, wv, bv) = (x.trackingGradient(), wt.trackingGradient(), b.trackingGradient())
                let y = Tensor.conv2d(xv, weight: wv, bias: bias ? bv : nil, stride: stride, padding: padding)
                var seedRNG = PCG32(seed: 3)
                y.backward(seed: Tensor.randomNormal(y.shape, using: &seedRNG))
                var out = [y.detached, try #require(xv.grad), try #require(wv.grad)]
                if bias { out.append(try #require(bv.grad)) }
                return out
            } }
        }
        let (fast, reference) = (try run(true), try run(false))
        #expect(fast.count == reference.count)
        for (i, name) in ["y", "dx", "dw", "db"].prefix(fast.count).enumerated() {
            #expect(fast[i].shape == reference[i].shape, "\(name) shape")
            expectClose(fast[i], reference[i], rtol: 1e-4, atol: 1e-4, "k \(k) stride \(stride) pad \(padding): \(name)")
        }
    }

    @Test func automaticChoiceNeedsABatchThatSplitsAcrossWorkers() {
        let g = ConvGeometry(c: 8, h: 16, w: 16, kh: 3, kw: 3, stride: 1, padding: 1, ho: 16, wo: 16)
        let workers = Engine.threads
        #expect(!ImageParallelConv.uses(g, n: 1), "one image has nothing to split")
        if workers > 1 {
            #expect(ImageParallelConv.uses(g, n: workers * 2))
            #expect(!ImageParallelConv.uses(g, n: workers + 1) || workers * 4 <= workers + 1, "an uneven small batch idles a worker")
            #expect(ImageParallelConv.uses(g, n: workers * 4 + 1))
        }
    }
}
