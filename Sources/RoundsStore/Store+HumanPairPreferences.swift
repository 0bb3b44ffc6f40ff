import Foundation
import GRDB

extension Store {
    /// Stores a rater's pick for a pair; the rater's latest pick of a pair is the one that counts.
    ///
    /// Picking the same as the rater's latest pick adds nothing (a form sent twice).
    /// - Throws: `StoreError.notFound` for an unknown pair, `.invalidInput` for an empty rater.
    @discardableResult
    public func addHumanPairPreference(pairID: Int64, rater: String, choice: HumanPairPreferenceRecord.Choice) throws
        -> HumanPairPreferenceRecord
    {
        let rater = rater.trimmingCharacters(in: .whitespaces)
        guard !rater.isEmpty else { throw StoreError(.invalidInput, "a pair preference needs a rater name") }
        return try write("storing \(rater)'s pick for pair \(pairID)") { db in
            guard try PairCandidateRecord.exists(db, key: pairID) else {
                throw StoreError(.notFound, "\(path): no pair with id \(pairID)")
            }
            if let latest = try HumanPairPreferenceRecord.filter(Column("pairID") == pairID && Column("rater") == rater)
                .order(Column("id").desc).fetchOne(db), latest.choice == choice
            {
                return latest
            }
            var record = HumanPairPreferenceRecord(pairID: pairID, rater: rater, choice: choice)
            try record.insert(db)
            return record
        }
    }

    /// Every rater's latest pick per pair, by pair id then rater.
    public func humanPairPreferences() throws -> [HumanPairPreferenceRecord] {
        try read("reading pair preferences") { db in
            try HumanPairPreferenceRecord.fetchAll(
                db,
                sql: """
                    SELECT * FROM humanPairPreference p
                    WHERE p.id = (SELECT max(id) FROM humanPairPreference q WHERE q.pairID = p.pairID AND q.rater = p.rater)
                    ORDER BY p.pairID, p.rater
                    """)
        }
    }
}
