import Foundation
import RoundsCore

/// An error from the judge: transport failures, HTTP errors, bad configuration, refused privacy checks.
///
/// Messages name the URL, the model, the file and line, never an API key (keys travel only in request
/// headers; `Redaction` scrubs any message that might echo one back).
public struct JudgeError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case timeout, connectionRefused, connectionBroken, dnsFailure, tlsFailure, transport, cancelled
            case httpStatus, quotaExceeded, invalidResponse, invalidConfig, missingAPIKey, privacyRefused
            case identicalFailures, runLocked, unreadableImage, runPlan, store, imageWithdrawn, noMajority
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// The connect or total time-out elapsed.
        public static let timeout = Code(.timeout)
        /// Nothing listens at the address.
        public static let connectionRefused = Code(.connectionRefused)
        /// The connection was reset or closed before the whole answer arrived.
        public static let connectionBroken = Code(.connectionBroken)
        /// The host name did not resolve.
        public static let dnsFailure = Code(.dnsFailure)
        public static let tlsFailure = Code(.tlsFailure)
        /// Any other libcurl failure.
        public static let transport = Code(.transport)
        public static let cancelled = Code(.cancelled)
        /// The server answered with an error status (see `JudgeError.status`).
        public static let httpStatus = Code(.httpStatus)
        /// Quota or spend limit reached (`insufficient_quota`): permanent, and it stops the run.
        public static let quotaExceeded = Code(.quotaExceeded)
        /// A 2xx answer whose body is not the provider's response shape.
        public static let invalidResponse = Code(.invalidResponse)
        public static let invalidConfig = Code(.invalidConfig)
        public static let missingAPIKey = Code(.missingAPIKey)
        public static let privacyRefused = Code(.privacyRefused)
        /// The same failure repeated too many times in a row.
        public static let identicalFailures = Code(.identicalFailures)
        /// Another judging run holds the store's run lock.
        public static let runLocked = Code(.runLocked)
        /// A stored image's file could not be read or decoded before sending.
        public static let unreadableImage = Code(.unreadableImage)
        /// A run could not be planned: unknown condition, image without a condition, missing checklist.
        public static let runPlan = Code(.runPlan)
        /// The store could not be read during a run.
        public static let store = Code(.store)
        /// The image was purged from the store (consent withdrawn) after the run was planned; not sent.
        public static let imageWithdrawn = Code(.imageWithdrawn)
        /// Too few of a judgment's self-consistency samples answered for a majority (`--samples N`).
        public static let noMajority = Code(.noMajority)
        public var description: String { value.rawValue }
    }

    public var code: Code
    public var message: String
    /// The HTTP status when the server answered, else nil.
    public var status: Int?
    /// Seconds the server asked us to wait (`retry-after-ms` / `retry-after`), when it said.
    public var retryAfter: Double?
    /// The provider's own error type or code (`rate_limit_error`, `insufficient_quota`, llama.cpp's integer).
    public var providerCode: String?
    public var cause: (any Error)?
    public var location: SourceLocation

    public init(
        _ code: Code, _ message: String, status: Int? = nil, retryAfter: Double? = nil, providerCode: String? = nil,
        cause: (any Error)? = nil, location: SourceLocation = .here()
    ) {
        self.code = code
        self.message = message
        self.status = status
        self.retryAfter = retryAfter
        self.providerCode = providerCode
        self.cause = cause
        self.location = location
    }

    public var description: String { message }

    /// The message plus the chain of causes, one per line, as NIO's `detailedDescription()`.
    public func detailedDescription() -> String {
        var lines = ["\(code): \(message) [at \(location)]"]
        if let cause { lines.append("  cause: \(cause)") }
        return lines.joined(separator: "\n")
    }

    /// A stable signature for "the same failure again": code, status and provider code, not the text
    /// (which may hold timings).
    var signature: String { "\(code)|\(status.map(String.init) ?? "-")|\(providerCode ?? "-")" }
}

/// Removes secrets from text before it leaves the module.
///
/// Keys never go into messages on purpose; this is the second line of defence against a server that
/// echoes a header back or a library that prints one.
struct Redaction: Sendable {
    let secrets: [String]

    init(_ secrets: [String?]) {
        // Very short "keys" would redact ordinary words; real keys are long.
        self.secrets = secrets.compactMap { $0 }.filter { $0.count >= 8 }
    }

    func apply(_ text: String) -> String {
        secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: "<redacted>") }
    }

    func apply(_ error: JudgeError) -> JudgeError {
        guard !secrets.isEmpty else { return error }
        var e = error
        e.message = apply(e.message)
        if let cause = e.cause, secrets.contains(where: { "\(cause)".contains($0) }) {
            e.cause = nil
        }
        return e
    }
}
