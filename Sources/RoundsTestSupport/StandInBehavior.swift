/// What the stand-in server does with one request.
public indirect enum StandInBehavior: Sendable {
    /// A valid answer giving `verdict` for every criterion id found in the request's schema (or prompt),
    /// with `overrides` per id.
    case verdicts(default: String = "met", overrides: [String: String] = [:])
    /// A valid answer whose assistant text is exactly this.
    case answer(String)
    /// The model refuses.
    case refusal
    /// The answer is cut off at the token limit (`finish_reason: length`, `stop_reason: max_tokens`).
    case truncatedAnswer
    /// HTTP 429 with the given `retry-after` and/or `retry-after-ms` header values.
    case rateLimited(retryAfter: String? = nil, retryAfterMs: String? = nil)
    /// HTTP 429 `insufficient_quota`.
    case quotaExceeded
    /// An error status with the provider's error body.
    case status(Int, message: String = "scripted error")
    /// Anthropic's 529 `overloaded_error` (sent as 529 on either route).
    case overloaded
    /// Never answer (until the server stops); the client's time-out must fire.
    case hang
    /// Send the headers and half the body, then close the connection.
    case closeMidBody
    /// A 200 whose body is not JSON.
    case garbageBody
    /// A 200 whose JSON body is cut in the middle (with a matching Content-Length).
    case truncatedBody
    /// Wait, then behave.
    case slow(seconds: Double, then: StandInBehavior)
    /// Valid verdicts whose `usage` counts are these JSON number texts, written as given (`-5`, `1e300`,
    /// `9223372036854775808`, `12.5`): a server's numbers are untrusted input.
    case oddUsage(promptTokens: String, completionTokens: String)
}

/// One request as the stand-in received it.
public struct RecordedRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [(name: String, value: String)]
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The status the stand-in answered with (0 for hang / close mid-body).
    public var status: Int

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}
