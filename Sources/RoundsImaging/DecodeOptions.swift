/// Limits and conversions applied while decoding.
///
/// The caps are checked against the dimensions in the file's header *before* any pixel memory is
/// allocated, so a crafted 100000x100000 header costs nothing.
public struct DecodeOptions: Sendable, Hashable {
    /// Largest accepted width or height. Default 16384.
    public var maxSide: Int
    /// Largest accepted `width * height`. Default `defaultMaxPixels`, 64 megapixels.
    public var maxPixels: Int
    /// 64 megapixels (e.g. 8000x8000): one decoded image then takes at most 192 MB as RGB8 (plus its
    /// alpha while compositing), so a file within the size caps cannot make a run allocate gigabytes.
    /// Dermatology and radiology photographs are far smaller; a larger picture is resized first.
    public static let defaultMaxPixels = 64_000_000
    /// Largest accepted file, read whole into memory. Default 1 GiB.
    public var maxFileBytes: Int
    /// The colour that transparent pixels are composited onto. Default white.
    ///
    /// Compositing is done on the stored (sRGB-encoded) 8-bit values, as most tools do:
    /// `out = round((c * a + bg * (255 - a)) / 255)`.
    public var background: RGB8
    /// What a libjpeg warning (corrupt data that the decoder papered over) does. Default `.fail`.
    ///
    /// A truncated JPEG ("Premature end of JPEG file") always fails: libjpeg fills the missing rows
    /// with gray, and such a picture must not get an image id as if it were whole.
    public var jpegWarnings: JPEGWarningPolicy

    public init(
        maxSide: Int = 16384,
        maxPixels: Int = DecodeOptions.defaultMaxPixels,
        maxFileBytes: Int = 1 << 30,
        background: RGB8 = .white,
        jpegWarnings: JPEGWarningPolicy = .fail
    ) {
        self.maxSide = maxSide
        self.maxPixels = maxPixels
        self.maxFileBytes = maxFileBytes
        self.background = background
        self.jpegWarnings = jpegWarnings
    }

    /// Throws unless `width x height` fits the caps.
    func checkSize(width: Int, height: Int, source: String) throws(ImageError) {
        guard width > 0, height > 0 else {
            throw ImageError(.corrupt, "\(source): header declares an empty image (\(width)x\(height))")
        }
        if width > maxSide || height > maxSide {
            throw ImageError(.tooLarge,
                             "\(source): declared size \(width)x\(height) exceeds the limit of \(maxSide) pixels per side")
        }
        let (area, overflow) = width.multipliedReportingOverflow(by: height)
        if overflow || area > maxPixels {
            throw ImageError(.tooLarge,
                             "\(source): declared size \(width)x\(height) exceeds the limit of \(maxPixels) pixels "
                                 + "(\(maxPixels * 3 / 1_000_000) MB decoded); resize it first")
        }
    }
}

/// How to treat libjpeg's recoverable-corruption warnings (e.g. "Corrupt JPEG data: 3 extraneous
/// bytes before marker 0xd9").
public enum JPEGWarningPolicy: String, Sendable, Hashable, CaseIterable {
    /// Any warning is an `ImageError` (`.corrupt`).
    case fail
    /// Warnings other than premature end of file are ignored; nothing is printed either way.
    case ignore
}

/// An 8-bit sRGB colour.
public struct RGB8: Sendable, Hashable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8
    public init(r: UInt8, g: UInt8, b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }
    public static let white = RGB8(r: 255, g: 255, b: 255)
    public static let black = RGB8(r: 0, g: 0, b: 0)
}
