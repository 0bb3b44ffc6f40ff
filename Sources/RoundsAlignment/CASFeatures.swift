import Foundation
import RoundsCore
import RoundsImaging
import RoundsStore
import RoundsVision

/// Where CAS takes label consistency and proximity features from.
///
/// With a condition classifier (`rounds classifier train`), label consistency is its softmax
/// probability of the intended condition and proximity uses its penultimate features. Without one,
/// label consistency is unavailable and proximity falls back to `PixelFeatures` (8×8 colour layout),
/// stated as such in every score's `computedBy`.
struct CASFeatures {
    /// `classifier:<SHA-256>` or `PixelFeatures.version`.
    let version: String
    private let classifier: ConditionClassifier?
    private var vectors: [String: [Double]] = [:]
    private var probabilities: [String: [Double]] = [:]

    /// Reads the classifier directory (when given) and embeds `images` once.
    ///
    /// - Throws: the classifier's load error; `AlignmentError.unreadableFile` naming an image that
    ///   cannot be decoded.
    init(classifierDirectory: URL?, images: [ImageRecord]) throws {
        guard let classifierDirectory else {
            version = PixelFeatures.version
            classifier = nil
            for image in images where vectors[image.id] == nil {
                vectors[image.id] = try PixelFeatures.vector(path: image.path, imageID: image.id)
            }
            return
        }
        let classifier = try ConditionClassifier(directory: classifierDirectory)
        self.classifier = classifier
        version = "classifier:\(classifier.version)"
        var ids: [String] = [], inputs: [[Float]] = []
        for image in images where !ids.contains(image.id) {
            let decoded: RGBImage
            do { decoded = try ImageFile.load(path: image.path).image } catch {
                throw AlignmentError(.unreadableFile, "image \(image.id) at \(image.path): \(error)")
            }
            ids.append(image.id)
            inputs.append(LabelledImageFolder.modelInput(decoded, size: classifier.size, channels: classifier.channels))
        }
        let features = try classifier.features(inputs), p = try classifier.probabilities(inputs)
        for (i, id) in ids.enumerated() {
            vectors[id] = features[i].map(Double.init)
            probabilities[id] = p[i].map(Double.init)
        }
    }

    /// Whether label consistency can be measured.
    var hasClassifier: Bool { classifier != nil }

    /// The feature vector of a stored image embedded at init.
    func vector(_ image: ImageRecord) -> [Double] { vectors[image.id]! }

    /// `p(intended condition)`, or why it is missing.
    func labelConsistency(_ image: ImageRecord) -> Result<Double, CASInputs.Missing> {
        guard let classifier else { return .failure(CASInputs.labelConsistencyMissing) }
        guard let condition = image.condition, let k = classifier.conditions.firstIndex(of: condition.description) else {
            return .failure(CASInputs.Missing("condition \(image.condition?.description ?? "none") is not one the classifier knows"))
        }
        do throws(AlignmentError) {
            return .success(try CASRules.labelConsistency(probabilities: probabilities[image.id]!, intended: k))
        } catch {
            return .failure(CASInputs.Missing(error.message))
        }
    }
}
