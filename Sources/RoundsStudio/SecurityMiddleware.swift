import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The studio's rules for every request, before any route runs:
/// - a session cookie (`rounds_session`, HttpOnly, SameSite=Strict) is found or started;
/// - off loopback, everything but the login page and the static files needs a logged-in user;
/// - every POST is a form whose `csrf_token` matches the session's, or it gets 403;
/// - every answer carries a Content-Security-Policy that allows only the studio's own script and style,
///   so text that slipped through unescaped still could not run.
struct SecurityMiddleware: RouterMiddleware {
    typealias Context = StudioContext
    static let cookieName = "rounds_session"

    let app: StudioApp

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        var response: Response
        do {
            response = try await guarded(request, context: &context, next: next)
        } catch let error as StudioError {
            response = app.pages.errorPage(error, session: context.session)
        } catch let needed as RaterNeeded {
            response = Response.redirect(to: "/rater?" + FormData.encode([("next", needed.returnTo)]), type: .normal)
        } catch let error as HTTPError {
            response = app.pages.errorPage(
                StudioError(error.status, error.body ?? error.status.reasonPhrase), session: context.session)
        }
        if let token = context.newSessionToken {
            response.headers.append(HTTPField(name: .setCookie, value: Self.cookie(token)))
        }
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; img-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }

    static func cookie(_ token: String) -> String {
        "\(cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict"
    }

    private func guarded(_ request: Request, context: inout Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let path = request.uri.path
        if path.hasPrefix("/static/") { return try await next(request, context) }
        if let token = request.cookies[Self.cookieName]?.value, let session = await app.sessions.session(token: token) {
            context.session = session
        } else {
            let session = await app.sessions.start(rater: app.configuration.isLoopback ? app.configuration.rater : nil)
            context.session = session
            context.newSessionToken = session.id
        }
        if request.method == .post {
            var request = request
            let body = try await request.collectBody(upTo: context.maxUploadSize)
            let form = FormData(encoded: String(buffer: body))
            guard let sent = form.raw("csrf_token"), let session = context.session,
                constantTimeEqual(sent, session.csrfToken)
            else {
                throw StudioError(
                    .forbidden,
                    "This form was refused: it did not carry this page's security token (csrf_token). "
                        + "Reload the page and try again.")
            }
            context.form = form
            if needsLogin(path: path, session: session) {
                throw StudioError(.forbidden, "Log in first.")
            }
            return try await next(request, context)
        }
        if needsLogin(path: path, session: context.session) {
            let target = FormData.encode([("next", request.uri.description)])
            return Response.redirect(to: "/login?" + target, type: .normal)
        }
        return try await next(request, context)
    }

    private func needsLogin(path: String, session: StudioSession?) -> Bool {
        guard !app.configuration.isLoopback else { return false }
        if path == "/login" { return false }
        return session?.loggedIn != true
    }
}
