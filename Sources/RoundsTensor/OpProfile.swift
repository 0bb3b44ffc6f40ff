import Dispatch

/// Wall time per op, forward and backward, while `OpProfile.collect` runs: where a training step
/// spends its time (`rounds bench engine --profile`).
///
/// An op's forward time is the time since the previous recorded op ended (ops record themselves on
/// the tape as they finish, and a training step's forward pass is one op after another), so work
/// between ops counts towards the next one. Its backward time is its gradient function's call plus
/// the accumulation of its input gradients. Off by default: one task-local read per recorded op.
public struct OpProfile: Sendable, Codable, Hashable {
    /// Totals of one op: the base name of the Swift function that recorded it and, where the op gives
    /// one, its shape (e.g. `conv2d 3x3 64->64 32x32 (image-parallel)`).
    public struct Entry: Sendable, Codable, Hashable {
        public var op: String
        public var calls: Int
        public var forwardSeconds: Double
        public var backwardSeconds: Double
        /// Floating-point operations of the forward passes (as the op declares them; 0 for the
        /// elementwise and memory-bound ops).
        public var forwardFlops: Double
        public var totalSeconds: Double { forwardSeconds + backwardSeconds }
    }

    /// Entries by total time, largest first.
    public var entries: [Entry]
    /// Time outside any op's forward or backward: the optimiser step, loss set-up, graph walk.
    public var otherSeconds: Double

    /// Floating-point operations of one forward pass, over all ops.
    public var forwardFlops: Double { entries.reduce(0) { $0 + $1.forwardFlops } }

    /// Profiles `body` and divides every total by `runs` (the number of steps `body` ran).
    public static func collect(runs: Int = 1, _ body: () -> Void) -> OpProfile {
        let recorder = OpProfileRecorder()
        let start = DispatchTime.now().uptimeNanoseconds
        recorder.lastMark = start
        OpProfileRecorder.$active.withValue(recorder) { body() }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let scale = 1 / Double(Swift.max(runs, 1))
        let entries = recorder.totals.map { op, t in
            Entry(op: op, calls: t.calls / Swift.max(runs, 1), forwardSeconds: t.forward * scale,
                  backwardSeconds: t.backward * scale, forwardFlops: t.flops * scale)
        }.sorted { $0.totalSeconds > $1.totalSeconds }
        let measured = entries.reduce(0) { $0 + $1.totalSeconds }
        return OpProfile(entries: entries, otherSeconds: Swift.max(0, wall * scale - measured))
    }
}

/// The running totals behind `OpProfile.collect`; only the thread running the graph touches them.
final class OpProfileRecorder: @unchecked Sendable {
    /// Task-local, so ops that other tasks or threads run meanwhile stay out of the profile.
    @TaskLocal static var active: OpProfileRecorder?

    var totals: [String: (calls: Int, forward: Double, backward: Double, flops: Double)] = [:]
    var lastMark: UInt64 = 0

    /// Called as an op records itself: charges the time since the last mark to its forward pass.
    func forwardEnded(_ op: StaticString, _ detail: String?, flops: Double) {
        let now = DispatchTime.now().uptimeNanoseconds
        add(Self.key(op, detail), call: true, forward: Double(now &- lastMark) / 1e9, backward: 0, flops: flops)
        lastMark = now
    }

    /// Charges the time since `start` to `op`'s backward pass and moves the mark past it.
    func backwardRan(_ op: StaticString, _ detail: String?, since start: UInt64) {
        let now = DispatchTime.now().uptimeNanoseconds
        add(Self.key(op, detail), call: false, forward: 0, backward: Double(now &- start) / 1e9, flops: 0)
        lastMark = now
    }

    private func add(_ key: String, call: Bool, forward: Double, backward: Double, flops: Double) {
        var t = totals[key] ?? (0, 0, 0, 0)
        t.calls += call ? 1 : 0
        t.forward += forward
        t.backward += backward
        t.flops += flops
        totals[key] = t
    }

    /// `conv2d` or `conv2d 3x3 64->64 32x32`: the function's base name and the detail.
    static func key(_ op: StaticString, _ detail: String?) -> String {
        let name = "\(op)".prefix { $0 != "(" }
        return detail.map { "\(name) \($0)" } ?? String(name)
    }

    /// Restarts forward timing (the next op's forward begins now).
    func mark() { lastMark = DispatchTime.now().uptimeNanoseconds }
}
