import Dispatch

/// Reverse-mode automatic differentiation.
///
/// Every op run while gradients are enabled and with at least one input on the graph appends a `Node`
/// that remembers its inputs' nodes and a closure mapping the output gradient to input gradients.
/// `backward()` orders the nodes reachable from the loss (the tape, in recording order), walks them in
/// reverse, and accumulates gradients into leaves (parameters and `trackingGradient()` tensors).
final class Node: @unchecked Sendable {
    /// Gradient function: (output gradient, which inputs need one) -> one gradient per input.
    typealias Backward = (_ gy: [Float], _ needs: [Bool]) -> [[Float]?]

    private(set) var inputs: [Node?]
    /// Set to nil once `backward()` has run it: what it captured (the op's saved activations) is freed
    /// as the walk goes, as PyTorch frees saved tensors without `retain_graph`.
    private(set) var backwardFn: Backward?
    private(set) var released = false
    let count: Int
    /// What recorded the node, for `OpProfile`: the function, and a shape detail while profiling.
    let op: StaticString
    var detail: String?
    /// Recording order: inputs always have a smaller index than the node.
    let index: Int
    /// Accumulated gradient (leaves keep it until cleared; inner nodes drop it after use).
    var grad: [Float]?

    nonisolated(unsafe) private static var counter = 0
    private static let lock = NSLockShim()

    init(inputs: [Node?], count: Int, op: StaticString = "leaf", backward: Backward?) {
        self.inputs = inputs
        self.count = count
        self.op = op
        self.backwardFn = backward
        self.index = Node.lock.withLock { Node.counter += 1; return Node.counter }
    }

    var isLeaf: Bool { backwardFn == nil && !released }

    /// Drops the backward closure and the links to the inputs after use.
    func release() {
        backwardFn = nil
        inputs = []
        released = true
    }

    func accumulate(_ g: [Float]) {
        precondition(g.count == count, "gradient of \(g.count) elements for a node of \(count)")
        if grad == nil { grad = g; return }
        grad!.withUnsafeMutableBufferPointer { dst in
            g.withUnsafeBufferPointer { src in
                for i in 0..<count { dst[i] += src[i] }
            }
        }
    }
}

/// Whether ops record gradients; off inside `withoutGradients`.
public enum GradientMode {
    @TaskLocal public static var isEnabled = true
}

/// Runs `body` without recording any op (sampling, evaluation, EMA updates).
public func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradientMode.$isEnabled.withValue(false) { try body() }
}

extension Tensor {
    /// This tensor as a leaf of the graph: gradients of later ops flow into `grad`.
    public func trackingGradient() -> Tensor {
        var t = detached
        t.node = Node(inputs: [], count: scalars.count, backward: nil)
        return t
    }

    /// Whether this tensor is on the autodiff graph.
    public var requiresGradient: Bool { node != nil }

    /// The gradient accumulated in this leaf by `backward()`, or nil.
    public var grad: Tensor? {
        guard let g = node?.grad else { return nil }
        return Tensor(uncheckedShape: shape, scalars: g)
    }

    /// Backpropagates from this tensor, seeding with `seed` (ones by default, so a scalar loss gets 1).
    public func backward(seed: Tensor? = nil) {
        guard let root = node else { return }
        let seedScalars = seed?.scalars ?? [Float](repeating: 1, count: count)
        precondition(seedScalars.count == count, "backward seed shape \(seed?.shape ?? []) for output \(shape)")
        // Collect reachable nodes; sort by recording order (a valid topological order).
        var seen = Set<ObjectIdentifier>()
        var stack = [root]
        var order: [Node] = []
        while let n = stack.popLast() {
            guard seen.insert(ObjectIdentifier(n)).inserted else { continue }
            order.append(n)
            for case let input? in n.inputs { stack.append(input) }
        }
        order.sort { $0.index > $1.index }
        root.accumulate(seedScalars)
        withoutGradients {
            for n in order {
                precondition(!n.released, "backward() through a graph that was already backpropagated "
                             + "(its saved tensors are freed); run the forward pass again")
                guard let fn = n.backwardFn else { continue }
                guard let gy = n.grad else { n.release(); continue }
                let profiler = OpProfileRecorder.active, started = profiler == nil ? 0 : DispatchTime.now().uptimeNanoseconds
                let needs = n.inputs.map { $0 != nil }
                let grads = fn(gy, needs)
                for (input, g) in zip(n.inputs, grads) {
                    if let input, let g { input.accumulate(g) }
                }
                profiler?.backwardRan(n.op, n.detail, since: started)
                n.grad = nil
                n.release()
            }
        }
    }

    /// Records `self` (an op's fresh output) on the graph if gradients are on and an input is tracked.
    /// `op` names it in `OpProfile` (the recording function, by default), `detail` splits an op's rows
    /// by shape, and `flops` is its forward pass's floating-point operations (2 per multiply-add; only
    /// the products that dominate: matrix products, convolutions, attention); both are evaluated only
    /// while profiling.
    mutating func record(_ inputs: [Tensor], op: StaticString = #function, detail: @autoclosure () -> String? = nil,
                         flops: @autoclosure () -> Double = 0, _ backward: @escaping Node.Backward) {
        guard GradientMode.isEnabled, inputs.contains(where: { $0.node != nil }) else { return }
        let n = Node(inputs: inputs.map(\.node), count: scalars.count, op: op, backward: backward)
        node = n
        if let profiler = OpProfileRecorder.active {
            n.detail = detail()
            profiler.forwardEnded(op, n.detail, flops: flops())
        }
    }
}

/// Internal leaf creation for parameters.
extension Node {
    static func leaf(count: Int) -> Node { Node(inputs: [], count: count, backward: nil) }
    func clearGrad() { grad = nil }
}
