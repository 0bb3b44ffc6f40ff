// The tests' stand-in server (RoundsTestSupport) in a process of its own, for CLI tests that need an
// OpenAI-compatible server with the Files and Batches API beside the `rounds` binary they run. Not
// shipped: the `rounds` product does not link RoundsTestSupport. Prints the port, then serves until
// stdin closes. `--latency-ms N` delays every answer by N milliseconds.
import Foundation
import RoundsTestSupport

func serve(arguments: [String]) async throws {
    let latencyMs = arguments.firstIndex(of: "--latency-ms").flatMap {
        arguments.indices.contains($0 + 1) ? Int(arguments[$0 + 1]) : nil
    } ?? 0
    let server = try await StandInServer.start()
    if latencyMs > 0 {
        let seconds = Double(latencyMs) / 1000
        server.respond { _, _ in .slow(seconds: seconds, then: .verdicts()) }
    }
    FileHandle.standardOutput.write(Data("\(server.port)\n".utf8))
    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
        Thread { _ = FileHandle.standardInput.readDataToEndOfFile(); done.resume() }.start()
    }
    await server.stop()
}

try await serve(arguments: CommandLine.arguments)
