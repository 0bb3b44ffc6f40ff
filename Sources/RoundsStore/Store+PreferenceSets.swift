import GRDB


/// A stored preference set with its members.
public struct StoredPreferenceSet: Sendable, Hashable {
    public var set: PreferenceSetRecord
    public var members: [PreferenceMemberRecord]
}

extension Store {
    /// Every stored preference set (optionally of one kind) with its members, oldest first.
    public func preferenceSets(kind: PreferenceSetRecord.Kind? = nil) throws -> [StoredPreferenceSet] {
        try read("reading preference sets") { db in
            var request = PreferenceSetRecord.order(Column("id"))
            if let kind { request = request.filter(Column("kind") == kind.rawValue) }
            let sets = try request.fetchAll(db)
            let members = try PreferenceMemberRecord.order(Column("id")).fetchAll(db)
            let bySet = Dictionary(grouping: members, by: \.setID)
            return sets.map { StoredPreferenceSet(set: $0, members: bySet[$0.id!] ?? []) }
        }
    }
}
