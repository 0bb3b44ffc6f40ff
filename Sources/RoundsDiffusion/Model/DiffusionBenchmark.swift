import Foundation
import RoundsTensor

/// `rounds bench diffusion`: throughput of the real training step (`DiffusionTrainer`) and of DDIM
/// sampling with and without guidance, on one fixed class-conditional UNet that the diffusers peer
/// (`Benchmarks/peers/diffusion_unet.py`) builds identically.
///
/// Sampling is timed over the first `timedSteps` steps of a 50-step DDIM schedule (every step costs
/// the same network call) and reported as images/s of the full 50-step run.
public struct DiffusionBenchmark: Sendable {
    /// One image size with its training and sampling batch.
    public struct Case: Sendable, Codable, Hashable {
        public var imageSize: Int, trainBatch: Int, sampleBatch: Int
        public init(imageSize: Int, trainBatch: Int, sampleBatch: Int) {
            self.imageSize = imageSize; self.trainBatch = trainBatch; self.sampleBatch = sampleBatch
        }
        /// `SIZE:TRAIN_BATCH:SAMPLE_BATCH`, the peer script's `--cases` syntax.
        public var argument: String { "\(imageSize):\(trainBatch):\(sampleBatch)" }
    }

    public struct Training: Sendable, Codable, Hashable {
        public var imageSize: Int, batch: Int
        /// Best wall time of one step (forward, loss, backward, clipping, AdamW, EMA).
        public var secondsPerStep: Double
        public var imagesPerSecond: Double
    }

    public struct Sampling: Sendable, Codable, Hashable {
        public var imageSize: Int, batch: Int
        public var guidance: Double
        /// Wall time of one denoising step of the batch (best run / timed steps).
        public var secondsPerStep: Double
        /// Images per second of a 50-step DDIM run.
        public var imagesPerSecond: Double
    }

    public var cases: [Case]
    public var timedSteps: Int
    public var trainSteps: Int
    public var guidance: Double
    /// DDIM steps of the schedule whose throughput is reported.
    public static let scheduleSteps = 50

    public init(cases: [Case], timedSteps: Int = 5, trainSteps: Int = 2, guidance: Double = 3) {
        self.cases = cases; self.timedSteps = timedSteps; self.trainSteps = trainSteps; self.guidance = guidance
    }

    /// The benchmark UNet: diffusers `UNet2DModel` with block_out_channels (64, 128, 128), two resnets
    /// per block, attention (head dim 8) at the lowest resolution and in the mid block, 32 groups,
    /// 10 classes plus the null class.
    public static func model(imageSize: Int) -> DiffusionModel {
        let config = UNetConfig(
            sampleSize: imageSize, channels: 3, blockOutChannels: [64, 128, 128], attention: [false, false, true],
            layersPerBlock: 2, normNumGroups: 32, attentionHeadDim: 8, numClassEmbeds: 11)
        var rng = PCG32(seed: 0)
        let manifest = ModelManifest(
            conditions: (0..<10).map { "class\($0)" }, nullClassIndex: 10, imageSize: imageSize, channels: 3, ema: false)
        return DiffusionModel(
            unet: UNet2DModel(config: config, rng: &rng), scheduler: SchedulerConfig(kind: .ddpm), manifest: manifest)
    }

    /// Times `trainSteps` training steps (after one warm-up) of a batch of random images.
    public func measureTraining(_ c: Case) throws -> Training {
        let trainer = try DiffusionTrainer(model: Self.model(imageSize: c.imageSize))
        var rng = PCG32(seed: 7)
        let shape = [c.trainBatch, 3, c.imageSize, c.imageSize]
        let best = try Self.bestTime(runs: trainSteps) {
            let images = Tensor(shape: shape, scalars: rng.normals(shape.elementCount).map { Swift.min(Swift.max($0, -1), 1) })
            _ = try trainer.train(images: images, labels: (0..<c.trainBatch).map { _ in Int(rng.next() % 10) })
        }
        return Training(imageSize: c.imageSize, batch: c.trainBatch, secondsPerStep: best,
                        imagesPerSecond: Double(c.trainBatch) / best)
    }

