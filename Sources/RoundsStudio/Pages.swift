import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// Renders the studio's pages from the Mustache templates built into the binary.
///
/// Every value is inserted with `{{name}}`, which HTML-escapes it: text from a model, a file or a form
/// can never become markup. The only triple mustache is the layout's `{{{body}}}`, which holds a page
/// this renderer made.
struct Pages: Sendable {
    let library: MustacheLibrary

    init() {
        var library = MustacheLibrary()
        for (name, text) in StudioTemplates.all {
            do {
                try library.register(text, named: name)
            } catch {
                preconditionFailure("studio template '\(name)' does not parse: \(error)")
            }
        }
        self.library = library
    }

    /// A whole page: the named template inside the layout, with the session's rater and CSRF token.
    func render(_ template: String, title: String, session: StudioSession?, _ values: [String: Any] = [:],
                status: HTTPResponse.Status = .ok) -> Response
    {
        var values = Self.droppingEmpty(values)
        values["csrf"] = session?.csrfToken ?? ""
        values["title"] = title
        let body = library.render(values, withTemplate: template) ?? ""
        let page = library.render(
            Self.droppingEmpty([
                "title": title, "body": body, "csrf": session?.csrfToken ?? "", "rater": session?.rater ?? "",
                "loggedIn": session?.loggedIn == true,
            ]), withTemplate: "layout") ?? body
        return Self.html(page, status: status)
    }

    /// Mustache renders a section for any string, even an empty one; a page's empty strings are left
    /// out so that `{{#name}}…{{/name}}` means "when there is a name".
    static func droppingEmpty(_ values: [String: Any]) -> [String: Any] {
        values.filter { !(($0.value as? String)?.isEmpty ?? false) }
    }

    func errorPage(_ error: StudioError, session: StudioSession?) -> Response {
        render(
            "error", title: "\(error.status.code) \(error.status.reasonPhrase)", session: session,
            ["message": error.message, "status": "\(error.status.code) \(error.status.reasonPhrase)"],
            status: error.status)
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
