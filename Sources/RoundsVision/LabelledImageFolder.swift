import Foundation
import RoundsCore
import RoundsImaging

/// Images in one sub-folder per condition (`DIR/<condition>/*.png|jpg`), the layout of
/// `rounds dataset synth` and `rounds train --data`: the folder name is the condition (in `domain`),
/// class indices follow the sorted folder names, and each image is resized to `size`×`size` and
/// converted to `[channels, size, size]` in [-1, 1].
public struct LabelledImageFolder: Sendable {
    /// Extensions read (case-insensitive).
    public static let extensions: Set<String> = ["png", "jpg", "jpeg"]

    /// `domain/condition` in class-index order.
    public var conditions: [String]
    /// `[channels, size, size]` in [-1, 1], one per image.
    public var images: [[Float]]
    /// Class index per image.
    public var labels: [Int]
    /// File path per image.
    public var paths: [String]

    public init(conditions: [String], images: [[Float]], labels: [Int], paths: [String]) {
        self.conditions = conditions
        self.images = images
        self.labels = labels
        self.paths = paths
    }

    /// Loads `directory`; every problem names the folder or file.
    ///
    /// - Throws: `VisionError.io` for a missing folder, no condition sub-folders or an empty one;
    ///   `.invalidInput` for a folder name that is not a condition slug; `ImageError` for an image
    ///   that does not decode (naming the file).
    public static func load(_ directory: String, domain: String, size: Int, channels: Int) throws -> LabelledImageFolder {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw VisionError(.io, "\(directory): no such data folder")
        }
        let root = URL(fileURLWithPath: directory)
        let names: [String]
        do { names = try fm.contentsOfDirectory(atPath: directory) } catch {
            throw VisionError(.io, "\(directory): cannot list the folder", cause: error)
        }
        let folders = names.filter { name in
            var d: ObjCBool = false
            return !name.hasPrefix(".") && fm.fileExists(atPath: root.appendingPathComponent(name).path, isDirectory: &d)
                && d.boolValue
        }.sorted()
        guard !folders.isEmpty else {
            throw VisionError(.io, "\(directory): no condition sub-folders (expected one folder of images per condition)")
        }
        var data = LabelledImageFolder(conditions: [], images: [], labels: [], paths: [])
        for (index, folder) in folders.enumerated() {
            let folderURL = root.appendingPathComponent(folder)
            let condition: ConditionID
            do { condition = try ConditionID(domain: domain, name: folder) } catch {
                throw VisionError(.invalidInput, "\(folderURL.path): folder name: \(error.message)")
            }
            data.conditions.append(condition.description)
            let files: [String]
            do { files = try fm.contentsOfDirectory(atPath: folderURL.path) } catch {
                throw VisionError(.io, "\(folderURL.path): cannot list the folder", cause: error)
            }
            let images = files.filter {
                !$0.hasPrefix(".") && extensions.contains(($0 as NSString).pathExtension.lowercased())
            }.sorted()
            guard !images.isEmpty else {
                throw VisionError(.io, "\(folderURL.path): no PNG or JPEG images for condition \(condition)")
            }
            for file in images {
                let path = folderURL.appendingPathComponent(file).path
                data.images.append(modelInput(try ImageFile.load(path: path).image, size: size, channels: channels))
                data.labels.append(index)
                data.paths.append(path)
            }
        }
        return data
    }

    /// `image` resized to `size`×`size` as `[channels, size, size]` in [-1, 1]; one channel takes the
    /// mean of R, G and B (as `RoundsDiffusion`'s model input does).
    public static func modelInput(_ image: RGBImage, size: Int, channels: Int) -> [Float] {
        let resized = image.width == size && image.height == size ? image : image.resized(width: size, height: size)
        let chw = resized.chwFloats()
        guard channels == 1 else { return chw }
        let plane = size * size
        return (0..<plane).map { (chw[$0] + chw[plane + $0] + chw[2 * plane + $0]) / 3 }
    }

    /// A stratified split: per condition, `fraction` of its images (rounded, at least one when the
    /// condition has two or more) go to the held-out part, chosen by a seeded shuffle.
    ///
    /// - Returns: index lists into `images` (each sorted).
    public func split(heldOutFraction fraction: Double, seed: UInt64) -> (train: [Int], heldOut: [Int]) {
        var rng = SplitRNG(seed: seed)
        var train: [Int] = [], heldOut: [Int] = []
        for k in conditions.indices {
            var members = labels.indices.filter { labels[$0] == k }
            for i in stride(from: members.count - 1, to: 0, by: -1) { members.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            var take = Int((Double(members.count) * fraction).rounded())
            if fraction > 0, members.count >= 2 { take = max(take, 1) }
            take = min(take, members.count - 1)
            heldOut += members.prefix(max(take, 0))
            train += members.dropFirst(max(take, 0))
        }
        return (train.sorted(), heldOut.sorted())
    }
}

/// SplitMix64, for the held-out split (independent of the training stream).
struct SplitRNG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
