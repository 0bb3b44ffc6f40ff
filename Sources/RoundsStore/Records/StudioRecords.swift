import Foundation
import GRDB

/// An account allowed to use the studio when it listens off loopback (table `studioUser`).
public struct StudioUserRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "studioUser"
    public var name: String
    /// A bcrypt hash (`$2b$<cost>$<salt+hash>`); the password itself is never stored.
    public var passwordHash: String
    public var createdAt: Date

    public init(name: String, passwordHash: String, createdAt: Date = Date()) {
        self.name = name
        self.passwordHash = passwordHash
        self.createdAt = createdAt
    }
}

/// A rater's pick between the two images of a stored pair (table `humanPairPreference`).
public struct HumanPairPreferenceRecord: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "humanPairPreference"
    /// The image that meets the checklist better, or `tie` when the rater found them equal.
    public enum Choice: String, Codable, Sendable, CaseIterable { case a, b, tie }

    public var id: Int64?
    public var pairID: Int64
    public var rater: String
    public var choice: Choice
    public var createdAt: Date

    public init(id: Int64? = nil, pairID: Int64, rater: String, choice: Choice, createdAt: Date = Date()) {
        self.id = id
        self.pairID = pairID
        self.rater = rater
        self.choice = choice
        self.createdAt = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
