import RoundsTensor

/// Γ(x, c) of Sun et al.: the classifier's features of x (standardised) and the one-hot class c are
/// each projected to `hidden` dimensions, concatenated, and passed through a small MLP with a
/// sigmoid output:
///
/// ```
/// f [N, D] → (f - mean) / std → image_proj (D → h), SiLU ┐
/// onehot(c) [N, K] → class_proj (K → h, no bias), SiLU   ┴ concat [N, 2h] → fc (2h → h), SiLU → out (h → 1) → σ
/// ```
///
/// `normalizer.mean` and `normalizer.std` ([D]) are fixed from the training features and saved with
/// the weights; the optimiser never touches them.
final class RewardNetwork: Module {
    let imageProj: Linear, classProj: Linear, fc: Linear, out: Linear
    let normalizer: FeatureNormalizer
    let featureDimension: Int, classes: Int, hidden: Int

    init(featureDimension: Int, classes: Int, hidden: Int, rng: inout PCG32) {
        self.featureDimension = featureDimension
        self.classes = classes
        self.hidden = hidden
        imageProj = Linear(featureDimension, hidden, rng: &rng)
        classProj = Linear(classes, hidden, bias: false, rng: &rng)
        fc = Linear(2 * hidden, hidden, rng: &rng)
        out = Linear(hidden, 1, rng: &rng)
        normalizer = FeatureNormalizer(dimension: featureDimension)
    }

    var children: [(String, any Module)] {
        [("image_proj", imageProj), ("class_proj", classProj), ("fc", fc), ("out", out), ("normalizer", normalizer)]
    }

    /// The trainable parameters (everything but the normalizer).
    var trainableParameters: [(name: String, parameter: Parameter)] {
        namedParameters().filter { !$0.name.hasPrefix("normalizer.") }
    }

    /// Plausibility in (0, 1), `[N, 1]`, for features `[N, D]` and class indices.
    func callAsFunction(_ features: Tensor, classes indices: [Int]) -> Tensor {
        let n = indices.count
        var onehot = [Float](repeating: 0, count: n * classes)
        for (i, c) in indices.enumerated() { onehot[i * classes + c] = 1 }
        let f = (features - normalizer.mean.value) * normalizer.inverseStd.value  // constants: never trained
        let a = imageProj(f).silu()
        let b = classProj(Tensor(shape: [n, classes], scalars: onehot)).silu()
        return out(fc(Tensor.concat([a, b], axis: 1)).silu()).sigmoid()
    }
}

/// Per-dimension standardisation `(f - mean) · inverse_std`, fixed from the training features.
final class FeatureNormalizer: Module {
    let mean: Parameter, inverseStd: Parameter
    init(dimension: Int) {
        mean = Parameter(.zeros([dimension]))
        inverseStd = Parameter(.ones([dimension]))
    }
    var ownParameters: [(String, Parameter)] { [("mean", mean), ("inverse_std", inverseStd)] }

    /// Sets mean and 1/std (std floored at 1e-6) from `rows` of features.
    func fit(_ rows: [[Float]]) {
        let d = mean.shape[0], n = Double(max(rows.count, 1))
        var m = [Double](repeating: 0, count: d), v = [Double](repeating: 0, count: d)
        for r in rows { for j in 0..<d { m[j] += Double(r[j]) } }
        for j in 0..<d { m[j] /= n }
        for r in rows { for j in 0..<d { let e = Double(r[j]) - m[j]; v[j] += e * e } }
        mean.value = Tensor(shape: [d], scalars: m.map { Float($0) })
        inverseStd.value = Tensor(shape: [d], scalars: v.map { Float(1 / max(($0 / n).squareRoot(), 1e-6)) })
    }
}
