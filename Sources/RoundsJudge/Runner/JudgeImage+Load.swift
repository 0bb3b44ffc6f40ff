import RoundsImaging
import RoundsStore

extension JudgeImage {
    /// A stored image as the judge sends it: decoded, checked against its stored image id, resized to
    /// `maxLongEdge`, re-encoded as PNG (which drops every piece of metadata the file carried).
    ///
    /// A file whose pixels changed after `rounds images add` is refused: judging it would store a
    /// verdict about other pixels under the old image id.
    ///
    /// - Throws: `JudgeError.unreadableImage` naming the path (an unreadable file, or one whose pixels
    ///   no longer match its image id).
    static func load(_ record: ImageRecord, maxLongEdge: Int?) throws(JudgeError) -> JudgeImage {
        var pixels: RGBImage
        do {
            pixels = try ImageFile.load(path: record.path).image
        } catch {
            throw JudgeError(.unreadableImage, "\(record.path): \(error.message)", cause: error)
        }
        let found = pixels.imageID
        guard found == record.id else {
            throw JudgeError(
                .unreadableImage,
                "\(record.path): the file's pixels changed since it was stored as image \(record.id.prefix(12))… (they are now \(found.prefix(12))…); add it again with rounds images add to judge the new pixels")
        }
        do {
            if let edge = maxLongEdge { pixels = pixels.fitting(longEdge: edge) }
            return JudgeImage(bytes: try PNGCodec.encode(pixels), mediaType: "image/png", imageID: record.id,
                              origin: record.origin)
        } catch {
            throw JudgeError(.unreadableImage, "\(record.path): \(error.message)", cause: error)
        }
    }
}
