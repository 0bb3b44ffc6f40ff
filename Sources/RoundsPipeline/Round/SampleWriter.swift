import Foundation
import RoundsCore
import RoundsDiffusion
import RoundsImaging
import RoundsStore

/// Samples a model per condition, writes the PNGs and records them as synthetic images of a checkpoint.
///
/// Seeds are fixed per (condition, batch), so two models sampled with the same `SampleWriter` start from
/// the same noise: before/after comparisons are paired image by image.
public struct SampleWriter {
    public var perCondition: Int
    public var options: GenerationOptions
    public var seed: UInt64
    /// Images generated per forward batch (guidance doubles it).
    public var batch: Int

    public init(perCondition: Int, options: GenerationOptions, seed: UInt64 = 0, batch: Int = 32) {
        self.perCondition = perCondition
        self.options = options
        self.seed = seed
        self.batch = batch
    }

    /// The sampler parameters stored with each image.
    var samplerParameters: JSONValue { Self.parameters(options) }

    /// `options` as stored with an image, plus `extra` (an image-to-image round adds its strength).
    static func parameters(_ options: GenerationOptions, extra: [String: JSONValue] = [:]) -> JSONValue {
        let base: [String: JSONValue] = [
            "scheduler": .string(options.scheduler.rawValue), "steps": .number(Double(options.steps)),
            "eta": .number(options.eta), "guidance_scale": .number(options.guidanceScale),
        ]
        return .object(base.merging(extra) { _, new in new })
    }

    /// Creates `outDir/<condition's name>` and returns the name (the file-name stem) and the folder.
    static func conditionFolder(_ condition: String, in outDir: String) throws -> (stem: String, folder: String) {
        let stem = String(condition.split(separator: "/").last ?? Substring(condition))
        let folder = "\(outDir)/\(stem)"
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw DiffusionError(.io, "\(folder): cannot create the output folder", cause: error)
        }
        return (stem, folder)
    }

    /// Samples every condition of `model` into `outDir/<condition>/`, and adds the images to `store`.
    ///
    /// - Parameter progress: (images done, total) after each batch.
    /// - Returns: the stored rows, condition by condition.
    public func write(
        model: DiffusionModel, checkpointID: Int64, generator: String, outDir: String, store: Store,
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> [ImageRecord] {
        let m = model.manifest, channels = model.unet.config.inChannels
        let total = perCondition * m.conditions.count
        var records: [ImageRecord] = []
        for (index, condition) in m.conditions.enumerated() {
            let (stem, folder) = try Self.conditionFolder(condition, in: outDir)
            var made = 0, batchIndex: UInt64 = 0
            while made < perCondition {
                let n = min(batch, perCondition - made)
                let s = Self.seed(seed, condition: index, batch: batchIndex)
                let values = try model.generate(classIndex: index, n: n, options: options, seed: s)
                for (j, image) in try ModelImages.images(values, n: n, channels: channels, size: m.imageSize).enumerated() {
                    let path = "\(folder)/\(stem)-\(String(format: "%04d", made + j)).png"
                    records.append(try Self.record(
                        image, path: path, condition: condition, generator: generator, checkpointID: checkpointID,
                        seed: s, sampler: samplerParameters))
                }
                made += n
                batchIndex += 1
                progress(records.count, total)
            }
        }
        _ = try store.addImages(records)
        return records
    }

    /// The noise seed of batch `batch` of the condition with class index `condition` (also the
    /// image-to-image writer's).
    static func seed(_ seed: UInt64, condition: Int, batch: UInt64) -> UInt64 {
        seed &+ UInt64(condition) &* 1_000_003 &+ batch
    }

    /// Every noise seed `write` uses for a model of `conditions` conditions.
    public func seeds(conditions: Int) -> Set<UInt64> {
        let batches = UInt64((perCondition + batch - 1) / batch)
        return Set((0..<conditions).flatMap { c in (0..<batches).map { Self.seed(seed, condition: c, batch: $0) } })
    }

    /// Writes `image` as PNG and returns its row: synthetic, owned by Rounds (`condition` nil for a
    /// model whose classes are bare indices).
    public static func record(
        _ image: RGBImage, path: String, condition: String?, generator: String, checkpointID: Int64, seed: UInt64,
        sampler: JSONValue, parent: String? = nil
    ) throws -> ImageRecord {
        let bytes = try ImageFile.encode(image, format: .png)
        do { try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw DiffusionError(.io, "\(path): cannot write", cause: error)
        }
        return ImageRecord(
            id: image.imageID, fileSHA256: SHA256.hex(bytes), path: ImageIdentity.absolutePath(path),
            format: .png, width: image.width, height: image.height, byteCount: bytes.count,
            condition: condition.flatMap { try? ConditionID(parsing: $0) }, origin: .synthetic, generator: generator,
            checkpointID: checkpointID, seed: Int64(truncatingIfNeeded: seed), samplerParameters: sampler.canonicalString,
            parentImageID: parent, ownsFile: true)
    }
}
