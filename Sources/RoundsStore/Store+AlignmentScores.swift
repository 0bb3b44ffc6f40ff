import Foundation
import GRDB

/// A synthetic image's latest stored score in one dimension, by one scorer.
package struct ScoredImage: Sendable, Hashable {
    package var imageID: String
    package var score: Double
    package var path: String
    package var condition: String?
}

/// Alignment scores (table `alignmentScore`): CAS, its dimensions and reward-model predictions.
extension Store {
    /// Every stored alignment score, oldest first.
    package func alignmentScores() throws -> [AlignmentScoreRecord] {
        try read("reading alignment scores") { db in try AlignmentScoreRecord.order(Column("id")).fetchAll(db) }
    }

    /// Who computed the newest score of `dimension` (its `computedBy`), or nil when none is stored.
    package func newestScorer(dimension: String) throws -> String? {
        try read("reading the newest \(dimension) scorer") { db in
            try String.fetchOne(
                db, sql: "SELECT computedBy FROM alignmentScore WHERE dimension = ? ORDER BY id DESC LIMIT 1",
                arguments: [dimension])
        }
    }

    /// Each synthetic image's latest score of `dimension` computed by `computedBy`, by image id.
    package func latestSyntheticScores(dimension: String, computedBy: String) throws -> [ScoredImage] {
        try read("reading \(dimension) scores") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT s.imageID, s.score, image.path, image.condition FROM alignmentScore s
                    JOIN image ON image.id = s.imageID
                    WHERE s.dimension = ? AND s.computedBy = ? AND image.origin = 'synthetic'
                      AND s.id = (SELECT max(id) FROM alignmentScore t
                                  WHERE t.imageID = s.imageID AND t.dimension = s.dimension AND t.computedBy = s.computedBy)
                    ORDER BY s.imageID
                    """, arguments: [dimension, computedBy]
            ).map { ScoredImage(imageID: $0["imageID"], score: $0["score"], path: $0["path"], condition: $0["condition"]) }
        }
    }
}
