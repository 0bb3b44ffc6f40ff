import Foundation
import RoundsVision

/// The images of `rounds train --data DIR`: one sub-folder per condition (its name is the condition),
/// PNG and JPEG files inside, resized to the model's size. Class indices follow the sorted folder names.
/// The folder reader is `RoundsVision.LabelledImageFolder`, shared with `rounds classifier`.
struct TrainingData {
    /// `domain/condition` in class-index order.
    var conditions: [String]
    /// `[C, S, S]` in [-1, 1], one per image.
    var images: [[Float]]
    var labels: [Int]

    /// Loads `directory`; every problem names the folder or file.
    static func load(_ directory: String, domain: String, size: Int, channels: Int) throws -> TrainingData {
        let folder = try LabelledImageFolder.load(directory, domain: domain, size: size, channels: channels)
        return TrainingData(conditions: folder.conditions, images: folder.images, labels: folder.labels)
    }
}
