import CCurl
import CRoundsNative
import Foundation
import Synchronization

/// `HTTPTransport` on libcurl: one easy handle per transfer, each `curl_easy_perform` on a pool thread
/// (`CurlWorkers`) of its own while it runs, bridged to async with a continuation.
///
/// Why threads and not one `curl_multi` loop: a judge run keeps tens of requests in flight, each
/// waiting hundreds of milliseconds to minutes on a model; a parked thread per transfer costs nothing
/// while it waits (threads are reused, not started per transfer), and keeps each transfer's state (and
/// its cancellation) private to one thread, with no event loop to get wrong. Blocking never touches Swift's
/// cooperative pool. Idle easy handles are kept in a pool and `curl_easy_reset` between uses, which keeps
/// their connection cache, so keep-alive connections and TLS sessions are reused across requests.
///
/// Proxies come from the environment (`https_proxy`, `http_proxy`, `all_proxy`, read once at init), but
/// loopback never goes through a proxy (`CURLOPT_NOPROXY`, which keeps the environment's `no_proxy`). Certificates are verified against the
/// system store that libcurl was built with.
public final class CurlTransport: HTTPTransport {
    /// Largest answer accepted; a judge's answer is a few kilobytes.
    public let maxResponseBytes: Int
    /// Thread stack size for transfers: curl needs little.
    private static let threadStackSize = 512 * 1024
    private let idleHandles = Mutex<[CurlHandle]>([])
    private let workers = CurlWorkers(stackSize: CurlTransport.threadStackSize)
    private let maxIdleHandles: Int
    private let noProxy: String
    private let httpProxy: String?
    private let httpsProxy: String?

    /// `curl_global_init` runs once per process, before the first handle (Swift's `static let` is a
    /// thread-safe once).
    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    public init(maxResponseBytes: Int = 16 << 20, maxIdleHandles: Int = 64,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        _ = Self.globalInit
        self.maxResponseBytes = maxResponseBytes
        self.maxIdleHandles = maxIdleHandles
        // CURLOPT_NOPROXY replaces the environment's no_proxy, so keep its entries and add loopback.
        let fromEnv = environment["no_proxy"] ?? environment["NO_PROXY"] ?? ""
        self.noProxy = ([fromEnv] + ["localhost", "127.0.0.0/8", "::1"]).filter { !$0.isEmpty }.joined(separator: ",")
        // The variables libcurl itself honours; upper-case HTTP_PROXY is ignored, as curl does (httpoxy).
        let all = environment["all_proxy"] ?? environment["ALL_PROXY"]
        self.httpProxy = (environment["http_proxy"] ?? all).flatMap { $0.isEmpty ? nil : $0 }
        self.httpsProxy = (environment["https_proxy"] ?? environment["HTTPS_PROXY"] ?? all).flatMap { $0.isEmpty ? nil : $0 }
    }

    deinit {
        idleHandles.withLock { handles in
            for h in handles { curl_easy_cleanup(h.raw) }
            handles.removeAll()
        }
    }

