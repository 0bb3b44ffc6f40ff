import Foundation
import GRDB

extension Store {
    /// Adds a studio account, or replaces the password hash of an existing one.
    /// - Returns: true when the account is new.
    /// - Throws: `StoreError.invalidInput` for an empty name or a hash that is not bcrypt's.
    @discardableResult
    public func setStudioUser(name: String, passwordHash: String) throws -> Bool {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw StoreError(.invalidInput, "a studio user needs a name") }
        guard passwordHash.hasPrefix("$2") else {
            throw StoreError(.invalidInput, "studio user \(name): the password must be stored as a bcrypt hash")
        }
        return try write("storing studio user \(name)") { db in
            let existed = try StudioUserRecord.exists(db, key: name)
            try StudioUserRecord(name: name, passwordHash: passwordHash).save(db)
            return !existed
        }
    }

    /// The studio account with this name, or nil.
    public func studioUser(name: String) throws -> StudioUserRecord? {
        try read("reading studio user \(name)") { db in try StudioUserRecord.fetchOne(db, key: name) }
    }

    /// How many studio accounts exist.
    public func studioUserCount() throws -> Int {
        try read("counting studio users") { db in try StudioUserRecord.fetchCount(db) }
    }
}