    /// Times the first `timedSteps` DDIM steps (after one warm-up step) of class-3 sampling at `guidance`.
    public func measureSampling(_ c: Case, guidance: Double, model: DiffusionModel) throws -> Sampling {
        let options = GenerationOptions(scheduler: .ddim, steps: Self.scheduleSteps, eta: 0, guidanceScale: guidance)
        let sampler = try model.sampler(options, n: c.sampleBatch)
        let denoiser = try model.denoiser(
            labels: Array(repeating: 3, count: c.sampleBatch), options: options, shape: sampler.shape)
        var noise = GaussianNoise(seed: 5)
        let steps = Array(sampler.timesteps.prefix(timedSteps))
        _ = try sampler.denoise(from: noise.next(count: sampler.shape.count), over: [steps[0]], noise: &noise, model: denoiser)
        let best = try Self.bestTime(runs: 1, warmUp: false) {
            _ = try sampler.denoise(from: noise.next(count: sampler.shape.count), over: steps, noise: &noise, model: denoiser)
        }
        let perStep = best / Double(steps.count)
        return Sampling(imageSize: c.imageSize, batch: c.sampleBatch, guidance: guidance, secondsPerStep: perStep,
                        imagesPerSecond: Double(c.sampleBatch) / (perStep * Double(Self.scheduleSteps)))
    }

    /// Runs every case: training, then sampling without and with guidance.
    public func run(progress: (String) -> Void = { _ in }) throws -> (training: [Training], sampling: [Sampling]) {
        var training: [Training] = [], sampling: [Sampling] = []
        for c in cases {
            progress("training step \(c.imageSize)x\(c.imageSize), batch \(c.trainBatch)")
            training.append(try measureTraining(c))
            let model = Self.model(imageSize: c.imageSize)
            for g in [1, guidance] {
                progress("DDIM sampling \(c.imageSize)x\(c.imageSize), batch \(c.sampleBatch), guidance \(g)")
                sampling.append(try measureSampling(c, guidance: g, model: model))
            }
        }
        return (training, sampling)
    }

    /// What a memory probe runs, in a fresh process so that its peak RSS is its own.
    public enum ProbeKind: String, Sendable, Codable, CaseIterable {
        /// One training step of `DiffusionTrainer` (model, AdamW moments and EMA included).
        case train
        /// Two guided DDIM steps (guidance 3: the network sees twice the batch).
        case sample
    }

    /// Runs one memory probe in this process and returns its peak resident set size in bytes.
    public static func memoryProbe(_ kind: ProbeKind, imageSize: Int, batch: Int) throws -> Int {
        let model = Self.model(imageSize: imageSize)
        var rng = PCG32(seed: 9)
        switch kind {
        case .train:
            let trainer = try DiffusionTrainer(model: model)
            let shape = [batch, 3, imageSize, imageSize]
            _ = try trainer.train(images: Tensor(shape: shape, scalars: rng.normals(shape.elementCount)),
                                  labels: (0..<batch).map { $0 % 10 })
        case .sample:
            _ = try model.generate(
                classIndex: 3, n: batch, options: GenerationOptions(scheduler: .ddim, steps: 2, guidanceScale: 3), seed: 1)
        }
        return peakResidentBytes()
    }

    /// This process's peak resident set size (`getrusage` `ru_maxrss`), in bytes.
    public static func peakResidentBytes() -> Int {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Int(usage.ru_maxrss) * 1024
        #else
        getrusage(RUSAGE_SELF, &usage)
        return Int(usage.ru_maxrss)  // bytes on Darwin
        #endif
    }

    /// Best wall time of `runs` calls of `body` (after one warm-up call unless `warmUp` is false).
    static func bestTime(runs: Int, warmUp: Bool = true, _ body: () throws -> Void) throws -> Double {
        if warmUp { try body() }
        var best = Double.infinity
        for _ in 0..<Swift.max(runs, 1) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            best = Swift.min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return best
    }
}
