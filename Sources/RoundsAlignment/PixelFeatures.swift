import RoundsImaging

/// The documented fallback feature extractor when CAS is given no condition classifier
/// (`--classifier`): the image box-downscaled to 8×8 RGB, values in [0, 1], row-major HWC (192 numbers).
///
/// It only measures colour layout, so proximity computed on it says "looks like the real images at a
/// glance", nothing clinical; every score made with it records `PixelFeatures.version`.
public enum PixelFeatures {
    public static let version = "pixels-8x8-rgb-v1"
    public static let side = 8
    public static var width: Int { side * side * 3 }

    /// The feature vector of one decoded image.
    public static func vector(_ image: RGBImage) -> [Double] {
        let small = image.resized(width: side, height: side)
        return small.pixels.map { Double($0) / 255 }
    }

    /// Loads and embeds the file at `path`.
    ///
    /// - Throws: `AlignmentError.unreadableFile` naming the image when it cannot be decoded.
    public static func vector(path: String, imageID: String) throws(AlignmentError) -> [Double] {
        do {
            return vector(try ImageFile.load(path: path).image)
        } catch {
            throw AlignmentError(.unreadableFile, "image \(imageID) at \(path): \(error)")
        }
    }
}
