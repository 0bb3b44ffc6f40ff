/// Reusable float buffers for ops' temporaries (im2col column matrices, packed operands).
///
/// A training step unfolds every convolution's input two or three times; allocating a fresh
/// zero-filled array each time costs a `memset` and, for buffers of megabytes, page faults on every
/// call (measured: ~6% of a 32x32 UNet step). Buffers come back to a small pool instead; the callers
/// write every element they read, so a buffer's old contents never leak into a result.
enum Scratch {
    private static let pool = ScratchPool(keep: 4)

    /// Runs `body` with `count` floats of uninitialised scratch memory, returned to the pool afterwards.
    static func withBuffer<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        let buffer = pool.take(Swift.max(count, 1))
        defer { pool.give(buffer) }
        return try body(buffer.pointer)
    }
}

/// One pooled allocation.
struct ScratchBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let capacity: Int
}

/// A lock-protected free list holding at most `keep` buffers (the largest ones win a place).
final class ScratchPool: @unchecked Sendable {
    private let lock = NSLockShim()
    private var free: [ScratchBuffer] = []
    private let keep: Int

    init(keep: Int) { self.keep = keep }

    deinit { for b in free { b.pointer.deallocate() } }

    /// The smallest free buffer that holds `count` floats, or a new one.
    func take(_ count: Int) -> ScratchBuffer {
        let found: ScratchBuffer? = lock.withLock {
            var best: Int? = nil
            for (i, b) in free.enumerated() where b.capacity >= count {
                if best == nil || b.capacity < free[best!].capacity { best = i }
            }
            return best.map { free.remove(at: $0) }
        }
        if let found { return found }
        return ScratchBuffer(pointer: .allocate(capacity: count), capacity: count)
    }

    /// Returns a buffer; when the pool is full the smallest buffer is freed.
    func give(_ buffer: ScratchBuffer) {
        let evicted: ScratchBuffer? = lock.withLock {
            free.append(buffer)
            guard free.count > keep else { return nil }
            let smallest = free.indices.min { free[$0].capacity < free[$1].capacity }!
            return free.remove(at: smallest)
        }
        evicted?.pointer.deallocate()
    }
}
