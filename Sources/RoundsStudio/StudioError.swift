import HTTPTypes
import Hummingbird

/// An error a route answers with a page of its own: the status and a sentence the person can act on.
struct StudioError: Error, Sendable {
    var status: HTTPResponse.Status
    var message: String

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    static func notFound(_ what: String) -> StudioError { StudioError(.notFound, what) }
    static func badRequest(_ what: String) -> StudioError { StudioError(.badRequest, what) }
}
