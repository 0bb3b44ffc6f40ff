import Foundation
import RoundsCore
import RoundsImaging
@testable import RoundsJudge
import RoundsStore
import Testing

/// A file changed after `rounds images add` is refused by name, not judged under its old image id.
@Suite struct ChangedImageTests {
    @Test func aFileWhosePixelsChangedAfterAddIsRefusedNamingIt() throws {
        let f = try BatchJudgingTests.fixture(count: 1)
        defer { f.remove() }
        let record = try #require(try f.store.image(id: f.imageIDs[0]))
        #expect(try JudgeImage.load(record, maxLongEdge: nil).imageID == record.id)

        let other = try RGBImage(width: 16, height: 16, pixels: [UInt8](repeating: 7, count: 16 * 16 * 3))
        try Data(try PNGCodec.encode(other)).write(to: URL(fileURLWithPath: record.path))
        let e = try #require(throws: JudgeError.self) { try JudgeImage.load(record, maxLongEdge: nil) }
        #expect(e.code == .unreadableImage)
        #expect(e.message.hasPrefix("\(record.path): the file's pixels changed since it was stored as image \(record.id.prefix(12))"))
        #expect(e.message.contains(other.imageID.prefix(12)) && e.message.contains("rounds images add"))
    }
}
