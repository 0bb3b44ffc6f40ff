import Foundation

/// Child processes of `rounds bench diffusion`: the diffusers peer script, and this binary again for
/// memory probes (a fresh process per probe, so each `ru_maxrss` is that probe's own peak).
enum BenchChildProcess {
    struct Output {
        var status: Int32
        var stdout: Data
        var stderr: String
    }

    /// Runs `executable` with `arguments` to completion, reading both pipes concurrently so neither
    /// can fill and block the child. Throws only when the process cannot start.
    static func run(_ executable: String, _ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let box = ErrBox()
        let reader = Thread { box.data = err.fileHandleForReading.readDataToEndOfFile(); box.done.signal() }
        reader.start()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        box.done.wait()
        process.waitUntilExit()
        let stderr = String(decoding: box.data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Output(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    /// This executable's path (`/proc/self/exe` on Linux, which works however `rounds` was invoked).
    static var selfPath: String {
        #if os(Linux)
        if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return p }
        #endif
        return Bundle.main.executablePath ?? CommandLine.arguments[0]
    }

    /// `Benchmarks/peers/<name>` under the working directory, else under an ancestor of the executable
    /// (a `.build/<config>/rounds` inside the repository).
    static func peerScript(_ name: String) -> String? {
        let relative = "Benchmarks/peers/" + name
        var candidates = [FileManager.default.currentDirectoryPath + "/" + relative]
        var dir = URL(fileURLWithPath: selfPath).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(dir.appendingPathComponent(relative).path)
            dir = dir.deletingLastPathComponent()
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// The one-minute load average, to print beside numbers measured on a shared machine.
    static var loadAverage: Double? {
        var loads = [Double](repeating: 0, count: 3)
        return getloadavg(&loads, 3) >= 1 ? loads[0] : nil
    }

    private final class ErrBox: @unchecked Sendable {
        var data = Data()
        let done = DispatchSemaphore(value: 0)
    }
}
