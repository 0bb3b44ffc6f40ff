import Foundation
import RoundsDiffusion
import RoundsImaging
import RoundsVision

/// Images to and from a diffusion model's tensors: `[C, S, S]` in [-1, 1]; one channel is the mean of
/// R, G and B going in and repeated to grey going out.
public enum ModelImages {
    /// The model input for `image`, resized to `size` when needed.
    public static func input(_ image: RGBImage, channels: Int, size: Int) -> [Float] {
        LabelledImageFolder.modelInput(image, size: size, channels: channels)
    }

    /// The model input for the image file at `path`; errors name the file. With `expectedID` (a
    /// training signal's `image_id`) the decoded image must have that id.
    public static func input(path: String, expectedID: String? = nil, channels: Int, size: Int) throws -> [Float] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DiffusionError(.io, "\(path): no such image file (was it purged or moved?)")
        }
        let image = try ImageFile.load(path: path).image
        try check(image, expectedID: expectedID, name: path)
        return input(image, channels: channels, size: size)
    }

    /// The model input for encoded PNG/JPEG bytes; `name` appears in errors.
    public static func input(bytes: [UInt8], name: String, expectedID: String? = nil, channels: Int, size: Int) throws -> [Float] {
        let image = try ImageFile.decode(bytes, source: name).0
        try check(image, expectedID: expectedID, name: name)
        return input(image, channels: channels, size: size)
    }

    private static func check(_ image: RGBImage, expectedID: String?, name: String) throws {
        guard let expectedID, image.imageID != expectedID else { return }
        throw DiffusionError(.invalidArgument, "\(name): its pixels have image id \(image.imageID.prefix(12))…, not the "
            + "\(expectedID.prefix(12))… the signal names (the file changed since, or the row points at another image)")
    }

    /// `n` images from `[n, C, S, S]` values.
    public static func images(_ values: [Float], n: Int, channels: Int, size: Int) throws -> [RGBImage] {
        let per = channels * size * size
        return try (0..<n).map { i in
            let one = Array(values[(i * per)..<((i + 1) * per)])
            return try RGBImage(chw: channels == 3 ? one : one + one + one, width: size, height: size)
        }
    }
}
