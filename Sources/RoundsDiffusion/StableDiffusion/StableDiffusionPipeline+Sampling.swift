// port of https://github.com/huggingface/diffusers/blob/v0.42.1/src/diffusers/pipelines/stable_diffusion/pipeline_stable_diffusion.py
// and pipeline_stable_diffusion_img2img.py (`__call__`: prompt embeddings, guidance, the denoising loop,
// VAE decoding and post-processing)
import RoundsTensor

/// How a Stable Diffusion pipeline samples.
public struct StableDiffusionOptions: Sendable, Equatable {
    public enum Scheduler: String, Sendable, CaseIterable {
        case ddim, ddpm, dpmsolver
    }
    public var scheduler: Scheduler
    public var steps: Int
    /// DDIM's η (0: deterministic).
    public var eta: Double
    /// Classifier-free guidance scale; guidance runs when above 1, as in diffusers.
    public var guidance: Double
    /// Image height and width in pixels (multiples of the VAE factor times the UNet's divisor).
    public var height: Int, width: Int
    /// VAE decoding tile in latents (nil: the VAE's own `sample_size` tile, used only for larger images).
    public var decodeTile: Int?

    public init(scheduler: Scheduler = .ddim, steps: Int = 50, eta: Double = 0, guidance: Double = 7.5,
                height: Int, width: Int, decodeTile: Int? = nil) {
        self.scheduler = scheduler
        self.steps = steps
        self.eta = eta
        self.guidance = guidance
        self.height = height
        self.width = width
        self.decodeTile = decodeTile
    }
}

extension StableDiffusionPipeline {
    /// The latent shape `[n, C, h/f, w/f]` for `options`, checked.
    public func latentShape(n: Int, _ o: StableDiffusionOptions) throws(DiffusionError) -> SampleShape {
        let f = vaeFactor, step = f * unet.sizeDivisor
        guard o.height > 0, o.width > 0, o.height % step == 0, o.width % step == 0 else {
            throw DiffusionError(.invalidArgument, "resolution: \(o.width)x\(o.height) must be a positive multiple of \(step) (the VAE's factor \(f) times the UNet's \(unet.sizeDivisor))")
        }
        return SampleShape(n: n, c: unet.config.inChannels, h: o.height / f, w: o.width / f)
    }

    func sampler(_ o: StableDiffusionOptions, shape: SampleShape) throws(DiffusionError) -> Sampler {
        let kind: SamplerScheduler
        switch o.scheduler {
        case .ddim:
            // converting resets the other class's own keys; DDIM's set_alpha_to_one must stay as the file says
            let config = scheduler.kind == .ddim ? scheduler : scheduler.converted(to: .ddim)
            kind = .ddim(try DDIMScheduler(config: config), eta: o.eta, useClippedModelOutput: false)
        case .ddpm:
            kind = .ddpm(try DDPMScheduler(config: scheduler.kind == .ddpm ? scheduler : scheduler.converted(to: .ddpm)))
        case .dpmsolver:
            kind = .dpmSolver(try DPMSolverMultistepScheduler(
                config: scheduler, timestepSpacing: schedulerStatesSpacing ? scheduler.timestepSpacing : .linspace))
        }
        return try Sampler(scheduler: kind, steps: o.steps, shape: shape)
    }

    /// The guided noise prediction as the sampler asks for it: the UNet on `[x; x]` with
    /// `[negative; prompt]` embeddings, `uncond + g·(cond − uncond)`; once on `x` when g ≤ 1.
    func denoiser(prompt: Tensor, negative: Tensor, guidance: Double, shape: SampleShape) -> ([Float], Int) throws -> [Float] {
        let dims = [shape.n, shape.c, shape.h, shape.w]
        let guided = guidance > 1
        let context = guided ? Tensor.concat([negative, prompt], axis: 0) : prompt
        return { [unet] x, t in
            let input = Tensor(shape: dims, scalars: x)
            let batch = guided ? Tensor.concat([input, input], axis: 0) : input
            let out = withoutGradients {
                unet(batch, timesteps: [Float](repeating: Float(t), count: batch.shape[0]), context: context)
            }.scalars
            guard guided else { return out }
            return try ClassifierFreeGuidance.combine(
                unconditional: Array(out[..<x.count]), conditional: Array(out[x.count...]), scale: guidance)
        }
    }

