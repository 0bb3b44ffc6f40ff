// Shape ops: reshape, permute, concat, split.

extension Tensor {
    /// The same scalars with a new shape of equal element count (`-1` infers one dimension).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var dims = newShape
        if let k = dims.firstIndex(of: -1) {
            let known = dims.enumerated().filter { $0.offset != k }.map(\.element).elementCount
            precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
            dims[k] = count / known
        }
        precondition(dims.elementCount == count, "cannot reshape \(shape) (\(count) elements) to \(newShape)")
        var out = Tensor(uncheckedShape: dims, scalars: scalars)
        out.record([self]) { gy, _ in [gy] }
        return out
    }

    /// Reorders dimensions: output dimension `i` is input dimension `order[i]`.
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.sorted() == Array(0..<rank), "permutation \(order) for rank \(rank)")
        let outShape = order.map { shape[$0] }
        var inStrides = [Int](repeating: 1, count: rank)
        for i in stride(from: rank - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * shape[i + 1] }
        let gather = order.map { inStrides[$0] }
        let zero = [Int](repeating: 0, count: rank)
        let x = scalars, n = count
        let y = x.withUnsafeBufferPointer { src in
            makeScalars(count) { dst in
                Broadcast.forEach(target: outShape, aStrides: gather, bStrides: zero) { o, i, _ in dst[o] = src[i] }
            }
        }
        var out = Tensor(uncheckedShape: outShape, scalars: y)
        out.record([self]) { gy, _ in
            var g = zeroScalars(n)  // n, not x.count: the tape must not keep the input alive
            g.withUnsafeMutableBufferPointer { dst in
                gy.withUnsafeBufferPointer { src in
                    Broadcast.forEach(target: outShape, aStrides: gather, bStrides: zero) { o, i, _ in dst[i] = src[o] }
                }
            }
            return [g]
        }
        return out
    }

    /// Concatenates tensors along `axis`; all other dimensions must agree.
    public static func concat(_ parts: [Tensor], axis: Int) -> Tensor {
        precondition(!parts.isEmpty, "concat of no tensors")
        let first = parts[0].shape
        for p in parts {
            precondition(p.rank == first.count && (0..<first.count).allSatisfy { $0 == axis || p.shape[$0] == first[$0] },
                         "concat along \(axis): shape \(p.shape) does not fit \(first)")
        }
        let outer = first[..<axis].reduce(1, *), inner = first[(axis + 1)...].reduce(1, *)
        let sizes = parts.map { $0.shape[axis] * inner }
        let total = sizes.reduce(0, +)
        var outShape = first
        outShape[axis] = parts.map { $0.shape[axis] }.reduce(0, +)
        var y = [Float](repeating: 0, count: outer * total)
        y.withUnsafeMutableBufferPointer { dst in
            var offset = 0
            for (p, size) in zip(parts, sizes) {
                p.scalars.withUnsafeBufferPointer { src in
                    for o in 0..<outer {
                        (dst.baseAddress! + o * total + offset).update(from: src.baseAddress! + o * size, count: size)
                    }
                }
                offset += size
            }
        }
        var out = Tensor(uncheckedShape: outShape, scalars: y)
        out.record(parts) { gy, needs in
            var grads: [[Float]?] = []
            var offset = 0
            for (k, size) in sizes.enumerated() {
                if needs[k] {
                    grads.append(makeScalars(outer * size) { d in
                        gy.withUnsafeBufferPointer { src in
                            for o in 0..<outer { (d + o * size).update(from: src.baseAddress! + o * total + offset, count: size) }
                        }
                    })
                } else { grads.append(nil) }
                offset += size
            }
            return grads
        }
        return out
    }

    /// Splits along `axis` into pieces of the given sizes (which must sum to that dimension).
    public func split(sizes: [Int], axis: Int) -> [Tensor] {
        precondition(sizes.reduce(0, +) == shape[axis], "split sizes \(sizes) for dimension \(axis) of \(shape)")
        var parts: [Tensor] = []
        var start = 0
        for s in sizes {
            parts.append(slice(axis: axis, start: start, length: s))
            start += s
        }
        return parts
    }

    /// `length` entries of dimension `axis` starting at `start`.
    public func slice(axis: Int, start: Int, length: Int) -> Tensor {
        precondition(axis >= 0 && axis < rank && start >= 0 && length >= 0 && start + length <= shape[axis],
                     "slice \(start)..<\(start + length) of dimension \(axis) of \(shape)")
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        let full = shape[axis] * inner, size = length * inner, offset = start * inner
        var outShape = shape
        outShape[axis] = length
        let x = scalars, n = count
        let y = x.withUnsafeBufferPointer { src in
            makeScalars(outer * size) { d in
                for o in 0..<outer { (d + o * size).update(from: src.baseAddress! + o * full + offset, count: size) }
            }
        }
        var out = Tensor(uncheckedShape: outShape, scalars: y)
        out.record([self]) { gy, _ in
            var g = zeroScalars(n)
            g.withUnsafeMutableBufferPointer { dst in
                gy.withUnsafeBufferPointer { src in
                    for o in 0..<outer { (dst.baseAddress! + o * full + offset).update(from: src.baseAddress! + o * size, count: size) }
                }
            }
            return [g]
        }
        return out
    }
}
