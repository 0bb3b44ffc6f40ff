import FlyingFox
import FlyingSocks
import Foundation
import RoundsCore

/// The simulator judge as an OpenAI Chat Completions server on IPv4 loopback.
///
/// It exists so the whole loop runs offline over the same wire protocol a real multimodal LLM
/// speaks; the judge client cannot tell it apart from vLLM or Ollama except by its model name,
/// `rounds-simulator`, which every stored judgment and report therefore carries.
public final class SimulatorServer: Sendable {
    public static let modelName = "rounds-simulator"

    public let port: UInt16
    /// `http://127.0.0.1:<port>/v1`.
    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    private let server: HTTPServer
    private let runTask: Task<Void, any Error>

    private init(server: HTTPServer, port: UInt16, runTask: Task<Void, any Error>) {
        self.server = server
        self.port = port
        self.runTask = runTask
    }

    /// Starts the server on `127.0.0.1:port` (0 lets the kernel choose) and waits until it listens.
    ///
    /// - Parameter log: receives one line per request (for the CLI's stderr); never the image data.
    public static func start(
        settings: SimulatorSettings, port: UInt16 = 0, log: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> SimulatorServer {
        let address: sockaddr_in
        do {
            address = try sockaddr_in.inet(ip4: "127.0.0.1", port: port)
        } catch {
            throw SimulatorError(.io, "cannot make the address 127.0.0.1:\(port)", cause: error)
        }
        let server = HTTPServer(address: address, timeout: 120, logger: .disabled)
        let handler = SimulatorRequestHandler(judge: SimulatorJudge(settings: settings), log: log)
        await server.appendRoute("POST /v1/chat/completions") { request in
            let body = (try? await request.bodyData).map { [UInt8]($0) } ?? []
            let (status, json) = handler.handle(body: body)
            return HTTPResponse(statusCode: HTTPStatusCode(status, phrase: status == 200 ? "OK" : "Error"),
                                headers: [.contentType: "application/json"], body: Data(json.canonicalString.utf8))
        }
        await server.appendRoute("GET /v1/models") { _ in
            let models: RoundsCore.JSONValue = ["object": "list", "data": [["id": .string(modelName), "object": "model",
                                                                   "owned_by": "rounds (simulator, not a clinical model)"]]]
            return HTTPResponse(statusCode: .ok, headers: [.contentType: "application/json"], body: Data(models.canonicalString.utf8))
        }
        let runFailure = FailureBox()
        let task = Task {
            do { try await server.run() } catch { runFailure.set(error); throw error }
        }
        // Generous: under a parallel test run on two cores the accept loop may wait its turn for a while;
        // but a port in use (or any bind failure) ends `run` at once, and so does the wait.
        let deadline = ContinuousClock.now.advanced(by: .seconds(120))
        while await !server.isListening {
            if let error = runFailure.error {
                throw SimulatorError(.io, "the simulator judge could not listen on 127.0.0.1:\(port) (is the port in use?)",
                                     cause: error)
            }
            if ContinuousClock.now >= deadline {
                task.cancel()
                throw SimulatorError(.io, "the simulator judge did not start listening on 127.0.0.1:\(port) within 120 s")
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        guard case .ip4(_, let bound)? = await server.listeningAddress else {
            await server.stop(timeout: 0)
            throw SimulatorError(.io, "the simulator judge did not report an IPv4 address")
        }
        return SimulatorServer(server: server, port: bound, runTask: task)
    }

    /// Stops listening and returns once the accept loop has exited.
    public func stop() async {
        await server.stop(timeout: 0.2)
        runTask.cancel()
        _ = await runTask.result
    }

    /// Serves until the task is cancelled.
    public func wait() async {
        _ = await runTask.result
    }
}

/// The error that ended the server's accept loop, read by `start` while it waits for the socket.
private final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (any Error)?
    var error: (any Error)? { lock.withLock { stored } }
    func set(_ error: any Error) { lock.withLock { stored = error } }
}