    /// Embeddings of `prompt` and of the negative prompt (empty when nil), each repeated `n` times.
    func embeddings(prompt: String, negative: String?, n: Int) -> (Tensor, Tensor) {
        let both = encode([prompt, negative ?? ""])
        let parts = both.split(sizes: [1, 1], axis: 0)
        return (Tensor.concat([Tensor](repeating: parts[0], count: n), axis: 0),
                Tensor.concat([Tensor](repeating: parts[1], count: n), axis: 0))
    }

    /// Text-to-image: `n` images `[n, 3, H, W]` in 0...1 from noise (the first draw of `noise` is the
    /// starting latents, as with `--initial-noise`).
    public func generate<Noise: NoiseSource>(prompt: String, negativePrompt: String? = nil, n: Int, options o: StableDiffusionOptions,
                                             noise: inout Noise, onStep: ((Int, Int) -> Void)? = nil) throws -> Tensor {
        let shape = try latentShape(n: n, o)
        let s = try sampler(o, shape: shape)
        let (p, neg) = embeddings(prompt: prompt, negative: negativePrompt, n: n)
        let latents = try s.sample(noise: &noise, model: denoiser(prompt: p, negative: neg, guidance: o.guidance, shape: shape), onStep: onStep)
        return decodeToImages(Tensor(shape: [shape.n, shape.c, shape.h, shape.w], scalars: latents), tile: o.decodeTile)
    }

    /// Image-to-image (diffusers' img2img, MAGIC's I2I): `images [n, 3, H, W]` in -1...1 are encoded to a
    /// sample of the VAE's posterior (noise drawn first), noised to the step `strength` from the end and
    /// denoised with the prompt.
    public func transfer<Noise: NoiseSource>(images: Tensor, prompt: String, negativePrompt: String? = nil, strength: Double,
                                             options o: StableDiffusionOptions, noise: inout Noise,
                                             onStep: ((Int, Int) -> Void)? = nil) throws -> Tensor {
        let n = images.shape[0]
        let shape = try latentShape(n: n, o)
        guard images.shape == [n, vae.config.inChannels, o.height, o.width] else {
            throw DiffusionError(.shapeMismatch, "transfer: images \(images.shape), expected [\(n), \(vae.config.inChannels), \(o.height), \(o.width)]")
        }
        let s = try sampler(o, shape: shape)
        let posterior = try noise.next(count: shape.count)
        let source = withoutGradients {
            vae.latents(of: images, noise: Tensor(shape: [shape.n, shape.c, shape.h, shape.w], scalars: posterior))
        }
        let (p, neg) = embeddings(prompt: prompt, negative: negativePrompt, n: n)
        let latents = try s.imageToImage(source: source.scalars, strength: strength, noise: &noise,
                                         model: denoiser(prompt: p, negative: neg, guidance: o.guidance, shape: shape), onStep: onStep)
        return decodeToImages(Tensor(shape: [shape.n, shape.c, shape.h, shape.w], scalars: latents), tile: o.decodeTile)
    }

    /// The UNet's latents decoded one image at a time (tiled where larger than a tile) to 0...1:
    /// `clamp(x / 2 + 0.5, 0, 1)`.
    public func decodeToImages(_ latents: Tensor, tile: Int? = nil) -> Tensor {
        withoutGradients {
            let images = (0..<latents.shape[0]).map { i -> Tensor in
                let z = latents.slice(axis: 0, start: i, length: 1).scaled(by: 1 / vae.config.scalingFactor).adding(vae.config.shiftFactor)
                return vae.tiledDecode(z, tile: tile)
            }
            return Tensor.concat(images, axis: 0).scaled(by: 0.5).adding(0.5).clamped(0, 1)
        }
    }
}
