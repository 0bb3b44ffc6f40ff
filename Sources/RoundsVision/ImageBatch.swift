import Foundation
import RoundsTensor

/// Stacks `[C, S, S]` images into `[N, C, S, S]` tensors, checks their sizes, and flips them.
enum ImageBatch {
    /// Checks that every image has `channels · size · size` values, all finite.
    static func validate(_ images: [[Float]], channels: Int, size: Int) throws(VisionError) {
        let expected = channels * size * size
        for (i, image) in images.enumerated() {
            guard image.count == expected else {
                throw VisionError(
                    .invalidInput,
                    "image \(i): expected [\(channels), \(size), \(size)] = \(expected) values, got \(image.count)")
            }
            if let j = image.firstIndex(where: { !$0.isFinite }) {
                throw VisionError(.invalidInput, "image \(i): value \(j) is \(image[j]) (expected finite values in [-1, 1])")
            }
        }
    }

    /// `[n, C, S, S]` from the images at `indices`, each flipped as `flips[k]` says (h, v).
    static func stack(_ images: [[Float]], indices: some Collection<Int>, channels: Int, size: Int,
                      flips: [(h: Bool, v: Bool)]? = nil) -> Tensor {
        let per = channels * size * size
        var out = [Float](repeating: 0, count: indices.count * per)
        out.withUnsafeMutableBufferPointer { dst in
            for (k, i) in indices.enumerated() {
                let base = k * per
                let f = flips?[k] ?? (h: false, v: false)
                images[i].withUnsafeBufferPointer { src in
                    if !f.h && !f.v {
                        for j in 0..<per { dst[base &+ j] = src[j] }
                        return
                    }
                    for c in 0..<channels {
                        for y in 0..<size {
                            let sy = f.v ? size - 1 - y : y
                            let srcRow = (c * size + sy) * size, dstRow = base + (c * size + y) * size
                            for x in 0..<size { dst[dstRow &+ x] = src[srcRow &+ (f.h ? size - 1 - x : x)] }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [indices.count, channels, size, size], scalars: out)
    }
}

/// Row-wise softmax of `[N, K]` logits (max-subtracted, in Double).
func softmaxRows(_ logits: [Float], classes k: Int) -> [[Float]] {
    stride(from: 0, to: logits.count, by: k).map { start in
        let row = logits[start..<(start + k)]
        let m = Double(row.max() ?? 0)
        let e = row.map { Foundation.exp(Double($0) - m) }
        let s = e.reduce(0, +)
        return e.map { Float($0 / s) }
    }
}
