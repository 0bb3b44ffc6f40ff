import Foundation
import RoundsImaging
import RoundsStore
import RoundsVision

/// Classifier features of stored images, read from their files; an image whose file is gone or does
/// not decode is reported with its reason instead of stopping the job.
struct ImageFeatureLoader {
    let classifier: ConditionClassifier

    /// Features per image id, and (image id, reason) for the images that could not be read.
    func features(of images: [ImageRecord]) throws -> (features: [String: [Float]], failed: [(String, String)]) {
        var inputs: [[Float]] = [], ids: [String] = []
        var failed: [(String, String)] = []
        for image in images where !ids.contains(image.id) {
            do {
                let loaded = try ImageFile.load(path: image.path).image
                inputs.append(LabelledImageFolder.modelInput(loaded, size: classifier.size, channels: classifier.channels))
                ids.append(image.id)
            } catch {
                failed.append((image.id, "\(image.path): \(error)"))
            }
        }
        var out: [String: [Float]] = [:]
        for (id, row) in zip(ids, try classifier.features(inputs)) { out[id] = row }
        return (out, failed)
    }
}

/// Which judge verdicts the reward model may learn from.
public enum JudgeSelection: Sendable, Hashable {
    /// Each image's latest judgment.
    case latest
    /// One judge run.
    case run(Int64)

    /// Parses `latest` or a run id.
    public init?(_ text: String) {
        if text == "latest" { self = .latest } else if let id = Int64(text), id >= 1 { self = .run(id) } else { return nil }
    }

    var runID: Int64? { if case .run(let id) = self { return id } else { return nil } }
    var provenance: String { runID.map(String.init) ?? "latest" }
}
