extension Tensor {
    /// Zero padding of the last two dimensions of `[N, C, H, W]`: `top`/`bottom` rows and `left`/`right`
    /// columns (PyTorch `F.pad(x, (left, right, top, bottom))`, as the VAE encoder's stride-2
    /// downsampler pads by (0, 1, 0, 1)). Backward crops.
    public func zeroPadded(top: Int = 0, bottom: Int = 0, left: Int = 0, right: Int = 0) -> Tensor {
        precondition(rank == 4 && min(top, bottom, left, right) >= 0, "zeroPadded: input \(shape), padding must be >= 0")
        let planes = shape[0] * shape[1], h = shape[2], w = shape[3]
        let oh = h + top + bottom, ow = w + left + right, xs = scalars
        var y = zeroScalars(planes * oh * ow)
        y.withUnsafeMutableBufferPointer { py in xs.withUnsafeBufferPointer { px in
            for p in 0..<planes {
                for r in 0..<h {
                    (py.baseAddress! + p * oh * ow + (r + top) * ow + left).update(from: px.baseAddress! + p * h * w + r * w, count: w)
                }
            }
        } }
        var out = Tensor(uncheckedShape: [shape[0], shape[1], oh, ow], scalars: y)
        out.record([self]) { gy, _ in
            [gy.withUnsafeBufferPointer { pg in
                makeScalars(planes * h * w) { d in
                    for p in 0..<planes {
                        for r in 0..<h {
                            (d + p * h * w + r * w).update(from: pg.baseAddress! + p * oh * ow + (r + top) * ow + left, count: w)
                        }
                    }
                }
            }]
        }
        return out
    }
}
