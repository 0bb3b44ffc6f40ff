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

    /// The model input for the image file at `path`; errors name the file.
    public static func input(path: String, channels: Int, size: Int) throws -> [Float] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DiffusionError(.io, "\(path): no such image file (was it purged or moved?)")
        }
        return input(try ImageFile.load(path: path).image, channels: channels, size: size)
    }

    /// The model input for encoded PNG/JPEG bytes; `name` appears in errors.
    public static func input(bytes: [UInt8], name: String, channels: Int, size: Int) throws -> [Float] {
        input(try ImageFile.decode(bytes, source: name).0, channels: channels, size: size)
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
