import Foundation
import RoundsBroker
import RoundsDiffusion
import RoundsVision

/// A training image for LoRA finetuning: pixels `[3, S, S]` in -1...1 at the training resolution, its
/// condition (which picks the prompt), its RFT weight, and an id for the latent cache.
public struct LoRATrainingImage: Sendable {
    public var id: String
    public var pixels: [Float]
    public var condition: String
    public var weight: Float

    public init(id: String, pixels: [Float], condition: String, weight: Float = 1) {
        self.id = id
        self.pixels = pixels
        self.condition = condition
        self.weight = weight
    }
}

/// What a LoRA finetuning run consumes.
public enum LoRAFinetuneData: Sendable {
    case rft(synthetic: [LoRATrainingImage], real: [LoRATrainingImage])
    case dpo([(winner: LoRATrainingImage, loser: LoRATrainingImage)])

    /// Every condition the data names, sorted.
    public var conditions: [String] {
        switch self {
        case .rft(let s, let r): return Set((s + r).map(\.condition)).sorted()
        case .dpo(let pairs): return Set(pairs.map(\.winner.condition)).sorted()
        }
    }

    /// The broker's RFT weights file read at `size` px; errors name the file and line.
    public static func rft(_ entries: [WeightedImageEntry], size: Int) throws -> [LoRATrainingImage] {
        try entries.map { e in
            let pixels = try located(e.origin, image: e.imageID) {
                try ModelImages.input(path: e.path, expectedID: e.imageID, channels: 3, size: size)
            }
            return LoRATrainingImage(id: e.imageID, pixels: pixels, condition: e.condition, weight: Float(e.weight))
        }
    }

    /// The broker's DPO pairs read at `size` px.
    public static func dpo(_ entries: [PreferencePairEntry], size: Int) throws -> [(winner: LoRATrainingImage, loser: LoRATrainingImage)] {
        func load(_ side: PairImage, id: String, condition: String, origin: String) throws -> LoRATrainingImage {
            let pixels = try located(origin, image: id) {
                switch side {
                case .path(let p): return try ModelImages.input(path: p, expectedID: id, channels: 3, size: size)
                case .bytes(let b): return try ModelImages.input(bytes: b, name: "image \(id)", expectedID: id, channels: 3, size: size)
                }
            }
            return LoRATrainingImage(id: id, pixels: pixels, condition: condition)
        }
        return try entries.map { e in
            (try load(e.winner, id: e.winnerID, condition: e.condition, origin: e.origin),
             try load(e.loser, id: e.loserID, condition: e.condition, origin: e.origin))
        }
    }

    /// Real images of `directory` (one sub-folder per condition of `domain`) at `size` px.
    public static func real(_ directory: String, domain: String, size: Int) throws -> [LoRATrainingImage] {
        let folder = try LabelledImageFolder.load(directory, domain: domain, size: size, channels: 3)
        return zip(folder.images, zip(folder.labels, folder.paths)).map { image, lp in
            LoRATrainingImage(id: "file:" + lp.1, pixels: image, condition: folder.conditions[lp.0].description)
        }
    }

    private static func located<T>(_ origin: String, image: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as DiffusionError {
            throw DiffusionError(e.code, "\(origin): image \(image.prefix(12))…: \(e.message)")
        } catch {
            throw DiffusionError(.invalidArgument, "\(origin): image \(image.prefix(12))…: \(error)")
        }
    }
}
