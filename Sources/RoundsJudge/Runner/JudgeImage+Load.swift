import RoundsImaging
import RoundsStore

extension JudgeImage {
    /// A stored image as the judge sends it: decoded, resized to `maxLongEdge`, re-encoded as PNG (which
    /// drops every piece of metadata the file carried).
    ///
    /// - Throws: `JudgeError.unreadableImage` naming the path.
    static func load(_ record: ImageRecord, maxLongEdge: Int?) throws(JudgeError) -> JudgeImage {
        do {
            var pixels = try ImageFile.load(path: record.path).image
            if let edge = maxLongEdge { pixels = pixels.fitting(longEdge: edge) }
            return JudgeImage(bytes: try PNGCodec.encode(pixels), mediaType: "image/png", imageID: record.id,
                              origin: record.origin)
        } catch {
            throw JudgeError(.unreadableImage, "\(record.path): \(error.message)", cause: error)
        }
    }
}
