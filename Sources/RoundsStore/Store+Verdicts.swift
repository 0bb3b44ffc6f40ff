import Foundation
import GRDB
import RoundsCore

/// A verdict as the latest successful judgment of an image gave it.
public struct LatestVerdict: Sendable, Hashable, Codable {
    public var imageID: String
    public var criterionID: String
    public var verdict: Verdict
    public var evidence: String?
    public var confidence: Double?
    public var judgmentID: Int64
    public var runID: Int64
    public var model: String
    public var createdAt: Date
}

/// One criterion verdict of one successful judgment, with the judgment it belongs to: the store's one
/// verdict row, read by `judgmentVerdicts` (everything else about verdicts is built from it).
package struct JudgmentVerdict: Sendable, Hashable, FetchableRecord {
    package var judgmentID: Int64
    package var imageID: String
    package var runID: Int64
    /// 0 for the combined (majority) judgment, 1… for self-consistency samples.
    package var sampleIndex: Int
    package var criterionID: String
    package var verdict: Verdict
    package var evidence: String?
    package var confidence: Double?
    package var model: String
    package var createdAt: Date

    package init(row: Row) throws {
        judgmentID = row["judgmentID"]
        imageID = row["imageID"]
        runID = row["runID"]
        sampleIndex = row["sampleIndex"]
        criterionID = row["criterionID"]
        // A verdict this build does not know (a newer Rounds wrote it) counts as indeterminate.
        verdict = Verdict(rawValue: row["verdict"] as String) ?? .indeterminate
        evidence = row["evidence"]
        confidence = row["confidence"]
        model = row["model"]
        createdAt = row["createdAt"]
    }
}

extension Store {
    /// Every verdict of every successful judgment against `checklistVersion`, ordered by image, then
    /// judgment, then criterion. Judgments without verdicts are left out.
    ///
    /// - Parameters:
    ///   - model: only judgments by this model; `nil` for any.
    ///   - run: only judgments of this judge run; `nil` for any.
    ///   - imageIDs: only these images; `nil` for all.
    package func judgmentVerdicts(
        checklistVersion: String, model: String? = nil, run: Int64? = nil, imageIDs: [String]? = nil
    ) throws -> [JudgmentVerdict] {
        let ids = try imageIDs.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        return try read("reading verdicts") { db in
            try JudgmentVerdict.fetchAll(
                db,
                sql: """
                    SELECT j.id AS judgmentID, j.imageID, j.runID, j.sampleIndex, v.criterionID, v.verdict,
                           v.evidence, v.confidence, judgeRun.model, j.createdAt
                    FROM judgment j JOIN criterionVerdict v ON v.judgmentID = j.id JOIN judgeRun ON judgeRun.id = j.runID
                    WHERE j.error IS NULL AND j.checklistVersionID = ?1 AND (?2 IS NULL OR judgeRun.model = ?2)
                      AND (?3 IS NULL OR j.runID = ?3) AND (?4 IS NULL OR j.imageID IN (SELECT value FROM json_each(?4)))
                    ORDER BY j.imageID, j.id, v.criterionID
                    """, arguments: [checklistVersion, model, run, ids])
        }
    }

    /// For each image, the verdicts of its latest successful judgment against `checklistVersion`
    /// (optionally by one model), ordered by image then criterion.
    public func latestVerdicts(checklistVersion: String, model: String? = nil, imageIDs: [String]? = nil) throws
        -> [LatestVerdict]
    {
        // The combined judgment only (sample index 0): a failed majority leaves successful sample rows
        // behind, and those must not make the image look judged.
        let rows = try judgmentVerdicts(checklistVersion: checklistVersion, model: model, imageIDs: imageIDs)
            .filter { $0.sampleIndex == 0 }
        var latest: [String: Int64] = [:]
        for row in rows { latest[row.imageID] = max(latest[row.imageID] ?? row.judgmentID, row.judgmentID) }
        return rows.filter { latest[$0.imageID] == $0.judgmentID }.map {
            LatestVerdict(
                imageID: $0.imageID, criterionID: $0.criterionID, verdict: $0.verdict, evidence: $0.evidence,
                confidence: $0.confidence, judgmentID: $0.judgmentID, runID: $0.runID, model: $0.model,
                createdAt: $0.createdAt)
        }
    }
}

