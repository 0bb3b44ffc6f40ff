import Foundation
import Testing

/// Runs the built `rounds` binary as a user would and captures what it printed, like ArgumentParser's
/// `AssertExecuteCommand`.
struct CLIRunner {
    struct Result {
        var stdout: String
        var stderr: String
        var status: Int32
    }

    /// The `rounds` executable next to the test bundle (SwiftPM builds it because this test target
    /// depends on it).
    static var executable: URL {
        var dir = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("rounds")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("rounds")
    }

    /// The package's root folder (where Package.swift is), found from this source file's path.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Runs `rounds` with `arguments` in `directory` (a fresh temporary folder by default).
    static func run(
        _ arguments: [String],
        in directory: URL? = nil,
        environment: [String: String] = [:],
        stdin: Data? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? FileManager.default.temporaryDirectory
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        // Read both pipes before waiting so a chatty child cannot block on a full pipe.
        let outBox = DataBox()
        let reader = Thread { outBox.data = out.fileHandleForReading.readDataToEndOfFile(); outBox.done.signal() }
        reader.start()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        outBox.done.wait()
        let outData = outBox.data
        process.waitUntilExit()
        return Result(
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self),
            status: process.terminationStatus
        )
    }

    private final class DataBox: @unchecked Sendable {
        var data = Data()
        let done = DispatchSemaphore(value: 0)
    }

    /// A new empty temporary directory, removed by the caller when it wants.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rounds-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
