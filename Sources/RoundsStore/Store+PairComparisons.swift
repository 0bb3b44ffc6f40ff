import Foundation
import GRDB

/// One (pair, checklist version, prompt version) a model can be asked about.
package struct PairSlot: Sendable, Hashable {
    package var pairID: Int64
    package var checklistVersion: String
    package var promptVersion: String

    package init(pairID: Int64, checklistVersion: String, promptVersion: String) {
        self.pairID = pairID
        self.checklistVersion = checklistVersion
        self.promptVersion = promptVersion
    }
}

/// Pair comparisons (table `pairComparison`) as the pair planner and runner need them.
extension Store {
    /// Indeterminate combined comparisons per pair, checklist and prompt version, by `model`.
    package func failedPairComparisonCounts(model: String) throws -> [PairSlot: Int] {
        try read("counting failed pair comparisons") { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT pairComparison.pairID, pairComparison.checklistVersionID, pairComparison.promptVersionID, COUNT(*)
                FROM pairComparison JOIN judgeRun ON judgeRun.id = pairComparison.runID
                WHERE pairComparison.presentedOrder = 'both' AND pairComparison.outcome = 'indeterminate'
                  AND judgeRun.model = ?
                GROUP BY pairComparison.pairID, pairComparison.checklistVersionID, pairComparison.promptVersionID
                """, arguments: [model])
            var out: [PairSlot: Int] = [:]
            for row in rows { out[PairSlot(pairID: row[0], checklistVersion: row[1], promptVersion: row[2])] = row[3] }
            return out
        }
    }

    /// Pairs with a usable combined comparison by `model`.
    package func finishedPairComparisons(model: String) throws -> Set<PairSlot> {
        try read("reading finished pair comparisons") { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT pairComparison.pairID, pairComparison.checklistVersionID, pairComparison.promptVersionID
                FROM pairComparison JOIN judgeRun ON judgeRun.id = pairComparison.runID
                WHERE pairComparison.presentedOrder = 'both' AND pairComparison.outcome <> 'indeterminate'
                  AND judgeRun.model = ?
                """, arguments: [model])
            return Set(rows.map { PairSlot(pairID: $0[0], checklistVersion: $0[1], promptVersion: $0[2]) })
        }
    }

    /// Appends the comparisons of one pair in one transaction, so a killed run never leaves one
    /// order without the other.
    package func addComparisons(_ comparisons: [PairComparisonRecord], pairID: Int64) throws {
        try write("storing the comparisons of pair \(pairID)") { db in
            for var c in comparisons { try c.insert(db) }
        }
    }
}
