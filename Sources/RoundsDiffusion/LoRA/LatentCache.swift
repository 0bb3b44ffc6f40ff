import RoundsTensor

/// VAE latents of training images, each encoded once per run: keyed by image id (its content hash) and
/// the VAE's identity, so the same image met again (a second pair, another epoch) costs nothing.
///
/// Latents are the posterior mean, scaled and shifted as the UNet expects (no posterior sample: a cached
/// sample would freeze one draw for the whole run; the mean is what diffusers' DPO script's cache keeps).
public final class LatentCache {
    public let vae: AutoencoderKL
    /// What the keys are scoped to (the pipeline's content hash, or any string naming the VAE).
    public let vaeKey: String
    private var cache: [String: [Float]] = [:]
    public private(set) var encoded = 0, hits = 0

    public init(vae: AutoencoderKL, vaeKey: String) {
        self.vae = vae
        self.vaeKey = vaeKey
    }

    /// Latents `[C, h, w]` of `pixels` (`[3, size, size]` in -1...1) for the image `id`.
    public func latents(id: String, pixels: [Float], size: Int) throws(DiffusionError) -> [Float] {
        let key = vaeKey + ":" + id
        if let z = cache[key] { hits += 1; return z }
        guard pixels.count == 3 * size * size else {
            throw DiffusionError(.shapeMismatch, "image \(id.prefix(12)): \(pixels.count) values for a 3x\(size)x\(size) image")
        }
        guard size % vae.config.downsamplingFactor == 0 else {
            throw DiffusionError(.invalidArgument, "resolution \(size): not a multiple of the VAE's factor \(vae.config.downsamplingFactor)")
        }
        let z = withoutGradients { vae.latents(of: Tensor(shape: [1, 3, size, size], scalars: pixels)).scalars }
        cache[key] = z
        encoded += 1
        return z
    }
}
