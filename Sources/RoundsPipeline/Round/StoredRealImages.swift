import Foundation
import RoundsCore
import RoundsDiffusion
import RoundsStore

/// A real training image: its stored record (so the judge can be asked about it) and the model input.
public struct RealExample: Sendable {
    public var record: ImageRecord
    public var example: FinetuneExample

    public init(record: ImageRecord, example: FinetuneExample) {
        self.record = record
        self.example = example
    }
}

/// The real images a round's RFT term (β_r) trains on, read from the store: origin real, of the model's
/// conditions, in the train split (or without a split); never the test split, which CAS and reports
/// hold out.
public enum StoredRealImages {
    /// Model inputs of the stored real training images of `model`'s conditions.
    ///
    /// - Throws: naming the file, when a stored image's file is gone or unreadable.
    public static func load(store: Store, model: DiffusionModel, limitPerCondition: Int? = nil) throws
        -> [RealExample]
    {
        let channels = model.unet.config.inChannels, size = model.manifest.imageSize
        var examples: [RealExample] = []
        for (label, name) in model.manifest.conditions.enumerated() {
            guard let condition = try? ConditionID(parsing: name) else { continue }
            var rows = try store.images(condition: condition, origin: .real).filter { $0.split != .test }
            if let limitPerCondition { rows = Array(rows.prefix(limitPerCondition)) }
            for row in rows {
                examples.append(RealExample(record: row, example: FinetuneExample(
                    image: try ModelImages.input(path: row.path, channels: channels, size: size), label: label)))
            }
        }
        return examples
    }
}

extension StoredRealImages {
    /// The stored real training images of `conditions` as RGB pixels at `size` (Stable Diffusion rounds),
    /// never the test split.
    public static func loadPixels(store: Store, conditions: [String], size: Int, limitPerCondition: Int? = nil) throws
        -> [LoRATrainingImage]
    {
        var out: [LoRATrainingImage] = []
        for name in conditions {
            guard let condition = try? ConditionID(parsing: name) else { continue }
            var rows = try store.images(condition: condition, origin: .real).filter { $0.split != .test }
            if let limitPerCondition { rows = Array(rows.prefix(limitPerCondition)) }
            for row in rows {
                out.append(LoRATrainingImage(id: row.id, pixels: try ModelImages.input(path: row.path, channels: 3, size: size),
                                             condition: name))
            }
        }
        return out
    }
}