/// One image's verdicts from one judge run against one checklist version.
package struct RunVerdicts: Sendable {
    package var imageID: String
    /// The run the verdicts come from (the chosen run, or the run of the image's latest judgment).
    package var runID: Int64
    /// The run's combined judgment (sample index 0, the majority verdict when several samples were
    /// asked for): what agreement compares with a rater.
    package var combined: [String: Verdict]
    /// The run's self-consistency samples (sample index ≥ 1), or the combined judgment alone when
    /// the run asked for one sample: what scores average over.
    package var samples: [[String: Verdict]]
    /// Judgment rows read (combined plus samples).
    package var judgmentIDs: [Int64]
}

extension Store {
    /// Each image's verdicts against `checklistVersion` from one run, by image id; images without a
    /// successful combined judgment are absent.
    ///
    /// With `run`, that run's combined judgment counts; without it, each image's latest. A failed
    /// majority leaves successful sample rows but no combined row: the image is not judged. A run that
    /// retried a failed majority re-sent only the failed samples and counted the earlier ones, so its
    /// samples are, per sample index, the latest stored by the same model before its combined row.
    package func runVerdicts(checklistVersion: String, imageIDs: [String], run: Int64?) throws -> [String: RunVerdicts] {
        let rows = try judgmentVerdicts(checklistVersion: checklistVersion, imageIDs: imageIDs)
        var out: [String: RunVerdicts] = [:]
        for (imageID, mine) in Dictionary(grouping: rows, by: \.imageID) {
            out[imageID] = Self.select(mine, imageID: imageID, run: run)
        }
        return out
    }

    /// Picks the combined judgment (the run's, or the latest) and the samples it was the majority of.
    private static func select(_ rows: [JudgmentVerdict], imageID: String, run: Int64?) -> RunVerdicts? {
        let combinedRows = rows.filter { $0.sampleIndex == 0 && (run == nil || $0.runID == run) }
        guard let combined = combinedRows.max(by: { $0.judgmentID < $1.judgmentID }) else { return nil }
        var verdicts: [Int64: [String: Verdict]] = [:]
        for row in rows { verdicts[row.judgmentID, default: [:]][row.criterionID] = row.verdict }
        // A run that asked for one sample stored no sample rows: its combined judgment is its only sample.
        let multiSample = rows.contains { $0.runID == combined.runID && $0.sampleIndex > 0 }
        var latest: [Int: Int64] = [:]
        for row in rows where multiSample && row.sampleIndex > 0 && row.model == combined.model
            && row.judgmentID < combined.judgmentID {
            latest[row.sampleIndex] = max(latest[row.sampleIndex] ?? row.judgmentID, row.judgmentID)
        }
        let sampleIDs = latest.keys.sorted().map { latest[$0]! }
        let combinedVerdicts = verdicts[combined.judgmentID]!
        return RunVerdicts(
            imageID: imageID, runID: combined.runID, combined: combinedVerdicts,
            samples: sampleIDs.isEmpty ? [combinedVerdicts] : sampleIDs.map { verdicts[$0]! },
            judgmentIDs: ([combined.judgmentID] + sampleIDs).sorted())
    }

    /// Why `run` cannot be read from (it is not stored, naming the runs that are), or nil when it is stored.
    package func missingJudgeRunProblem(_ run: Int64) throws -> String? {
        let ids = try judgeRunIDs()
        guard !ids.contains(run) else { return nil }
        let known = ids.isEmpty ? "none is stored; run rounds judge first" : "stored runs: " + Self.runList(ids)
        return "\(path): no judge run \(run) (\(known))"
    }

    /// Run ids for a message: all of up to ten, else the first five and the last three.
    package static func runList(_ ids: [Int64]) -> String {
        ids.count <= 10
            ? ids.map(String.init).joined(separator: ", ")
            : ids.prefix(5).map(String.init).joined(separator: ", ") + ", …, "
                + ids.suffix(3).map(String.init).joined(separator: ", ")
    }
}
