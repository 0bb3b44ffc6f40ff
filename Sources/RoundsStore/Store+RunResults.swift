import Foundation
import GRDB
import RoundsCore

/// One criterion verdict of a judge run, with the image it is about.
public struct RunVerdict: Sendable, Hashable, Codable, FetchableRecord {
    public var judgmentID: Int64
    public var imageID: String
    public var condition: String?
    public var criterionID: String
    public var verdict: Verdict
    public var evidence: String?
}

extension Store {
    /// The verdicts of a run's successful judgments, by image then criterion.
    public func runVerdicts(run: Int64) throws -> [RunVerdict] {
        try read("reading the verdicts of run \(run)") { db in
            try RunVerdict.fetchAll(
                db,
                sql: """
                    SELECT judgment.id AS judgmentID, judgment.imageID, image.condition, v.criterionID, v.verdict,
                           v.evidence
                    FROM judgment JOIN criterionVerdict v ON v.judgmentID = judgment.id
                    LEFT JOIN image ON image.id = judgment.imageID
                    WHERE judgment.runID = ? AND judgment.error IS NULL
                    ORDER BY judgment.imageID, judgment.id, v.criterionID
                    """, arguments: [run])
        }
    }

    /// The latest Clinical Alignment Scores stored for the images a run judged: per image, per dimension.
    public func alignmentScores(run: Int64) throws -> [AlignmentScoreRecord] {
        try read("reading alignment scores of run \(run)") { db in
            try AlignmentScoreRecord.fetchAll(
                db,
                sql: """
                    SELECT s.* FROM alignmentScore s
                    WHERE s.imageID IN (SELECT imageID FROM judgment WHERE runID = ?)
                      AND s.id = (SELECT max(id) FROM alignmentScore t WHERE t.imageID = s.imageID AND t.dimension = s.dimension)
                    ORDER BY s.imageID, s.dimension
                    """, arguments: [run])
        }
    }
}
