import Foundation
import RoundsImaging

/// Runs the Pillow peer script as a subprocess and reads the JSON it prints.
enum PillowPeer {
    struct Output {
        var version: String
        var measurements: [ImageBenchmark.Measurement]
    }

    struct Note: Error {
        var message: String
    }

    private struct Document: Decodable {
        var pillowVersion: String
        var results: [ImageBenchmark.Measurement]
        enum CodingKeys: String, CodingKey {
            case results
            case pillowVersion = "pillow_version"
        }
    }

    static func run(script: String, python: String, image: RGBImage, png: [UInt8], jpeg: [UInt8], quality: Int,
                    seconds: Double) -> Result<Output, Note>
    {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rounds-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let rgbURL = dir.appendingPathComponent("image.rgb"), pngURL = dir.appendingPathComponent("image.png")
        let jpegURL = dir.appendingPathComponent("image.jpg")
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try Data(image.pixels).write(to: rgbURL)
            try Data(png).write(to: pngURL)
            try Data(jpeg).write(to: jpegURL)
        } catch {
            return .failure(Note(message: "Pillow peer skipped: cannot write its inputs: \(error.localizedDescription)"))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script, "--rgb", rgbURL.path, "--width", "\(image.width)",
                             "--height", "\(image.height)", "--png", pngURL.path, "--jpeg", jpegURL.path,
                             "--quality", "\(quality)", "--png-level", "6", "--seconds", "\(seconds)"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do {
            try process.run()
        } catch {
            return .failure(Note(message: "Pillow peer skipped: cannot start \(python): \(error.localizedDescription)"))
        }
        // Read stderr on another thread so neither pipe can fill and block the child.
        let errBox = DataBox()
        let reader = Thread { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); errBox.done.signal() }
        reader.start()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        errBox.done.wait()
        process.waitUntilExit()
        let stderr = String(decoding: errBox.data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0 else {
            let reason = stderr.split(separator: "\n").last.map(String.init) ?? "exit \(process.terminationStatus)"
            return .failure(Note(message: "Pillow peer skipped: \(script) failed: \(reason)"))
        }
        do {
            let doc = try JSONDecoder().decode(Document.self, from: stdout)
            return .success(Output(version: doc.pillowVersion, measurements: doc.results))
        } catch {
            return .failure(Note(message: "Pillow peer skipped: \(script) printed unreadable JSON: \(error)"))
        }
    }

    private final class DataBox: @unchecked Sendable {
        var data = Data()
        let done = DispatchSemaphore(value: 0)
    }
}
