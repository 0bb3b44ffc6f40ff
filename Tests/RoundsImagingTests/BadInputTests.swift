import Foundation
#if canImport(Glibc)
import Glibc
#endif
import RoundsImaging
import Testing

/// Real bad bytes, through `ImageFile.load` so each message must name the path; fd 2 is captured
/// around every call to prove libpng and libjpeg printed nothing.
@Suite struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: @Sendable () throws -> [UInt8]
        var code: ImageError.Code
        var says: String
        var testDescription: String { name }
    }

    static let photo = SyntheticPhoto.make(width: 64, height: 48, seed: 11)
    static func png() throws -> [UInt8] { try PNGCodec.encode(photo) }
    static func jpeg() throws -> [UInt8] { try JPEGCodec.encode(photo, quality: 90) }
    /// Large enough that cutting it in half lands inside the entropy-coded scan.
    static func bigJPEG() throws -> [UInt8] { try JPEGCodec.encode(SyntheticPhoto.make(width: 256, height: 192), quality: 90) }

    /// A real JPEG with 5 stray bytes before its first DQT marker, which libjpeg skips with the
    /// warning "Corrupt JPEG data: 5 extraneous bytes before marker 0xdb".
    static func jpegWithStrayBytes() throws -> [UInt8] {
        var bytes = try jpeg()
        let dqt = try #require((2..<bytes.count - 1).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xDB })
        bytes.insert(contentsOf: [1, 2, 3, 4, 5], at: dqt)
        return bytes
    }

    static func pngChunkOffset(_ bytes: [UInt8], _ type: String) throws -> Int {
        try #require((8..<bytes.count - 4).first { Array(bytes[$0..<$0 + 4]) == Array(type.utf8) }) - 4
    }

    /// A PNG signature plus an IHDR declaring `width x height` (valid CRC) and an empty IDAT/IEND.
    static func pngHeader(width: UInt32, height: UInt32) -> [UInt8] {
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            return be32(UInt32(data.count)) + body + be32(crc32(body))
        }
        let ihdr = be32(width) + be32(height) + [8, 2, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr) + chunk("IDAT", [])
            + chunk("IEND", [])
    }

    /// A real JPEG whose SOF0 now declares `width x height`.
    static func jpegDeclaring(width: UInt16, height: UInt16) throws -> [UInt8] {
        var bytes = try jpeg()
        let sof = try #require((0..<bytes.count - 1).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        bytes[sof + 5] = UInt8(height >> 8); bytes[sof + 6] = UInt8(height & 0xFF)
        bytes[sof + 7] = UInt8(width >> 8); bytes[sof + 8] = UInt8(width & 0xFF)
        return bytes
    }

    /// Deterministic garbage: SplitMix64 bytes.
    static func garbage(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return UInt8(truncatingIfNeeded: z ^ (z >> 31))
        }
    }

    static let cases: [Case] = [
        Case(name: "zero length", bytes: { [] }, code: .empty, says: "empty"),
        Case(name: "wrong magic", bytes: { Array("GIF89a".utf8) + garbage(100, seed: 1) }, code: .unknownFormat,
             says: "not a PNG or JPEG"),
        Case(name: "random garbage", bytes: { [0x00] + garbage(4096, seed: 2) }, code: .unknownFormat,
             says: "not a PNG or JPEG"),
        Case(name: "PNG signature then garbage", bytes: { Array(try png().prefix(8)) + garbage(500, seed: 3) },
             code: .corrupt, says: "PNG"),
        Case(name: "JPEG SOI then garbage", bytes: { [0xFF, 0xD8, 0xFF] + garbage(500, seed: 4) }, code: .corrupt,
             says: "JPEG"),
        Case(name: "truncated PNG", bytes: { let b = try png(); return Array(b.prefix(b.count / 2)) },
             code: .corrupt, says: "corrupt PNG"),
        Case(name: "PNG cut inside IHDR", bytes: { Array(try png().prefix(20)) }, code: .corrupt, says: "PNG"),
        Case(name: "truncated JPEG", bytes: { let b = try bigJPEG(); return Array(b.prefix(b.count / 2)) },
             code: .corrupt, says: "Premature end of JPEG file"),
        Case(name: "JPEG cut in its header", bytes: { Array(try jpeg().prefix(30)) }, code: .corrupt, says: "JPEG"),
        Case(name: "PNG with bad IDAT CRC", bytes: {
            var b = try png()
            let idat = try pngChunkOffset(b, "IDAT")
            let length = b[idat..<idat + 4].reduce(0) { $0 << 8 | Int($1) }
            b[idat + 8 + length] ^= 0xFF  // the stored CRC; the data is intact
            return b
        }, code: .corrupt, says: "IDAT: CRC error"),
        Case(name: "PNG with damaged IDAT data", bytes: {
            var b = try png()
            b[try pngChunkOffset(b, "IDAT") + 10] ^= 0xFF  // zlib sees it before the CRC is checked
            return b
        }, code: .corrupt, says: "IDAT"),
        Case(name: "PNG with bad IHDR CRC", bytes: { var b = try png(); b[29] ^= 0x01; return b },
             code: .corrupt, says: "CRC"),
        Case(name: "PNG over side cap", bytes: { pngHeader(width: 20000, height: 10) }, code: .tooLarge,
             says: "20000x10 exceeds the limit of 16384 pixels per side"),
        Case(name: "PNG over pixel cap", bytes: { pngHeader(width: 16000, height: 16001) }, code: .tooLarge,
             says: "exceeds the limit of 64000000 pixels"),
        // Within the side cap, and 256 megapixels (783 MB decoded) was once within the pixel cap too.
        Case(name: "16000x16000 PNG over the decoded-pixel cap", bytes: { pngHeader(width: 16000, height: 16000) },
             code: .tooLarge, says: "16000x16000 exceeds the limit of 64000000 pixels (192 MB decoded)"),
        Case(name: "JPEG over pixel cap", bytes: { try jpegDeclaring(width: 9000, height: 9000) }, code: .tooLarge,
             says: "9000x9000 exceeds the limit of 64000000 pixels"),
        Case(name: "JPEG over side cap", bytes: { try jpegDeclaring(width: 60000, height: 60000) }, code: .tooLarge,
             says: "60000x60000 exceeds the limit of 16384"),
        Case(name: "JPEG with stray bytes between markers", bytes: { try jpegWithStrayBytes() }, code: .corrupt,
             says: "Corrupt JPEG data: 5 extraneous bytes before marker 0xdb"),
    ]

    @Test(arguments: cases)
    func badFileGivesNamedErrorAndSilentC(badCase: Case) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("bad-input.img").path
        try Data(badCase.bytes()).write(to: URL(fileURLWithPath: path))
        let (result, stderr) = try capturingStderr { Result { () throws(ImageError) in try ImageFile.load(path: path) } }
        guard case .failure(let error) = result else {
            Issue.record("\(badCase.name): decoded without error")
            return
        }
        #expect(error.code == badCase.code, "\(badCase.name): \(error.message)")
        #expect(error.message.hasPrefix(path + ": "), "\(error.message)")
        #expect(error.message.contains(badCase.says), "\(badCase.name): \(error.message)")
        for marker in cLibraryStderrMarkers {
            #expect(!stderr.contains(marker), "C library printed: \(stderr)")
        }
    }

    @Test func jpegWarningsCanBeIgnoredButTruncationCannot() throws {
        let noisy = try Self.jpegWithStrayBytes()
        let lenient = DecodeOptions(jpegWarnings: .ignore)
        let (image, stderr) = try capturingStderr { try JPEGCodec.decode(noisy, source: "noisy.jpg", options: lenient) }
        #expect(image == (try JPEGCodec.decode(Self.jpeg(), source: "clean.jpg")))
        #expect(!stderr.contains("Corrupt JPEG data"))
        let big = try Self.bigJPEG()
        let truncated = Array(big.prefix(big.count * 2 / 3))
        let error = try #require(throws: ImageError.self) {
            try JPEGCodec.decode(truncated, source: "cut.jpg", options: lenient)
        }
        #expect(error.message.hasPrefix("cut.jpg: truncated JPEG"))
    }

    /// libpng discards an ancillary chunk with a bad CRC with a warning; the simplified API keeps
    /// that warning to itself, and the pixels are unaffected.
    @Test func badAncillaryCRCIsSkippedSilently() throws {
        var bytes = try Fixture.bytes("metadata.png")
        let text = try Self.pngChunkOffset(bytes, "tEXt")
        let length = bytes[text..<text + 4].reduce(0) { $0 << 8 | Int($1) }
        bytes[text + 8 + length] ^= 0xFF
        let (image, stderr) = try capturingStderr { try PNGCodec.decode(bytes, source: "metadata-badcrc.png") }
        #expect(image == (try PNGCodec.decode(Fixture.bytes("metadata.png"), source: "metadata.png")))
        for marker in cLibraryStderrMarkers { #expect(!stderr.contains(marker), "C library printed: \(stderr)") }
    }

    @Test func capsAreConfigurable() throws {
        let gray = try Fixture.bytes("gray8.png")  // 8x4
        #expect(throws: Never.self) { try ImageFile.decode(gray, source: "g", options: DecodeOptions(maxSide: 8)) }
        let side = try #require(throws: ImageError.self) {
            try ImageFile.decode(gray, source: "g.png", options: DecodeOptions(maxSide: 7))
        }
        #expect(side.code == .tooLarge && side.message.contains("8x4"))
        let area = try #require(throws: ImageError.self) {
            try ImageFile.decode(Self.jpeg(), source: "j.jpg", options: DecodeOptions(maxPixels: 64 * 48 - 1))
        }
        #expect(area.code == .tooLarge)
    }

    @Test func missingFileAndDirectoryAreNamed() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("nope.png").path
        let e1 = try #require(throws: ImageError.self) { try ImageFile.load(path: missing) }
        #expect(e1.code == .unreadable && e1.message.hasPrefix(missing) && e1.message.contains("No such file"))
        let e2 = try #require(throws: ImageError.self) { try ImageFile.load(path: dir.path) }
        #expect(e2.code == .unreadable && e2.message.contains("directory"))
        // a named pipe is refused at once, not waited on for a writer
        let fifo = dir.appendingPathComponent("pipe.png").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let e3 = try #require(throws: ImageError.self) { try ImageFile.load(path: fifo) }
        #expect(e3.code == .unreadable && e3.message == "\(fifo): is not a regular file, expected an image file")
    }

    @Test func oversizedFileIsRefusedBeforeReading() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("big.png").path
        try Data(Self.png()).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: ImageError.self) {
            try ImageFile.load(path: path, options: DecodeOptions(maxFileBytes: 100))
        }
        #expect(error.code == .tooLarge && error.message.contains("over the limit of 100"))
    }
}

private func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

/// CRC-32 (ISO 3309, as PNG uses), bitwise.
private func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes {
        crc ^= UInt32(b)
        for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}

@Suite struct StderrCaptureTests {
    /// The capture must see what a C library would print, or the silence checks above prove nothing.
    @Test func captureSeesWritesToFileDescriptorTwo() throws {
        let marker = "Premature end of JPEG file (capture self-test)"
        let (_, captured) = try capturingStderr {
            _ = marker.withCString { write(2, $0, strlen($0)) }
        }
        #expect(captured.contains(marker))
    }
}
