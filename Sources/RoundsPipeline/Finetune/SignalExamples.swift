import Foundation
import RoundsBroker
import RoundsDiffusion

/// The broker's signal files turned into a model's training examples. Every problem names the file and
/// line (or row) it came from: an image that is gone, a condition the model does not know, bad bytes.
public enum SignalExamples {
    /// Weighted synthetic images of an RFT weights file.
    public static func rft(_ entries: [WeightedImageEntry], model: DiffusionModel) throws -> [FinetuneExample] {
        let (channels, size) = (model.unet.config.inChannels, model.manifest.imageSize)
        return try entries.map { e in
            let label = try classIndex(e.condition, model: model, origin: e.origin)
            let image = try located(e.origin, image: e.imageID) {
                try ModelImages.input(path: e.path, expectedID: e.imageID, channels: channels, size: size)
            }
            return FinetuneExample(image: image, label: label, weight: Float(e.weight))
        }
    }

    /// One-winner pairs of a DPO file.
    public static func dpo(_ entries: [PreferencePairEntry], model: DiffusionModel) throws -> [FinetunePair] {
        let (channels, size) = (model.unet.config.inChannels, model.manifest.imageSize)
        func load(_ side: PairImage, id: String, origin: String) throws -> [Float] {
            try located(origin, image: id) {
                switch side {
                case .path(let p): return try ModelImages.input(path: p, expectedID: id, channels: channels, size: size)
                case .bytes(let b):
                    return try ModelImages.input(bytes: b, name: "image \(id)", expectedID: id, channels: channels, size: size)
                }
            }
        }
        return try entries.map { e in
            FinetunePair(
                winner: try load(e.winner, id: e.winnerID, origin: e.origin),
                loser: try load(e.loser, id: e.loserID, origin: e.origin),
                label: try classIndex(e.condition, model: model, origin: e.origin))
        }
    }

    private static func classIndex(_ condition: String, model: DiffusionModel, origin: String) throws -> Int {
        do { return try model.manifest.classIndex(of: condition) } catch {
            throw DiffusionError(.invalidArgument, "\(origin): \(error.message)")
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
