/// A trainable tensor with a stable identity: the optimizer updates `value`, ops read `tensor`, and
/// gradients from `backward()` accumulate in `grad` until `zeroGrad()`.
///
/// A model (its parameters and optimizer state) is owned by one task; it is deliberately not `Sendable`.
public final class Parameter {
    /// Current value, detached from any graph.
    public var value: Tensor {
        didSet {
            precondition(value.shape == oldValue.shape, "parameter shape \(oldValue.shape) changed to \(value.shape)")
            value.node = nil
        }
    }
    let leaf: Node
    /// A frozen parameter is read as a constant: ops record no gradient for it, so a frozen base under
    /// low-rank adapters costs no weight-gradient products in the backward pass.
    public var isFrozen = false

    public init(_ value: Tensor) {
        self.value = value.detached
        self.leaf = Node.leaf(count: value.count)
    }

    public var shape: [Int] { value.shape }

    /// The value as an op input: a leaf of the graph while gradients are recorded.
    public var tensor: Tensor {
        var t = value
        if GradientMode.isEnabled && !isFrozen { t.node = leaf }
        return t
    }

    /// Gradient accumulated since the last `zeroGrad()`, or nil if no recorded op used this parameter.
    public var grad: Tensor? {
        get { leaf.grad.map { Tensor(uncheckedShape: value.shape, scalars: $0) } }
        set {
            if let newValue { precondition(newValue.shape == value.shape, "gradient \(newValue.shape) for parameter \(value.shape)") }
            leaf.grad = newValue?.scalars
        }
    }

    /// Forgets the accumulated gradient.
    public func zeroGrad() { leaf.clearGrad() }

    /// Multiplies the gradient in place (gradient clipping).
    func scaleGrad(by s: Float) {
        guard leaf.grad != nil else { return }
        leaf.grad!.withUnsafeMutableBufferPointer { g in for i in g.indices { g[i] *= s } }
    }
}

/// A node of a model tree: its own parameters and named children. Dotted paths of names address
/// every parameter, as in PyTorch's `state_dict` (`down_blocks.0.resnets.0.conv1.weight`), so the
/// same names load from and save to diffusers' safetensors files.
public protocol Module: AnyObject {
    /// Own parameters by local name (`weight`, `bias`).
    var ownParameters: [(String, Parameter)] { get }
    /// Submodules by local name (`conv1`, or `0`, `1`, … inside a `ModuleList`).
    var children: [(String, any Module)] { get }
}

extension Module {
    public var ownParameters: [(String, Parameter)] { [] }
    public var children: [(String, any Module)] { [] }

    /// Every parameter under this module with its dotted path, depth-first in declaration order.
    public func namedParameters(prefix: String = "") -> [(name: String, parameter: Parameter)] {
        var out: [(name: String, parameter: Parameter)] = []
        for (name, p) in ownParameters { out.append((prefix + name, p)) }
        for (name, child) in children { out += child.namedParameters(prefix: prefix + name + ".") }
        return out
    }

    /// Dotted name -> current value.
    public func stateDict() -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: namedParameters().map { ($0.name, $0.parameter.value) })
    }

    /// Every module under this one (itself first, path "") with its dotted path, depth-first.
    public func namedModules(prefix: String = "") -> [(path: String, module: any Module)] {
        var out: [(path: String, module: any Module)] = [(prefix, self)]
        for (name, child) in children {
            out += child.namedModules(prefix: prefix.isEmpty ? name : prefix + "." + name)
        }
        return out
    }

    /// Freezes (or unfreezes) every parameter under this module.
    public func setFrozen(_ frozen: Bool) { for (_, p) in namedParameters() { p.isFrozen = frozen } }

    /// Clears the gradients of every parameter.
    public func zeroGrad() { for (_, p) in namedParameters() { p.zeroGrad() } }

    /// Sets every parameter from `tensors` after checking all of them: missing keys, unexpected keys
    /// and shape mismatches are reported together in one error naming `source` (a file path).
    public func load(_ tensors: [String: Tensor], source: String) throws(TensorError) {
        let params = namedParameters()
        let names = Set(params.map(\.name))
        let missing = params.map(\.name).filter { tensors[$0] == nil }
        let unexpected = tensors.keys.filter { !names.contains($0) }.sorted()
        let mismatched = params.compactMap { (name, p) -> String? in
            guard let t = tensors[name], t.shape != p.shape else { return nil }
            return "\(name): expected shape \(p.shape), file has \(t.shape)"
        }
        var problems: [String] = []
        if !missing.isEmpty { problems.append("missing keys (\(missing.count)): \(missing.joined(separator: ", "))") }
        if !unexpected.isEmpty { problems.append("unexpected keys (\(unexpected.count)): \(unexpected.joined(separator: ", "))") }
        if !mismatched.isEmpty { problems.append("shape mismatches: \(mismatched.joined(separator: "; "))") }
        if !problems.isEmpty {
            let code: TensorError.Code = missing.isEmpty && unexpected.isEmpty ? .shapeMismatch : .keyMismatch
            throw TensorError(code, "\(source): weights do not fit the model: \(problems.joined(separator: "; "))")
        }
        for (name, p) in params { p.value = tensors[name]! }
    }

    /// Loads every parameter from a safetensors file (F32, F16 or BF16 tensors); a NaN or infinite
    /// value is an error naming the tensor (it would only surface later, as a NaN image).
    public func loadSafetensors(at path: String) throws(TensorError) {
        let file = try SafetensorsFile(contentsOfFile: path)
        var tensors: [String: Tensor] = [:]
        for name in file.names {
            let t = try file.tensor(name)
            if let bad = t.scalars.firstIndex(where: { !$0.isFinite }) {
                throw TensorError(.invalidFile, "\(path): tensor '\(name)' holds \(t.scalars[bad]) at element \(bad); "
                                  + "the weights are damaged (a diverged training run, or a broken copy)")
            }
            tensors[name] = t
        }
        try load(tensors, source: path)
    }

    /// Writes every parameter to a safetensors file (F32).
    public func saveSafetensors(to path: String, metadata: [String: String] = [:]) throws(TensorError) {
        try Safetensors.write(stateDict(), metadata: metadata, to: path)
    }
}

/// An indexed list of modules, named `0`, `1`, … like PyTorch's `nn.ModuleList`.
public final class ModuleList: Module {
    public var modules: [any Module]
    public init(_ modules: [any Module]) { self.modules = modules }
    public var children: [(String, any Module)] { modules.enumerated().map { ("\($0.offset)", $0.element) } }
}
