import Foundation
import RoundsChecklists
import RoundsStore

/// How a studio runs: its store, its checklists, where it listens and who rates on loopback.
public struct StudioConfiguration: Sendable {
    public var store: Store
    /// Where checklists load from; only a folder can be edited (the copy built into the binary is read-only).
    public var checklists: ResourceOrigin
    public var host: String
    public var port: Int
    /// The rater's name on loopback when given on the command line; otherwise asked once on the page.
    public var rater: String?

    public init(store: Store, checklists: ResourceOrigin, host: String = "127.0.0.1", port: Int = 8080, rater: String? = nil) {
        self.store = store
        self.checklists = checklists
        self.host = host
        self.port = port
        self.rater = rater.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
    }

    /// True when the studio listens only on this machine (127.0.0.0/8, ::1, localhost): then no
    /// account is needed. Any other address (including 0.0.0.0) needs a login for every page.
    public var isLoopback: Bool { Self.isLoopback(host) }

    public static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if h == "localhost" || h == "::1" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// The folder checklists are edited in, or nil when they come from the binary.
    var checklistsFolder: URL? {
        if case .directory(let url, _) = checklists { return url }
        return nil
    }
}
