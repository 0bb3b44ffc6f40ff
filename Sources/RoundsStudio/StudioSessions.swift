import Foundation

/// One browser's session: who is rating and the token its forms must carry.
struct StudioSession: Sendable {
    var id: String
    /// Every POST form carries this as `csrf_token`.
    var csrfToken: String
    /// The rater: from `--rater`, the name asked once on loopback, or the logged-in user off loopback.
    var rater: String?
    /// True when `rater` came from a login (off loopback).
    var loggedIn: Bool
    var lastSeen: Date
}

/// The sessions of a running studio, in memory: a restart logs everyone out, which is what a local
/// tool should do.
actor StudioSessions {
    private var sessions: [String: StudioSession] = [:]
    /// Sessions idle longer than this are forgotten (a clinic's workstation left open).
    let idleLimit: TimeInterval = 12 * 3600

    func session(token: String) -> StudioSession? {
        guard var s = sessions[token] else { return nil }
        guard Date().timeIntervalSince(s.lastSeen) < idleLimit else {
            sessions[token] = nil
            return nil
        }
        s.lastSeen = Date()
        sessions[token] = s
        return s
    }

    func start(rater: String?) -> StudioSession {
        let s = StudioSession(
            id: Self.randomToken(), csrfToken: Self.randomToken(), rater: rater, loggedIn: false, lastSeen: Date())
        sessions[s.id] = s
        return s
    }

    func update(_ session: StudioSession) { sessions[session.id] = session }

    func end(token: String) { sessions[token] = nil }

    /// A login starts a new session (a new id and CSRF token), so a token seen before login is worthless after it.
    func login(replacing token: String?, user: String) -> StudioSession {
        if let token { sessions[token] = nil }
        let s = StudioSession(
            id: Self.randomToken(), csrfToken: Self.randomToken(), rater: user, loggedIn: true, lastSeen: Date())
        sessions[s.id] = s
        return s
    }

    /// 32 bytes from the system's generator, as hex.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}

/// Compares two secrets in time independent of where they first differ.
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var diff: UInt8 = 0
    for i in 0..<x.count { diff |= x[i] ^ y[i] }
    return diff == 0
}
