import Foundation
import RoundsCore
import RoundsImaging

/// `rounds bench images`: codec throughput on a 512x512 synthetic photo, beside Pillow doing the
/// same work in the same run (via `Benchmarks/peers/images_pillow.py`).
///
/// Both sides use JPEG quality `jpegQuality` (4:2:0, ISLOW, no Huffman optimisation: libjpeg and
/// Pillow defaults) and PNG zlib level 6 with adaptive filtering (libpng's simplified-API default,
/// `compress_level=6` in Pillow). Decoding times the same bytes on both sides: the PNG and JPEG that
/// Rounds encoded. `sha256` hashes the image-id input (`"512x512x3\n"` + pixels). Rates are per
/// second of the measuring thread's CPU time on both sides.
package enum ImageBenchmark {
    package struct Config: Sendable {
        package var size: Int
        package var jpegQuality: Int
        /// Each operation repeats until this much time has passed (and at least 5 times).
        package var secondsPerOperation: Double
        /// The Pillow peer script; nil skips the peer.
        package var peerScript: String?
        package var python: String

        package init(size: Int = 512, jpegQuality: Int = 92, secondsPerOperation: Double = 1.0,
                    peerScript: String? = ImageBenchmark.defaultPeerScript(), python: String = "python3")
        {
            self.size = size
            self.jpegQuality = jpegQuality
            self.secondsPerOperation = secondsPerOperation
            self.peerScript = peerScript
            self.python = python
        }
    }

    /// One timed operation.
    package struct Measurement: Sendable, Codable, Hashable {
        package var operation: String
        package var opsPerSecond: Double
        package var iterations: Int
        /// Encoded size for encoders, input size for decoders and hashing.
        package var bytes: Int
        enum CodingKeys: String, CodingKey {
            case operation, iterations, bytes
            case opsPerSecond = "ops_per_second"
        }
    }

    package struct Report: Sendable, Codable {
        package var width: Int
        package var height: Int
        package var jpegQuality: Int
        package var pngCompressionLevel: Int
        package var rounds: [Measurement]
        package var pillow: [Measurement]
        package var pillowVersion: String?
        /// Why the peer did not run, if it did not.
        package var peerNote: String?
        /// Rounds ops/s divided by Pillow ops/s, per operation both measured.
        package var ratios: [String: Double]
        enum CodingKeys: String, CodingKey {
            case width, height, rounds, pillow, ratios
            case jpegQuality = "jpeg_quality"
            case pngCompressionLevel = "png_compression_level"
            case pillowVersion = "pillow_version"
            case peerNote = "peer_note"
        }
    }

    package static let operations = ["png_decode", "png_encode", "jpeg_decode", "jpeg_encode", "sha256"]

    /// Runs the Rounds side, then the peer. `progress` receives one line per step (for stderr).
    package static func run(_ config: Config, progress: (String) -> Void = { _ in }) throws -> Report {
        let image = SyntheticPhoto.make(width: config.size, height: config.size, seed: 42)
        let png = try PNGCodec.encode(image)
        let jpeg = try JPEGCodec.encode(image, quality: config.jpegQuality)
        let t = config.secondsPerOperation
        var sink = 0
        var rounds: [Measurement] = []
        progress("rounds: png_decode")
        rounds.append(measure("png_decode", bytes: png.count, seconds: t) {
            sink &+= Int((try? PNGCodec.decode(png, source: "bench.png"))?.pixels[7] ?? 0)
        })
        progress("rounds: png_encode")
        rounds.append(measure("png_encode", bytes: png.count, seconds: t) {
            sink &+= (try? PNGCodec.encode(image))?.count ?? 0
        })
        progress("rounds: jpeg_decode")
        rounds.append(measure("jpeg_decode", bytes: jpeg.count, seconds: t) {
            sink &+= Int((try? JPEGCodec.decode(jpeg, source: "bench.jpg"))?.pixels[7] ?? 0)
        })
        progress("rounds: jpeg_encode")
        rounds.append(measure("jpeg_encode", bytes: jpeg.count, seconds: t) {
            sink &+= (try? JPEGCodec.encode(image, quality: config.jpegQuality))?.count ?? 0
        })
        progress("rounds: sha256")
        rounds.append(measure("sha256", bytes: image.pixels.count, seconds: t) {
            sink &+= image.imageID.utf8.count
        })
        blackHole(sink)

        var report = Report(width: image.width, height: image.height, jpegQuality: config.jpegQuality,
                            pngCompressionLevel: 6, rounds: rounds, pillow: [], pillowVersion: nil, peerNote: nil,
                            ratios: [:])
        guard let script = config.peerScript else {
            report.peerNote = "Pillow peer skipped: Benchmarks/peers/images_pillow.py not found"
            return report
        }
        progress("pillow: running \(script)")
        switch PillowPeer.run(script: script, python: config.python, image: image, png: png, jpeg: jpeg,
                              quality: config.jpegQuality, seconds: t)
        {
        case .success(let peer):
            report.pillow = peer.measurements
            report.pillowVersion = peer.version
            for m in rounds {
                if let p = peer.measurements.first(where: { $0.operation == m.operation }), p.opsPerSecond > 0 {
                    report.ratios[m.operation] = m.opsPerSecond / p.opsPerSecond
                }
            }
        case .failure(let note):
            report.peerNote = note.message
        }
        return report
    }

    /// `Benchmarks/peers/images_pillow.py` under the working directory, else under an ancestor of
    /// the running executable (a `.build/<config>/rounds` inside the repository).
    package static func defaultPeerScript() -> String? {
        let relative = "Benchmarks/peers/images_pillow.py"
        var candidates = [FileManager.default.currentDirectoryPath + "/" + relative]
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(dir.appendingPathComponent(relative).path)
            dir = dir.deletingLastPathComponent()
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Times `body` for at least `seconds` of this thread's CPU time and 5 iterations, after one
    /// warm-up call. CPU time rather than wall time: on a shared machine wall time mostly measures
    /// the other processes, and the peer measures the same way (`time.thread_time()`).
    static func measure(_ name: String, bytes: Int, seconds: Double, _ body: () -> Void) -> Measurement {
        body()
        let start = threadCPUSeconds()
        var iterations = 0
        var elapsed = 0.0
        repeat {
            body()
            iterations += 1
            elapsed = threadCPUSeconds() - start
        } while iterations < 5 || elapsed < seconds
        return Measurement(operation: name, opsPerSecond: Double(iterations) / max(elapsed, 1e-9),
                           iterations: iterations, bytes: bytes)
    }

    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    @inline(never) static func blackHole(_ value: Int) {
        if value == .min { print("", terminator: "") }
    }
}
