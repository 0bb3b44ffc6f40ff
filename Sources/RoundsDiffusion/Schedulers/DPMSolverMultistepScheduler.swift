// port of https://github.com/huggingface/diffusers/blob/v0.42.1/src/diffusers/schedulers/scheduling_dpmsolver_multistep.py
// (`DPMSolverMultistepScheduler` with its defaults: algorithm_type "dpmsolver++", solver_order 2,
// solver_type "midpoint", lower_order_final, final_sigmas_type "zero", no Karras sigmas)
import Foundation

/// DPM-Solver++ (Lu et al. 2022), the multistep second-order sampler diffusers' pipelines use for
/// 20-25 steps: each step converts the model output to a predicted x₀ and advances in log-SNR
/// `λ = log(α/σ)` with the latest two predictions; the first step and the last step are first-order.
///
/// It is stateful (the previous x₀ prediction), so one value drives one run: `setTimesteps`, then `step`
/// at each of `timesteps` in order (a tail of them for image-to-image).
public struct DPMSolverMultistepScheduler: Sendable {
    public let config: SchedulerConfig
    public let schedule: NoiseSchedule
    /// The spacing of `set_timesteps`: the file's `timestep_spacing` when it has one, else diffusers'
    /// default for this class, `linspace`.
    public let timestepSpacing: TimestepSpacing
    public private(set) var timesteps: [Int] = []
    /// σ = √((1 − ᾱ)/ᾱ) at each timestep, then 0 after the last.
    public private(set) var sigmas: [Float] = []
    private var previousPrediction: [Float]? = nil
    private var lowerOrderSteps = 0
    private var stepIndex: Int? = nil

    public init(config: SchedulerConfig, timestepSpacing: TimestepSpacing) throws(DiffusionError) {
        try config.validate()
        self.config = config
        self.schedule = try NoiseSchedule(config: config)
        self.timestepSpacing = timestepSpacing
    }

    /// diffusers' `set_timesteps(n)`: note that `leading` divides by n + 1 here, unlike DDIM.
    public mutating func setTimesteps(_ n: Int) throws(DiffusionError) {
        let t = config.numTrainTimesteps
        guard n >= 1, n <= t else {
            throw DiffusionError(.invalidArgument, "num_inference_steps: expected 1...\(t), got \(n)")
        }
        var steps: [Int]
        switch timestepSpacing {
        case .linspace:
            steps = Array(InferenceTimesteps.numpyLinspace(0, Double(t - 1), count: n + 1).reversed().dropLast())
                .map { Int($0.rounded(.toNearestOrEven)) }
        case .leading:
            let ratio = t / (n + 1)
            steps = (1...n).reversed().map { $0 * ratio + config.stepsOffset }
        case .trailing:
            steps = InferenceTimesteps.numpyArange(from: Double(t), to: 0, step: -(Double(t) / Double(n)))
                .map { Int($0.rounded(.toNearestOrEven)) - 1 }
        }
        if let bad = steps.first(where: { $0 < 0 || $0 >= t }) {
            throw DiffusionError(.invalidArgument, "steps_offset: \(config.stepsOffset) with \(n) steps gives timestep \(bad), outside 0..<\(t)")
        }
        timesteps = steps
        let ab = schedule.alphasCumprod
        sigmas = steps.map { ((1 - ab[$0]) / ab[$0]).squareRoot() } + [0]
        previousPrediction = nil
        lowerOrderSteps = 0
        stepIndex = nil
    }

    /// (α, σ) of the variance-preserving process for a σ of the variance-exploding one.
    private func alphaSigma(_ s: Float) -> (Float, Float) {
        let a = 1 / (s * s + 1).squareRoot()
        return (a, s * a)
    }

    /// One step from `sample` at `timestep` (the next of `timesteps`, or for a first call any of them).
    ///
    /// - Throws: `.invalidArgument` before `setTimesteps` or for a timestep not in `timesteps`,
    ///   `.shapeMismatch` when the counts differ.
    public mutating func step(modelOutput: [Float], timestep t: Int, sample: [Float]) throws(DiffusionError) -> [Float] {
        try StepMath.checkCounts(sample: sample, modelOutput: modelOutput, noise: nil, scheduler: "DPMSolverMultistepScheduler")
        if stepIndex == nil {
            guard let i = timesteps.firstIndex(of: t) else {
                throw DiffusionError(.invalidArgument, "DPMSolverMultistepScheduler.step: timestep \(t) is not one of \(timesteps.prefix(8))… (call setTimesteps first)")
            }
            stepIndex = i
        }
        let i = stepIndex!
        guard i < timesteps.count, timesteps[i] == t else {
            throw DiffusionError(.invalidArgument, "DPMSolverMultistepScheduler.step: expected timestep \(i < timesteps.count ? String(timesteps[i]) : "none"), got \(t)")
        }
        let n = timesteps.count
        // final_sigmas_type "zero" makes the last step first order (with solver_order 2 nothing else changes)
        let lastOrder1 = i == n - 1
        let (alphaS0, sigmaS0) = alphaSigma(sigmas[i])
        let x0: [Float]
        switch config.predictionType {
        case .epsilon: x0 = zip(sample, modelOutput).map { (x, e) in (x - sigmaS0 * e) / alphaS0 }
        case .sample: x0 = modelOutput
        case .vPrediction: x0 = zip(sample, modelOutput).map { (x, v) in alphaS0 * x - sigmaS0 * v }
        }
        let (alphaT, sigmaT) = alphaSigma(sigmas[i + 1])
        let lambdaT = Foundation.log(alphaT) - Foundation.log(sigmaT)
        let lambdaS0 = Foundation.log(alphaS0) - Foundation.log(sigmaS0)
        let h = lambdaT - lambdaS0
        let ratio = sigmaT / sigmaS0, c = alphaT * (Foundation.exp(-h) - 1)
        var out: [Float]
        if lowerOrderSteps < 1 || lastOrder1 || previousPrediction == nil {
            out = zip(sample, x0).map { (x, d0) in ratio * x - c * d0 }
        } else {
            let (alphaS1, sigmaS1) = alphaSigma(sigmas[i - 1])
            let lambdaS1 = Foundation.log(alphaS1) - Foundation.log(sigmaS1)
            let r0 = (lambdaS0 - lambdaS1) / h
            let m1 = previousPrediction!
            out = [Float](repeating: 0, count: sample.count)
            for k in out.indices {
                let d1 = (1 / r0) * (x0[k] - m1[k])
                out[k] = ratio * sample[k] - c * x0[k] - 0.5 * c * d1
            }
        }
        previousPrediction = x0
        if lowerOrderSteps < 2 { lowerOrderSteps += 1 }
        stepIndex = i + 1
        return out
    }
}
