import RoundsTensor

/// The classifier's network, named like a PyTorch module so its safetensors file reads in PyTorch:
///
/// ```
/// x [N, C, S, S]
/// conv1: 3x3, C → w0, pad 1, SiLU, avg-pool 2      → [N, w0, S/2, S/2]
/// conv2: 3x3, w0 → w1, pad 1, SiLU, avg-pool 2     → [N, w1, S/4, S/4]
/// conv3: 3x3, w1 → w2, pad 1, SiLU, global mean    → features [N, w2]
/// head:  linear w2 → classes                        → logits [N, classes]
/// ```
///
/// The features (the penultimate layer) are what the reward model and CAS proximity use.
final class ConditionCNN: Module {
    let conv1: Conv2d, conv2: Conv2d, conv3: Conv2d
    let head: Linear
    let architecture: ClassifierArchitecture

    init(architecture a: ClassifierArchitecture, rng: inout PCG32) {
        architecture = a
        conv1 = Conv2d(a.channels, a.widths[0], kernel: 3, padding: 1, rng: &rng)
        conv2 = Conv2d(a.widths[0], a.widths[1], kernel: 3, padding: 1, rng: &rng)
        conv3 = Conv2d(a.widths[1], a.widths[2], kernel: 3, padding: 1, rng: &rng)
        head = Linear(a.widths[2], a.classes, rng: &rng)
    }

    var children: [(String, any Module)] { [("conv1", conv1), ("conv2", conv2), ("conv3", conv3), ("head", head)] }

    /// Penultimate features `[N, w2]` of `x [N, C, S, S]`.
    func features(_ x: Tensor) -> Tensor {
        let h1 = conv1(x).silu().avgPool(kernel: 2)
        let h2 = conv2(h1).silu().avgPool(kernel: 2)
        return conv3(h2).silu().mean(axes: [2, 3])
    }

    /// `(features [N, w2], logits [N, classes])`.
    func callAsFunction(_ x: Tensor) -> (features: Tensor, logits: Tensor) {
        let f = features(x)
        return (f, head(f))
    }
}

/// The shape of a classifier: what `classifier.json` records so the network can be rebuilt.
public struct ClassifierArchitecture: Sendable, Hashable {
    /// Name of the layer recipe (`rounds-cnn3`); a different recipe is a different name.
    public static let name = "rounds-cnn3"
    /// Image channels: 1 (grey) or 3 (RGB).
    public var channels: Int
    /// Side of the square input; divisible by 4.
    public var size: Int
    /// Output channels of conv1, conv2, conv3 (the last is the feature dimension).
    public var widths: [Int]
    /// Number of conditions.
    public var classes: Int

    public init(channels: Int, size: Int, widths: [Int] = [16, 32, 64], classes: Int) {
        self.channels = channels
        self.size = size
        self.widths = widths
        self.classes = classes
    }

    /// Dimension of the penultimate features.
    public var featureDimension: Int { widths[2] }

    /// Checks every field; `what` names the source in messages (a file or "training options").
    func validate(_ what: String) throws(VisionError) {
        guard channels == 1 || channels == 3 else {
            throw VisionError(.invalidParameter, "\(what): channels: expected 1 or 3, got \(channels)")
        }
        guard size >= 4, size % 4 == 0 else {
            throw VisionError(.invalidParameter, "\(what): size: expected a multiple of 4 (at least 4), got \(size)")
        }
        guard widths.count == 3, widths.allSatisfy({ $0 >= 1 && $0 <= 1024 }) else {
            throw VisionError(.invalidParameter, "\(what): widths: expected 3 layer widths in 1...1024, got \(widths)")
        }
        guard classes >= 2 else {
            throw VisionError(.invalidParameter, "\(what): expected at least 2 conditions, got \(classes)")
        }
    }
}
