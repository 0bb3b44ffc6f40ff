import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded

@testable import RoundsStudio

/// A response as a test reads it.
struct StudioResponse {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: String
    var bytes: [UInt8]

    var location: String? { headers[.location] }

    /// The page's CSRF token (every form carries the same one).
    var csrfToken: String? {
        guard let r = body.range(of: "name=\"csrf_token\" value=\"") ?? body.range(of: "name=\"csrf-token\" content=\"")
        else { return nil }
        let rest = body[r.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}

/// Sends requests straight to the studio's router in process (no socket), keeping the session cookie
/// like a browser: what Hummingbird's own router test mode does, without HummingbirdTesting's
/// AsyncHTTPClient/NIOSSL dependencies.
final class StudioClient: @unchecked Sendable {
    let responder: RouterResponder<StudioContext>
    var cookie: String?
    var csrf: String?

    init(_ studio: Studio) {
        responder = studio.router().buildResponder()
    }

    /// Collects a response body.
    final class Collector: ResponseBodyWriter, @unchecked Sendable {
        var buffer = ByteBuffer()
        func write(_ buffer: ByteBuffer) async throws { self.buffer.writeImmutableBuffer(buffer) }
        func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }

    func send(_ method: HTTPRequest.Method, _ uri: String, body: String? = nil, headers extra: HTTPFields = [:])
        async throws -> StudioResponse
    {
        var headers = extra
        if let cookie { headers[.cookie] = cookie }
        if body != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        let request = Request(
            head: HTTPRequest(method: method, scheme: "http", authority: "127.0.0.1", path: uri, headerFields: headers),
            body: RequestBody(buffer: ByteBuffer(string: body ?? "")))
        var logger = Logger(label: "studio-test")
        logger.logLevel = .critical
        logger[metadataKey: "hb.request.id"] = .string(UUID().uuidString)
        let context = StudioContext(source: ApplicationRequestContextSource(channel: NIOAsyncTestingChannel(), logger: logger))
        let response: Response
        do {
            response = try await responder.respond(to: request, context: context)
        } catch let error as HTTPError {
            response = Response(status: error.status)
        }
        let collector = Collector()
        try await response.body.write(collector)
        for field in response.headers where field.name == .setCookie {
            let pair = field.value.split(separator: ";").first.map(String.init) ?? ""
            cookie = pair.hasSuffix("=") ? nil : pair
        }
        let bytes = Array(collector.buffer.readableBytesView)
        let result = StudioResponse(
            status: response.status, headers: response.headers, body: String(decoding: bytes, as: UTF8.self), bytes: bytes)
        if let token = result.csrfToken { csrf = token }
        return result
    }

    func get(_ uri: String) async throws -> StudioResponse { try await send(.get, uri) }

    /// Posts a form with the session's CSRF token (unless `csrf` is false or a token is given).
    func post(_ uri: String, _ fields: [(String, String)], csrf withToken: Bool = true) async throws -> StudioResponse {
        var all = fields
        if withToken, let csrf, !fields.contains(where: { $0.0 == "csrf_token" }) { all.append(("csrf_token", csrf)) }
        return try await send(.post, uri, body: FormData.encode(all))
    }

    /// Follows a redirect once.
    func follow(_ response: StudioResponse) async throws -> StudioResponse {
        guard let location = response.location else { return response }
        return try await get(location)
    }
}
