import Foundation
import RoundsCore
import RoundsStore

/// Memorisation of stored generated images: each one's distance to its nearest training image (real
/// images of split `train`, every condition) in `PixelFeatures` space, and the near-copies under
/// `Memorisation`'s threshold, overall and per group (generator or checkpoint).
public struct MemorisationSummary: Sendable {
    public struct Entry: Sendable {
        public var imageID: String
        public var group: String
        public var nearestTrainingID: String
        public var distance: Double
        public var nearCopy: Bool
    }

    public struct Group: Sendable {
        public var group: String
        public var count: Int
        public var nearCopies: Int
        public var share: Double { count == 0 ? 0 : Double(nearCopies) / Double(count) }
        public var medianDistance: Double
    }

    /// Why nothing was measured (fewer than two training images or no generated image), else nil.
    public var unavailable: String?
    public var trainingCount: Int
    /// The near-copy distance threshold τ (see `Memorisation`), 0 when unavailable.
    public var threshold: Double
    public var percentile: Double
    public var factor: Double
    /// Generated images, closest to the training set first.
    public var entries: [Entry]
    public var groups: [Group]

    public var nearCopyShare: Double {
        entries.isEmpty ? 0 : Double(entries.filter(\.nearCopy).count) / Double(entries.count)
    }

    /// Measures the generated images against the stored training images.
    ///
    /// - Parameter group: the group name of a generated image (as CAS groups them).
    /// - Throws: `AlignmentError.unreadableFile` naming an image whose file cannot be decoded.
    public static func measure(
        generated: [ImageRecord], store: Store, group: (ImageRecord) -> String, percentile: Double = 1,
        factor: Double = 1
    ) throws -> MemorisationSummary {
        let training = try store.images(origin: .real).filter { $0.split == .train }
        var summary = MemorisationSummary(
            unavailable: nil, trainingCount: training.count, threshold: 0, percentile: percentile, factor: factor,
            entries: [], groups: [])
        guard training.count >= 2 else {
            summary.unavailable =
                "\(training.count) training image(s) (real, split train) in the store; memorisation needs at least 2"
            return summary
        }
        guard !generated.isEmpty else {
            summary.unavailable = "no generated images to compare with the training images"
            return summary
        }
        let train = try FeatureMatrix(
            rows: try training.map { try PixelFeatures.vector(path: $0.path, imageID: $0.id) }, name: "training images")
        let fake = try FeatureMatrix(
            rows: try generated.map { try PixelFeatures.vector(path: $0.path, imageID: $0.id) },
            name: "generated images")
        let report = try Memorisation.analyse(generated: fake, training: train, percentile: percentile, factor: factor)
        let copies = Set(report.nearCopies)
        summary.threshold = report.threshold
        summary.entries = generated.indices.map { i in
            Entry(
                imageID: generated[i].id, group: group(generated[i]),
                nearestTrainingID: training[report.nearest.indices[i]].id, distance: report.nearest.distances[i],
                nearCopy: copies.contains(i))
        }.sorted { ($0.distance, $0.imageID) < ($1.distance, $1.imageID) }
        summary.groups = Dictionary(grouping: summary.entries, by: \.group).sorted { $0.key < $1.key }.map {
            name, items in
            let d = items.map(\.distance).sorted()
            let median = d.count % 2 == 1 ? d[d.count / 2] : (d[d.count / 2 - 1] + d[d.count / 2]) / 2
            return Group(
                group: name, count: items.count, nearCopies: items.filter(\.nearCopy).count, medianDistance: median)
        }
        return summary
    }

    /// One line for people: counts, share of near-copies, threshold, or why it was not measured.
    public var line: String {
        if let unavailable { return "memorisation: not measured: \(unavailable)" }
        let copies = entries.filter(\.nearCopy).count
        return
            "memorisation (\(PixelFeatures.version)): \(copies) of \(entries.count) generated image(s) are near-copies "
            + "of the \(trainingCount) training image(s) (share \(String(format: "%.3f", nearCopyShare)), "
            + "threshold \(String(format: "%.4g", threshold)) = "
            + "\(String(format: "%g", factor))·P\(String(format: "%g", percentile)) "
            + "of training nearest-neighbour distances)"
    }

    public var json: JSONValue {
        if let unavailable {
            return ["unavailable": .string(unavailable), "training_images": .number(Double(trainingCount))]
        }
        return [
            "features": .string(PixelFeatures.version), "training_images": .number(Double(trainingCount)),
            "threshold": .number(threshold), "percentile": .number(percentile), "factor": .number(factor),
            "generated": .number(Double(entries.count)),
            "near_copies": .number(Double(entries.filter(\.nearCopy).count)),
            "near_copy_share": .number(nearCopyShare),
            "groups": .array(
                groups.map { g in
                    [
                        "group": .string(g.group), "generated": .number(Double(g.count)),
                        "near_copies": .number(Double(g.nearCopies)), "near_copy_share": .number(g.share),
                        "median_distance": .number(g.medianDistance),
                    ]
                }),
            "images": .array(
                entries.map { e in
                    [
                        "image_id": .string(e.imageID), "group": .string(e.group),
                        "nearest_training_image": .string(e.nearestTrainingID), "distance": .number(e.distance),
                        "near_copy": .bool(e.nearCopy),
                    ]
                }),
        ]
    }
}