    public func send(_ request: HTTPRequestData) async throws -> HTTPResponseData {
        guard Self.globalInit == CURLE_OK else {
            throw JudgeError(.transport, "\(request.method) \(request.url): curl_global_init failed (\(Self.globalInit.rawValue))")
        }
        let state = CurlTransferState(maxBody: maxResponseBytes)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponseData, any Error>) in
                workers.run { [self] in
                    continuation.resume(with: Result { try self.perform(request, state: state) })
                }
            }
        } onCancel: {
            state.cancelled.store(true, ordering: .relaxed)
        }
    }

    private func takeHandle() -> CurlHandle? {
        if let h = idleHandles.withLock({ $0.popLast() }) {
            curl_easy_reset(h.raw)
            return h
        }
        return curl_easy_init().map(CurlHandle.init)
    }

    private func returnHandle(_ h: CurlHandle, reusable: Bool) {
        let kept = reusable && idleHandles.withLock { handles -> Bool in
            guard handles.count < maxIdleHandles else { return false }
            handles.append(h)
            return true
        }
        if !kept { curl_easy_cleanup(h.raw) }
    }

    /// Runs one transfer to completion on the calling (dedicated) thread.
    private func perform(_ request: HTTPRequestData, state: CurlTransferState) throws -> HTTPResponseData {
        let what = "\(request.method) \(request.url)"
        if state.cancelled.load(ordering: .relaxed) { throw JudgeError(.cancelled, "\(what): cancelled") }
        guard let handle = takeHandle() else { throw JudgeError(.transport, "\(what): curl_easy_init failed") }
        var reusable = false
        defer { returnHandle(handle, reusable: reusable) }
        let h = handle.raw

        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        // An empty Expect disables curl's 100-continue wait on large bodies.
        for line in request.headers.map({ "\($0.name): \($0.value)" }) + ["Expect:"] {
            headerList = curl_slist_append(headerList, line)
        }
        defer { curl_slist_free_all(headerList) }

        let context = Unmanaged.passUnretained(state).toOpaque()
        var rc = CURLE_OK
        func set(_ code: CURLcode) { if rc == CURLE_OK { rc = code } }
        set(rounds_curl_setopt_string(h, CURLOPT_URL, request.url))
        set(rounds_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1))
        set(rounds_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout)))
        set(rounds_curl_setopt_long(h, CURLOPT_TIMEOUT_MS, Self.milliseconds(request.totalTimeout)))
        // The proxy is set explicitly from the environment given at init ("" = none), so a transport's
        // behaviour does not depend on variables changed later in the process.
        let proxy = request.url.lowercased().hasPrefix("https:") ? httpsProxy : httpProxy
        set(rounds_curl_setopt_string(h, CURLOPT_PROXY, proxy ?? ""))
        set(rounds_curl_setopt_string(h, CURLOPT_NOPROXY, noProxy))
        set(rounds_curl_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 1))
        set(rounds_curl_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 2))
        set(rounds_curl_setopt_long(h, CURLOPT_FOLLOWLOCATION, 0))
        set(rounds_curl_setopt_string(h, CURLOPT_ACCEPT_ENCODING, ""))
        set(rounds_curl_setopt_slist(h, CURLOPT_HTTPHEADER, headerList))
        set(rounds_curl_setopt_pointer(h, CURLOPT_ERRORBUFFER, state.errorBuffer))
        set(rounds_curl_setopt_write_callback(h, curlWriteBody))
        set(rounds_curl_setopt_pointer(h, CURLOPT_WRITEDATA, context))
        set(rounds_curl_setopt_header_callback(h, curlWriteHeader))
        set(rounds_curl_setopt_pointer(h, CURLOPT_HEADERDATA, context))
        set(rounds_curl_setopt_long(h, CURLOPT_NOPROGRESS, 0))
        set(rounds_curl_setopt_progress_callback(h, curlProgress))
        set(rounds_curl_setopt_pointer(h, CURLOPT_XFERINFODATA, context))

        let result: CURLcode = request.body.withUnsafeBytes { body in
            if request.method == "POST" {
                set(rounds_curl_setopt_off_t(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
                // libcurl reads the body during perform, while `body` is still alive.
                set(rounds_curl_setopt_pointer(h, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: body.baseAddress ?? UnsafeRawPointer(state.errorBuffer))))
            } else if request.method != "GET" {
                set(rounds_curl_setopt_string(h, CURLOPT_CUSTOMREQUEST, request.method))
            }
            guard rc == CURLE_OK else { return rc }
            return curl_easy_perform(h)
        }
        guard result == CURLE_OK else {
            throw classify(result, state: state, what: what)
        }
        var status = 0
        _ = rounds_curl_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
        reusable = true
        return HTTPResponseData(status: status, headers: state.headers, body: state.body)
    }

    private func classify(_ code: CURLcode, state: CurlTransferState, what: String) -> JudgeError {
        let detail = state.errorText.isEmpty ? String(cString: curl_easy_strerror(code)) : state.errorText
        let text = "\(what): \(detail) (curl \(code.rawValue))"
        switch code {
        case CURLE_OPERATION_TIMEDOUT: return JudgeError(.timeout, text)
        case CURLE_COULDNT_CONNECT: return JudgeError(.connectionRefused, text)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: return JudgeError(.dnsFailure, text)
        case CURLE_PARTIAL_FILE, CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return JudgeError(.connectionBroken, text)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM:
            return JudgeError(.tlsFailure, text)
        case CURLE_ABORTED_BY_CALLBACK:
            return JudgeError(.cancelled, "\(what): cancelled")
        case CURLE_WRITE_ERROR where state.overflowed:
            return JudgeError(.invalidResponse, "\(what): answer larger than \(maxResponseBytes) bytes")
        default: return JudgeError(.transport, text)
        }
    }

    private static func milliseconds(_ seconds: Double) -> Int {
        Int(max(1, min(seconds * 1000, Double(Int32.max))).rounded())
    }
}

/// An easy handle; used by one thread at a time (taken from and returned to the pool under its lock).
private struct CurlHandle: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
}

/// What the C callbacks of one transfer write into. Only the transfer's thread touches the buffers; the
/// cancellation flag is atomic because the cancelling task sets it from elsewhere.
final class CurlTransferState: @unchecked Sendable {
    var body: [UInt8] = []
    var headers = HTTPHeaderFields()
    var overflowed = false
    let maxBody: Int
    let cancelled = Atomic<Bool>(false)
    let errorBuffer: UnsafeMutablePointer<CChar>

    init(maxBody: Int) {
        self.maxBody = maxBody
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit { errorBuffer.deallocate() }

    var errorText: String {
        let bytes = UnsafeBufferPointer(start: errorBuffer, count: Int(CURL_ERROR_SIZE)).prefix { $0 != 0 }
        return String(decoding: bytes.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func addHeaderLine(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("HTTP/") {
            headers = HTTPHeaderFields()  // a new response (after 100 Continue or a redirect)
        } else if let colon = trimmed.firstIndex(of: ":") {
            let name = trimmed[..<colon].trimmingCharacters(in: .whitespaces)
            let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.add(name, value)
        }
    }
}

private func curlWriteBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let context, let data else { return 0 }
    let state = Unmanaged<CurlTransferState>.fromOpaque(context).takeUnretainedValue()
    let n = size * count
    guard state.body.count + n <= state.maxBody else {
        state.overflowed = true
        return 0
    }
    state.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: n))
    return n
}

private func curlWriteHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let context, let data else { return 0 }
    let state = Unmanaged<CurlTransferState>.fromOpaque(context).takeUnretainedValue()
    let n = size * count
    state.addHeaderLine(String(decoding: UnsafeRawBufferPointer(start: data, count: n), as: UTF8.self))
    return n
}

private func curlProgress(_ context: UnsafeMutableRawPointer?, _ dltotal: curl_off_t, _ dlnow: curl_off_t, _ ultotal: curl_off_t, _ ulnow: curl_off_t) -> Int32 {
    guard let context else { return 0 }
    let state = Unmanaged<CurlTransferState>.fromOpaque(context).takeUnretainedValue()
    return state.cancelled.load(ordering: .relaxed) ? 1 : 0
}
