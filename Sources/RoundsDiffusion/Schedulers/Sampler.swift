// port of https://github.com/huggingface/diffusers/blob/v0.42.1/src/diffusers/pipelines/ddim/pipeline_ddim.py
// and pipelines/ddpm/pipeline_ddpm.py (the denoising loop), with img2img's truncated start

/// The shape of a batch of samples, `[N, C, H, W]`; arrays hold `count` floats in that order.
public struct SampleShape: Sendable, Hashable, CustomStringConvertible {
    public var n: Int, c: Int, h: Int, w: Int

    public init(n: Int, c: Int, h: Int, w: Int) {
        (self.n, self.c, self.h, self.w) = (n, c, h, w)
    }

    public var count: Int { n * c * h * w }
    public var description: String { "[\(n), \(c), \(h), \(w)]" }
}

/// The scheduler that drives a `Sampler`, with its per-step options.
public enum SamplerScheduler: Sendable {
    case ddpm(DDPMScheduler)
    /// DDIM with η and `use_clipped_model_output`.
    case ddim(DDIMScheduler, eta: Double, useClippedModelOutput: Bool)
    /// DPM-Solver++ multistep (deterministic; its state is kept per run).
    case dpmSolver(DPMSolverMultistepScheduler)

    var timesteps: [Int] {
        switch self {
        case .ddpm(let s): return s.timesteps
        case .ddim(let s, _, _): return s.timesteps
        case .dpmSolver(let s): return s.timesteps
        }
    }

    var schedule: NoiseSchedule {
        switch self {
        case .ddpm(let s): return s.schedule
        case .ddim(let s, _, _): return s.schedule
        case .dpmSolver(let s): return s.schedule
        }
    }
}

/// The reverse-diffusion loop, independent of the network: for each timestep t, ask `model` for its
/// output on xₜ and let the scheduler step to the next sample.
///
/// The model is a closure `(xₜ [N, C, H, W] flattened, t) -> output of the same count` (ε, x₀ or v per
/// the scheduler's `prediction_type`); wrap `ClassifierFreeGuidance.guidedOutput` in it for guidance.
/// Noise is drawn from the `NoiseSource` in diffusers' order: the initial sample first (text-to-image
/// and image-to-image alike), then, per step, DDPM's variance noise when t > 0 and DDIM's when η > 0.
public struct Sampler: Sendable {
    public let scheduler: SamplerScheduler
    public let shape: SampleShape

    /// A sampler whose scheduler has been set to `steps` inference steps.
    ///
    /// - Throws: `.invalidArgument` for steps outside 1…T (naming `num_inference_steps`) or a bad η, or
    ///   an empty shape.
    public init(scheduler: SamplerScheduler, steps: Int, shape: SampleShape) throws(DiffusionError) {
        guard shape.n > 0, shape.c > 0, shape.h > 0, shape.w > 0 else {
            throw DiffusionError(.invalidArgument, "sample shape: every dimension must be positive, got \(shape)")
        }
        switch scheduler {
        case .ddpm(var s):
            try s.setTimesteps(steps)
            self.scheduler = .ddpm(s)
        case .ddim(var s, let eta, let clipped):
            guard eta >= 0, eta <= 1 else {
                throw DiffusionError(.invalidArgument, "eta: expected 0 ≤ eta ≤ 1, got \(eta)")
            }
            try s.setTimesteps(steps)
            self.scheduler = .ddim(s, eta: eta, useClippedModelOutput: clipped)
        case .dpmSolver(var s):
            try s.setTimesteps(steps)
            self.scheduler = .dpmSolver(s)
        }
        self.shape = shape
    }

    /// The timesteps of a full run, descending.
    public var timesteps: [Int] { scheduler.timesteps }

    /// Generates from pure noise: x_T ~ N(0, I) (diffusers' `init_noise_sigma` is 1 for DDPM and DDIM),
    /// then `denoise` over all timesteps.
    public func sample<Noise: NoiseSource>(
        noise: inout Noise, model: ([Float], Int) throws -> [Float], onStep: ((Int, Int) -> Void)? = nil
    ) throws -> [Float] {
        let start = try noise.next(count: shape.count)
        return try denoise(from: start, over: timesteps, noise: &noise, model: model, onStep: onStep)
    }

    /// Image-to-image: noises `source` to the first of `ImageToImage.timesteps(timesteps, strength:)`
    /// with `add_noise` and denoises from there over the remaining timesteps.
    ///
    /// - Throws: `.shapeMismatch` when `source` is not `shape.count` values, `.invalidArgument` for a bad strength.
    public func imageToImage<Noise: NoiseSource>(
        source: [Float], strength: Double, noise: inout Noise, model: ([Float], Int) throws -> [Float],
        onStep: ((Int, Int) -> Void)? = nil
    ) throws -> [Float] {
        guard source.count == shape.count else {
            throw DiffusionError(
                .shapeMismatch,
                "image-to-image: the source has \(source.count) values, the sampler's shape \(shape) needs \(shape.count)"
            )
        }
        let kept = try ImageToImage.timesteps(timesteps, strength: strength)
        let start = try ImageToImage.noisedStart(
            source: source, noise: try noise.next(count: shape.count), timestep: kept[0], schedule: scheduler.schedule)
        return try denoise(from: start, over: kept, noise: &noise, model: model, onStep: onStep)
    }

    /// Runs the loop from `start` = x_{t₀} over `timesteps` (a tail of the scheduler's, for image-to-image).
    ///
    /// - Parameters:
    ///   - onStep: called after each step with (index, timestep), e.g. for a progress line.
    /// - Throws: the scheduler's errors (wrong counts, missing noise) and whatever `model` throws.
    public func denoise<Noise: NoiseSource>(
        from start: [Float], over timesteps: [Int], noise: inout Noise, model: ([Float], Int) throws -> [Float],
        onStep: ((Int, Int) -> Void)? = nil
    ) throws -> [Float] {
        guard start.count == shape.count else {
            throw DiffusionError(
                .shapeMismatch, "sampler: the start has \(start.count) values, shape \(shape) needs \(shape.count)")
        }
        var x = start
        var solver: DPMSolverMultistepScheduler? = nil
        if case .dpmSolver(let s) = scheduler { solver = s }
        for (i, t) in timesteps.enumerated() {
            let output = try model(x, t)
            switch scheduler {
            case .ddpm(let s):
                let z = t > 0 ? try noise.next(count: shape.count) : nil
                x = try s.step(modelOutput: output, timestep: t, sample: x, noise: z).prevSample
            case .ddim(let s, let eta, let clipped):
                let z = eta > 0 ? try noise.next(count: shape.count) : nil
                x = try s.step(
                    modelOutput: output, timestep: t, sample: x, eta: eta, useClippedModelOutput: clipped, noise: z
                ).prevSample
            case .dpmSolver:
                x = try solver!.step(modelOutput: output, timestep: t, sample: x)
            }
            onStep?(i, t)
        }
        return x
    }
}
