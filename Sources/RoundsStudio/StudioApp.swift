import Foundation
import Hummingbird
import RoundsChecklists
import RoundsStore

/// What every route shares: the configuration, the sessions, the page renderer, and the lock that makes
/// a checklist save a compare-and-write.
final class StudioApp: Sendable {
    let configuration: StudioConfiguration
    let sessions = StudioSessions()
    let pages = Pages()
    let checklistWrites = ChecklistWriteLock()

    init(configuration: StudioConfiguration) {
        self.configuration = configuration
    }

    var store: Store { configuration.store }

    /// The checklists as they are on disk now (read per request, so edits made elsewhere show at once).
    func catalog() throws -> ChecklistCatalog {
        do {
            return try ChecklistCatalog.load(from: configuration.checklists)
        } catch {
            throw StudioError(.internalServerError, "The checklists could not be read: \(error)")
        }
    }

    /// The session's rater, or a redirect to the page that asks for one.
    func rater(_ context: StudioContext, returnTo: String) throws -> String {
        if let rater = context.session?.rater { return rater }
        throw RaterNeeded(returnTo: returnTo)
    }
}

/// Thrown by a route that needs a rater's name before it can go on; answered with a redirect.
struct RaterNeeded: Error { var returnTo: String }

/// Serialises checklist saves within this studio, so "is the file still the version the form was made
/// from?" and the write that follows cannot interleave with another save.
actor ChecklistWriteLock {
    func run<T: Sendable>(_ body: @Sendable () throws -> T) throws -> T { try body() }
}
