import Foundation

extension JudgeStandIn {
    /// Child-process mode (`rounds bench judge --serve-stand-in`): serves until stdin closes, after
    /// printing the port on stdout.
    package static func serveUntilStdinCloses(latencySeconds: Double, checked: Bool) async throws {
        let server = try await start(latencySeconds: latencySeconds, answer: JudgeBenchmark.answer, checked: checked)
        FileHandle.standardOutput.write(Data("\(server.port)\n".utf8))
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread { _ = FileHandle.standardInput.readDataToEndOfFile(); done.resume() }.start()
        }
        await server.stop()
    }
}

/// The stand-in running in a child process (this executable with `arguments`), so the benchmark's
/// CPU time is the client's alone. Closing its stdin ends it.
package struct JudgeStandInChild {
    let process: Process
    let stdin: Pipe
    package let port: Int
    package var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// Starts this executable with `arguments` (which must make it call `serveUntilStdinCloses`) and
    /// waits for the port it prints.
    package static func start(arguments: [String]) async throws -> JudgeStandInChild {
        let process = Process()
        let selfPath = FileManager.default.fileExists(atPath: "/proc/self/exe")
            ? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path : CommandLine.arguments[0]
        process.executableURL = URL(fileURLWithPath: selfPath)
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        let first: String = await withCheckedContinuation { done in
            Thread {
                var bytes: [UInt8] = []
                while true {
                    let chunk = stdout.fileHandleForReading.readData(ofLength: 1)
                    if chunk.isEmpty || chunk.first == UInt8(ascii: "\n") { break }
                    bytes.append(contentsOf: chunk)
                }
                done.resume(returning: String(decoding: bytes, as: UTF8.self))
            }.start()
        }
        guard let port = Int(first.trimmingCharacters(in: .whitespaces)), port > 0 else {
            process.terminate()
            throw BenchError("the stand-in child printed '\(first)' instead of its port")
        }
        return JudgeStandInChild(process: process, stdin: stdin, port: port)
    }

    /// Closes the child's stdin and waits for it to exit.
    package func stop() {
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
