import Foundation
import RoundsCore
import RoundsImaging
import Testing

@testable import RoundsVision

@Suite struct LabelledImageFolderTests {
    static func png(_ value: UInt8, to path: String) throws {
        let image = try RGBImage(width: 6, height: 6, pixels: [UInt8](repeating: value, count: 6 * 6 * 3))
        try ImageFile.write(image, to: path, format: .png)
    }

    @Test func readsOneFolderPerConditionInSortedOrder() throws {
        let root = try ToyImages.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        for (folder, values) in [("target-lesion", [0, 255]), ("atypical-mole", [255])] {
            let dir = root.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for (i, v) in values.enumerated() { try Self.png(UInt8(v), to: dir.appendingPathComponent("\(i).png").path) }
        }
        try Data("x".utf8).write(to: root.appendingPathComponent("manifest.csv"))
        let data = try LabelledImageFolder.load(root.path, domain: "synthetic", size: 4, channels: 1)
        #expect(data.conditions == ["synthetic/atypical-mole", "synthetic/target-lesion"])
        #expect(data.labels == [0, 1, 1])
        #expect(data.images.map(\.count) == [16, 16, 16])
        #expect(data.images[1].allSatisfy { $0 == -1 } && data.images[2].allSatisfy { $0 == 1 })
        #expect(data.paths[0].hasSuffix("atypical-mole/0.png"))
    }

    @Test func namesTheFolderThatIsMissingEmptyOrBadlyNamed() throws {
        let root = try ToyImages.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        var e = try #require(throws: VisionError.self) {
            try LabelledImageFolder.load(root.path + "/nope", domain: "synthetic", size: 4, channels: 3)
        }
        #expect(e.message == "\(root.path)/nope: no such data folder")
        e = try #require(throws: VisionError.self) { try LabelledImageFolder.load(root.path, domain: "synthetic", size: 4, channels: 3) }
        #expect(e.message.contains("no condition sub-folders"))
        try FileManager.default.createDirectory(at: root.appendingPathComponent("empty"), withIntermediateDirectories: true)
        e = try #require(throws: VisionError.self) { try LabelledImageFolder.load(root.path, domain: "synthetic", size: 4, channels: 3) }
        #expect(e.message == "\(root.path)/empty: no PNG or JPEG images for condition synthetic/empty")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("Bad Name"), withIntermediateDirectories: true)
        e = try #require(throws: VisionError.self) { try LabelledImageFolder.load(root.path, domain: "synthetic", size: 4, channels: 3) }
        #expect(e.message.hasPrefix("\(root.path)/Bad Name: folder name:"))
    }

    @Test func theHeldOutSplitIsStratifiedAndSeeded() {
        let labels = Array(repeating: 0, count: 10) + Array(repeating: 1, count: 5) + [2]
        let data = LabelledImageFolder(conditions: ["a/x", "a/y", "a/z"], images: labels.map { _ in [] }, labels: labels,
                                       paths: labels.map { _ in "" })
        let (train, heldOut) = data.split(heldOutFraction: 0.2, seed: 4)
        #expect(Set(train).isDisjoint(with: heldOut) && train.count + heldOut.count == 16)
        #expect(heldOut.filter { labels[$0] == 0 }.count == 2)
        #expect(heldOut.filter { labels[$0] == 1 }.count == 1)
        #expect(heldOut.filter { labels[$0] == 2 }.isEmpty)
        #expect(data.split(heldOutFraction: 0.2, seed: 4) == (train, heldOut))
        #expect(data.split(heldOutFraction: 0, seed: 4).heldOut.isEmpty)
    }
}
