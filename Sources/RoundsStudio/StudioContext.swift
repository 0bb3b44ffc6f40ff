import Hummingbird
import Logging
import NIOCore

/// The per-request context: Hummingbird's core storage plus the browser session the security
/// middleware found or started.
public struct StudioContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `SessionMiddleware` before any route runs.
    var session: StudioSession?
    /// The session cookie to send back when the middleware started a new session.
    var newSessionToken: String?
    /// The POSTed form, parsed (and its CSRF token checked) by the middleware.
    var form = FormData()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// Forms and uploads are small; a checklist is the largest thing posted.
    public var maxUploadSize: Int { 256 * 1024 }
}
