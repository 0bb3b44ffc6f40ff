import FlyingFox
import FlyingSocks
import Foundation
import RoundsCore
import Synchronization

/// A loopback server speaking OpenAI Chat Completions (`POST /v1/chat/completions`), Anthropic
/// Messages (`POST /v1/messages`) and OpenAI Files + Batches (see `StandInBatchStore`), for tests.
///
/// It binds IPv4 `127.0.0.1` port 0 explicitly (FlyingFox's `.loopback` is IPv6 `::1` only), reads back
/// the port the kernel chose, records every request, validates requests as the real APIs do, and
/// answers as scripted: each request takes the next behaviour from the script queue, else asks the
/// responder, else gives valid verdicts.
public final class StandInServer: Sendable {
    public let port: UInt16
    /// `http://127.0.0.1:<port>/v1`.
    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    private let server: HTTPServer
    private let runTask: Task<Void, any Error>
    private let state: StateBox

    struct State {
        var script: [StandInBehavior] = []
        var responder: (@Sendable (RecordedRequest, Int) -> StandInBehavior)?
        var requests: [RecordedRequest] = []
        var expectedKey: String?
        var lean = false
        var batchStore = StandInBatchStore()
    }

    private init(server: HTTPServer, port: UInt16, runTask: Task<Void, any Error>, state: StateBox) {
        self.server = server
        self.port = port
        self.runTask = runTask
        self.state = state
    }

    /// Starts a server and waits until it listens.
    ///
    /// - Parameter expectedKey: when set, requests without this key (`Authorization: Bearer`, `api-key`
    ///   or `x-api-key`) get 401 — and the 401 message echoes the key that was sent, as careless servers
    ///   do, so tests can check that clients scrub it.
    /// - Parameter lean: for benchmarks, where the server's own work must stay small beside the client's:
    ///   requests are neither parsed nor checked, and only their method, path and status are recorded
    ///   (no bodies, which would hold every image sent). Use behaviours that need no request JSON
    ///   (`.answer`, `.slow(…, .answer)`).
    public static func start(expectedKey: String? = nil, lean: Bool = false) async throws -> StandInServer {
        let address = try sockaddr_in.inet(ip4: "127.0.0.1", port: 0)
        let server = HTTPServer(address: address, timeout: 60, logger: .disabled)
        let box = StateBox(State(expectedKey: expectedKey, lean: lean))
        await server.appendRoute("POST /v1/chat/completions") { (request: FlyingFox.HTTPRequest) in await box.handle(request, protocol: WireProtocol.openAI) }
        await server.appendRoute("POST /v1/messages") { (request: FlyingFox.HTTPRequest) in await box.handle(request, protocol: WireProtocol.anthropic) }
        await server.appendRoute("POST /v1/files") { (request: FlyingFox.HTTPRequest) in await box.uploadFile(request) }
        await server.appendRoute("POST /v1/batches") { (request: FlyingFox.HTTPRequest) in await box.createBatch(request) }
        await server.appendRoute("GET /v1/batches/*") { (request: FlyingFox.HTTPRequest) in await box.getBatch(request) }
        await server.appendRoute("GET /v1/files/*") { (request: FlyingFox.HTTPRequest) in await box.fileContent(request) }
        // High priority: on Linux each priority has its own threads, so the server still answers while
        // the default-priority tests around it keep every default thread busy with CPU work.
        let task = Task(priority: .high) { try await server.run() }
        do {
            // Generous: under a parallel test run on two cores the accept loop may wait its turn for a while.
            try await server.waitUntilListening(timeout: 120)
        } catch {
            task.cancel()
            throw error
        }
        guard case .ip4(_, let port)? = await server.listeningAddress else {
            await server.stop(timeout: 0)
            throw StandInError("stand-in server did not report an IPv4 address")
        }
        disableNagle(onListenerAt: port)
        return StandInServer(server: server, port: port, runTask: task, state: box)
    }

    /// Stops listening, ends open connections (hanging handlers are cancelled), and returns only when
    /// the accept loop has exited, so no file descriptor of this server is still in use afterwards.
    public func stop() async {
        await server.stop(timeout: 0.2)
        runTask.cancel()
        _ = await runTask.result
    }

    /// Queues behaviours for the next requests, in order.
    public func script(_ behaviors: [StandInBehavior]) {
        state.lock.withLock { $0.script += behaviors }
    }

    /// Decides the behaviour of requests the script does not cover (request and its 0-based index).
    public func respond(with responder: @escaping @Sendable (RecordedRequest, Int) -> StandInBehavior) {
        state.lock.withLock { $0.responder = responder }
    }

    /// Keeps new batches `in_progress` (true) until `releaseBatches()`; false completes them at once.
    public func holdBatches(_ hold: Bool) {
        state.lock.withLock { $0.batchStore.hold = hold }
    }

    /// Completes every held batch.
    public func releaseBatches() {
        state.lock.withLock { s in
            for id in s.batchStore.batches.keys { s.batchStore.batches[id]?.status = "completed" }
        }
    }

    /// Ends every unfinished batch as `failed` (no files, `errors` listed), `expired` or `cancelled` (the
    /// first `keptLines` results kept, every other request in the error file as `batch_<status>`).
    public func finishBatches(as status: String, keptLines: Int = 0, errors: [String] = []) {
        state.lock.withLock { $0.batchStore.finishBatches(as: status, keptLines: keptLines, errors: errors) }
    }

    /// Appends raw lines to the output file of every batch (for answers the API should never give).
    public func appendToBatchOutputs(_ lines: [String]) {
        state.lock.withLock { s in
            for b in s.batchStore.batches.values {
                guard let id = b.outputFileID else { continue }
                s.batchStore.files[id]?.content += Array(lines.map { $0 + "\n" }.joined().utf8)
            }
        }
    }

    /// Every request received so far, in arrival order.
    public var requests: [RecordedRequest] { state.lock.withLock { $0.requests } }
}

public struct StandInError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

enum WireProtocol { case openAI, anthropic }

/// Holds the server's state for the route closures.
final class StateBox: Sendable {
    let lock: Mutex<State>
    typealias State = StandInServer.State

    init(_ state: State) { self.lock = Mutex(state) }

    func handle(_ request: FlyingFox.HTTPRequest, protocol wire: WireProtocol) async -> HTTPResponse {
        let lean = lock.withLock { $0.lean }
        let body = (try? await request.bodyData).map { [UInt8]($0) } ?? []
        var recorded = RecordedRequest(
            method: request.method.rawValue, path: request.path, query: request.query.map { ($0.name, $0.value) },
            headers: request.headers.map { ($0.key.rawValue, $0.value) }, body: lean ? [] : body, status: 0)
        let json = lean ? nil : try? RoundsCore.JSONValue(parsing: Data(body))
        let (index, behavior, expectedKey): (Int, StandInBehavior?, String?) = lock.withLock { s in
            let i = s.requests.count
            s.requests.append(recorded)
            return (i, s.script.isEmpty ? nil : s.script.removeFirst(), s.expectedKey)
        }
        let responder = lock.withLock { $0.responder }
        let response = await StandInResponder(wire: wire, request: recorded, json: json).respond(
            behavior ?? responder?(recorded, index) ?? .verdicts(), expectedKey: expectedKey, validate: !lean)
        recorded.status = response.statusCode.code
        lock.withLock { $0.requests[index].status = response.statusCode.code }
        return response
    }
}
