import Foundation
import RoundsCore
import RoundsDiffusion
import RoundsImaging
import RoundsStore

/// MAGIC's image-to-image route for a round: every source image is noised to strength·T and denoised
/// toward each condition of the model, `copies` times; outputs are recorded with their source as parent.
///
/// Seeds are fixed per (condition, batch) as in `SampleWriter`, so the before and after models transfer
/// the same sources with the same noise.
public struct TransferWriter {
    /// A stored source image and its model input.
    public struct Source {
        public var imageID: String
        public var input: [Float]

        public init(imageID: String, input: [Float]) {
            self.imageID = imageID
            self.input = input
        }
    }

    public var sources: [Source]
    /// Outputs per source and condition, each from its own noise (MAGIC pairs outputs of one source).
    public var copies: Int
    /// How far each source is noised, in (0, 1].
    public var strength: Double
    public var options: GenerationOptions
    public var seed: UInt64
    public var batch: Int

    public init(
        sources: [Source], copies: Int = 2, strength: Double, options: GenerationOptions, seed: UInt64 = 0, batch: Int = 32
    ) {
        self.sources = sources
        self.copies = copies
        self.strength = strength
        self.options = options
        self.seed = seed
        self.batch = batch
    }

    /// Every noise seed `write` uses for a model of `conditions` conditions.
    public func seeds(conditions: Int) -> Set<UInt64> {
        let per = sources.count * max(1, copies), batches = UInt64((per + batch - 1) / batch)
        return Set((0..<conditions).flatMap { c in (0..<batches).map { SampleWriter.seed(seed, condition: c, batch: $0) } })
    }

    var samplerParameters: JSONValue { SampleWriter.parameters(options, extra: ["strength": .number(strength)]) }

    /// Transfers every source to every condition of `model` into `outDir/<condition>/` and stores the outputs.
    public func write(
        model: DiffusionModel, checkpointID: Int64, generator: String, outDir: String, store: Store,
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> [ImageRecord] {
        guard !sources.isEmpty else { throw DiffusionError(.invalidArgument, "image-to-image: no source images") }
        let m = model.manifest, channels = model.unet.config.inChannels
        let inputs = sources.flatMap { Array(repeating: $0, count: max(1, copies)) }
        let total = inputs.count * m.conditions.count
        var records: [ImageRecord] = []
        for (index, condition) in m.conditions.enumerated() {
            let (stem, folder) = try SampleWriter.conditionFolder(condition, in: outDir)
            var made = 0, batchIndex: UInt64 = 0
            while made < inputs.count {
                let group = Array(inputs[made..<min(made + batch, inputs.count)])
                let s = SampleWriter.seed(seed, condition: index, batch: batchIndex)
                var noise = GaussianNoise(seed: s)
                let values = try model.transfer(
                    source: group.flatMap(\.input), n: group.count, classIndex: index, strength: strength,
                    options: options, noise: &noise)
                let images = try ModelImages.images(values, n: group.count, channels: channels, size: m.imageSize)
                for (j, image) in images.enumerated() {
                    let path = "\(folder)/\(stem)-\(String(format: "%04d", made + j)).png"
                    records.append(try SampleWriter.record(
                        image, path: path, condition: condition, generator: generator, checkpointID: checkpointID,
                        seed: s, sampler: samplerParameters, parent: group[j].imageID))
                }
                made += group.count
                batchIndex += 1
                progress(records.count, total)
            }
        }
        _ = try store.addImages(records)
        return records
    }
}

/// Where a round's images come from: sampled from noise, or transferred from source images (MAGIC I2I).
public enum RoundImages {
    case sample(SampleWriter)
    case transfer(TransferWriter)

    /// Writes and stores one model's images for the round.
    public func write(
        model: DiffusionModel, checkpointID: Int64, generator: String, outDir: String, store: Store,
        progress: (Int, Int) -> Void
    ) throws -> [ImageRecord] {
        switch self {
        case .sample(let w):
            try w.write(model: model, checkpointID: checkpointID, generator: generator, outDir: outDir, store: store,
                        progress: progress)
        case .transfer(let w):
            try w.write(model: model, checkpointID: checkpointID, generator: generator, outDir: outDir, store: store,
                        progress: progress)
        }
    }

    /// What the round's progress calls this step.
    public var verb: String {
        switch self {
        case .sample: "sample"
        case .transfer: "transfer"
        }
    }

    /// The same images with seeds that never overlap this one's (offset by 2³²: overlapping would need
    /// thousands of conditions), `perCondition` samples each when sampling (the sources stay the same
    /// when transferring). The round evaluates every model on these, so no evaluation image shares its
    /// noise with the samples that built the signal.
    public func evaluation(perCondition: Int? = nil) -> RoundImages {
        switch self {
        case .sample(var w):
            w.seed = w.seed &+ Self.evaluationSeedOffset
            if let perCondition { w.perCondition = perCondition }
            return .sample(w)
        case .transfer(var w):
            w.seed = w.seed &+ Self.evaluationSeedOffset
            return .transfer(w)
        }
    }

    public static let evaluationSeedOffset: UInt64 = 1 << 32

    /// Every noise seed these images use for a model of `conditions` conditions.
    public func seeds(conditions: Int) -> Set<UInt64> {
        switch self {
        case .sample(let w): w.seeds(conditions: conditions)
        case .transfer(let w): w.seeds(conditions: conditions)
        }
    }

    /// The seed of pair candidates.
    var seed: UInt64 {
        switch self {
        case .sample(let w): w.seed
        case .transfer(let w): w.seed
        }
    }
}
