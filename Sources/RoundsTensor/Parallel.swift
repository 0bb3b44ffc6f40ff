import COpenBLAS
import Dispatch
import Foundation

/// Minimal lock (Foundation's NSLock, kept behind one name so the engine has one lock type).
final class NSLockShim: @unchecked Sendable {
    private let lock = NSLock()
    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        lock.lock(); defer { lock.unlock() }
        return try body()
    }
}

/// How the engine uses the cores: every parallel loop, GEMMs included (`sgemmParallel` splits a
/// GEMM into slabs), runs on `threads` workers of our own, and OpenBLAS is held to one thread, so
/// its pool never spins (`sched_yield`) beside our workers and the two never oversubscribe the cores.
public enum Engine {
    private static let state = EngineState()

    /// Worker count for the engine's loops (defaults to the active processor count).
    public static var threads: Int { state.threads }

    /// Sets the worker count and OpenBLAS's thread count together.
    public static func setThreads(_ n: Int) {
        precondition(n >= 1, "thread count \(n)")
        state.set(n)
    }

    /// Ensures OpenBLAS is configured (called by every op that uses BLAS).
    @inline(__always) static func prepare() { state.ensureConfigured() }

    /// Runs `body` with OpenBLAS limited to one thread (the engine's setting; kept as a named scope
    /// for code that calls BLAS from parallel workers).
    static func withSingleThreadedBLAS<R>(_ body: () throws -> R) rethrows -> R {
        state.ensureConfigured()
        return try body()
    }

    /// Runs `body` with OpenBLAS's own threading at `threads` (the benchmark's sgemm reference).
    static func withBLASThreads<R>(_ n: Int, _ body: () throws -> R) rethrows -> R {
        state.ensureConfigured()
        openblas_set_num_threads(Int32(n))
        defer { openblas_set_num_threads(1) }
        return try body()
    }

    /// Switches OpenBLAS to `kernel`'s family (see `BLASKernel`); false when this OpenBLAS or CPU
    /// cannot run it (the active kernels are unchanged then). Call it at start-up, before any BLAS
    /// work runs: the switch must not overlap a BLAS call on another thread, the engine's or not.
    @discardableResult
    public static func selectBLASKernel(_ kernel: BLASKernel) -> Bool {
        state.ensureConfigured()
        return state.withLock { BLASKernelSwitch.select(kernel) }
    }

    /// The kernel families this process can switch to.
    public static var selectableBLASKernels: [BLASKernel] { BLASKernel.allCases.filter(BLASKernelSwitch.canSelect) }

    /// OpenBLAS's kernel family for this CPU (e.g. "Haswell", "SkylakeX"); `OPENBLAS_CORETYPE` overrides it.
    public static var blasCore: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }
}

private final class EngineState: @unchecked Sendable {
    private let lock = NSLockShim()
    private var configured = false
    private var count = max(1, ProcessInfo.processInfo.activeProcessorCount)

    var threads: Int { lock.withLock { count } }

    func withLock<R>(_ body: () throws -> R) rethrows -> R { try lock.withLock(body) }

    func set(_ n: Int) {
        lock.withLock {
            count = n
            configure()
        }
    }

    func ensureConfigured() {
        lock.withLock {
            if !configured { configure() }
        }
    }

    /// Runs before the engine's first BLAS call (so no call is in flight when the kernels switch).
    private func configure() {
        if !configured { BLASKernelSwitch.selectPreferred() }
        openblas_set_num_threads(1)
        configured = true
    }
}

/// Splits `0..<n` into at most `Engine.threads` contiguous chunks and runs them in parallel when the
/// work is big enough (`n * costPerItem >= 32768`), otherwise inline.
@inline(__always)
func parallelChunks(_ n: Int, costPerItem: Int = 1, _ body: (Range<Int>) -> Void) {
    let workers = Engine.threads
    if workers <= 1 || n < 2 || n &* costPerItem < 32_768 {
        if n > 0 { body(0..<n) }
        return
    }
    let chunks = min(workers, n)
    // Each worker gets a disjoint range; callers write disjoint outputs, so sharing `body` is safe.
    withoutActuallyEscaping(body) { escapable in
        let box = UncheckedSendable(escapable)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = n * c / chunks, hi = n * (c + 1) / chunks
            if lo < hi { box.value(lo..<hi) }
        }
    }
}

/// Carries a value the compiler cannot prove `Sendable` into the parallel workers.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A raw pointer that may cross into the parallel workers (each writes a disjoint range).
struct SendablePointer: @unchecked Sendable {
    let p: UnsafeMutablePointer<Float>
    init(_ p: UnsafeMutablePointer<Float>) { self.p = p }
}
