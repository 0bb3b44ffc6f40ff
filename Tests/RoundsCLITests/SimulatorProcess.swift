import Foundation
import Testing

/// `rounds simulator --port 0` as a subprocess on a free loopback port, for tests that need a judge
/// speaking the real OpenAI protocol over a real socket.
final class SimulatorProcess {
    let process = Process()
    /// The API root, e.g. `http://127.0.0.1:PORT/v1`.
    let baseURL: String

    init(arguments: [String] = []) throws {
        process.executableURL = CLIRunner.executable
        process.arguments = ["simulator", "--port", "0"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        while !text.contains("\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty {
                process.terminate()
                throw SimulatorExited()
            }
            text += String(decoding: chunk, as: UTF8.self)
        }
        baseURL = String(text.prefix { $0 != "\n" }).trimmingCharacters(in: .whitespaces)
    }

    /// An endpoints file naming this simulator `name`.
    func endpointsYAML(name: String = "sim", extra: [String] = []) -> String {
        ([
            "endpoints:", "  - name: \(name)", "    provider: openai", "    base_url: \(baseURL)",
            "    model: rounds-simulator",
        ] + extra.map { "    " + $0 }).joined(separator: "\n") + "\n"
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

/// `rounds simulator` ended before printing its URL.
struct SimulatorExited: Error, CustomStringConvertible {
    var description: String { "rounds simulator exited without printing its URL" }
}
