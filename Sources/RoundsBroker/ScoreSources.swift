import RoundsCore

/// Where an image's score comes from: one or several judge runs, and optionally raters' labels.
///
/// Each source's samples are averaged first, then the sources with equal weight (MAGIC averages its
/// annotators): `score = mean over sources s of (mean over samples k of s_k)`. An image is scored from
/// the sources that said something about it.
public struct ScoreSources: Sendable, Hashable {
    /// Judge runs, each a source; empty for each image's latest judgment (one source per image).
    public var runs: [Int64]
    /// Raters whose per-criterion labels (latest per image) are averaged in as sources.
    public var raters: [String]

    public init(runs: [Int64] = [], raters: [String] = []) {
        self.runs = runs
        self.raters = raters
    }

    /// Several sources can meet on one image: scores are then averaged over them.
    public var averages: Bool { runs.count + raters.count > 1 || !raters.isEmpty }

    /// Checks for duplicates and bad ids.
    ///
    /// - Throws: `BrokerError` `.invalidParameter` naming the repeated run or rater.
    public func validate() throws {
        for run in runs where run < 1 {
            throw BrokerError(.invalidParameter, "judge run ids are ≥ 1, got \(run)")
        }
        if let repeated = runs.first(where: { r in runs.filter { $0 == r }.count > 1 }) {
            throw BrokerError(.invalidParameter, "judge run \(repeated) is named twice")
        }
        if let repeated = raters.first(where: { r in raters.filter { $0 == r }.count > 1 }) {
            throw BrokerError(.invalidParameter, "rater '\(repeated)' is named twice")
        }
    }

    /// The sources as recorded with a preference set.
    public var provenance: JSONValue {
        [
            "runs": .array(runs.map { .number(Double($0)) }), "latest_judgment": .bool(runs.isEmpty),
            "raters": .array(raters.map(JSONValue.string)),
            "average": "mean over sources of the mean over each source's samples",
        ]
    }
}
