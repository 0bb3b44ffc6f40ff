import Foundation
import RoundsChecklists
import RoundsCore
import RoundsStore

/// `rounds broker dpo`: decides pairs by the images' scores, keeps the one-winner pairs, writes them
/// as Pick-a-Pic Parquet or JSONL and stores the set with how it was made.
///
/// Pairs are the stored pair candidates (`rounds pairs make`), only same-source ones with
/// `sameSource`. When none are stored, every pair of judged synthetic images within one condition
/// is used (of one source image each, with `sameSource`), in the fixed order of `PairCandidates`.
public struct DPOJob: Sendable {
    /// The judge runs (none: each image's latest judgment) and raters whose verdicts make the scores.
    public var sources: ScoreSources
    /// The one judge run of `sources`, or nil for none or several; setting it replaces the runs.
    public var run: Int64? {
        get { sources.runs.count == 1 ? sources.runs[0] : nil }
        set { sources.runs = newValue.map { [$0] } ?? [] }
    }
    public var rule: PairRule
    public var policy: ScorePolicy
    /// Leaves out criteria the judge disagrees with the experts on (on by default; `.off` to disable).
    public var trustGate = TrustGate()
    public var sameSource: Bool
    /// `.parquet` or `.jsonl`, or else a dataset folder (`DPODatasetFolder`).
    public var out: String
    /// Side of the square images written into Parquet (resized and centre-cropped, PNG); nil keeps the stored files.
    public var resolution: Int?

    public init(run: Int64?, rule: PairRule, policy: ScorePolicy, sameSource: Bool, out: String) {
        self.sources = ScoreSources(runs: run.map { [$0] } ?? [])
        self.rule = rule
        self.policy = policy
        self.sameSource = sameSource
        self.out = out
    }

    public struct Result: Sendable {
        public var set: PreferenceSet
        public var setID: Int64
        public var runIDs: [Int64]
        /// `stored` (pair candidates) or `all_within_condition`.
        public var pairSource: String
        /// Images in pairs that have no verdicts (in the run): their pairs count as unscored.
        public var unjudged: [String]
        /// The score policy used, with the trust gate's exclusions.
        public var policy: ScorePolicy
        /// What the trust gate decided.
        public var trustGate: TrustGateDecision
    }

    /// Runs the job.
    ///
    /// - Throws: `BrokerError` `.invalidParameter` for a bad extension, rule or unknown run,
    ///   `.conditionMismatch` for a stored pair across conditions, `.emptyInput` when nothing is judged
    ///   or no pair has one winner; `StoreError`; file errors.
    /// DPO pairs are written as `.parquet`, `.jsonl` or a dataset folder (any other `--out`); a folder
    /// that is an existing file, or a resolution below 8 or above 4096, is `.invalidParameter`.
    public static func checkOutput(_ out: String, resolution: Int? = nil) throws(BrokerError) {
        if let r = resolution, !(8...4096).contains(r) {
            throw BrokerError(.invalidParameter, "--resolution must be between 8 and 4096 pixels, got \(r)")
        }
        if resolution != nil, (out as NSString).pathExtension.lowercased() == "jsonl" {
            throw BrokerError(.invalidParameter, "--resolution resizes the images written into Parquet; a .jsonl export holds only paths")
        }
        guard DPODatasetFolder.isFolder(out) else { return }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw BrokerError(.invalidParameter, "--out \(out): an --out without .parquet or .jsonl is a dataset folder, and this is a file")
        }
    }

    public func run(store: Store, catalog: ChecklistCatalog) throws -> Result {
        try rule.validate()
        try Self.checkOutput(out, resolution: resolution)
        let judged = try JudgedSyntheticImages.load(
            store: store, catalog: catalog, sources: sources, policy: self.policy, trustGate: trustGate)
        let (images, loaded, policy) = (judged.images, judged.verdicts, judged.policy)
        let scored = try ScoreCalculator.score(loaded.imageVerdicts, policy: policy).byImage
        let records = Dictionary(images.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })

        var candidates = try store.pairs().map(\.pair).filter { !sameSource || $0.sameSource }
        var pairSource = "stored"
        if candidates.isEmpty {
            pairSource = "all_within_condition"
            candidates = try allPairs(loaded)
        }
        var unjudged = Set<String>()
        let pairs: [(ImageScore, ImageScore)] = try candidates.map { c in
            func score(_ id: String) throws -> ImageScore {
                if let s = scored[id] { return s }
                guard let image = records[id] else {
                    throw BrokerError(.invalidInput, "pair \(c.id ?? 0): image \(id) is not a stored synthetic image")
                }
                unjudged.insert(id)
                let condition = image.condition ?? (try? ConditionID(parsing: c.condition))
                guard let condition else {
                    throw BrokerError(.invalidInput, "pair \(c.id ?? 0): image \(id) has no condition")
                }
                return ImageScore(
                    imageID: id, condition: condition, score: nil, met: 0, counted: 0, total: 0, sources: [],
                    samples: 0,
                    unresolved: 0)
            }
            return (try score(c.imageA), try score(c.imageB))
        }
        let set = try PreferenceSet.fromScores(pairs, rule: rule, policy: policy)
        guard !set.pairs.isEmpty else {
            let c = set.counts
            throw BrokerError(
                .emptyInput,
                "no one-winner pairs to write to \(out): of \(c.total) pair(s), \(c.bothWin) both-win, "
                    + "\(c.bothLose) both-lose, \(c.tie) tie, \(c.inconsistent) inconsistent, \(c.unscored) unscored"
                    + (unjudged.isEmpty ? "" : " (\(unjudged.count) paired image(s) have no verdicts)"))
        }
        let context = ExportContext(
            paths: records.mapValues(\.path),
            captions: Dictionary(uniqueKeysWithValues: loaded.checklists.map { ($0.key, $0.value.name) }))
        let folder = DPODatasetFolder.isFolder(out)
        if folder || (out as NSString).pathExtension.lowercased() == "parquet" {
            let file = try folder ? DPODatasetFolder.prepare(out) : out
            try set.writePickAPic(path: file, context: context) { [resolution] id in
                let path = try context.path(id)
                return try DPODatasetFolder.bytes(Array(try BrokerFile.read(path)), path: path, resolution: resolution)
            }
            if folder {
                let card = URL(fileURLWithPath: out).appendingPathComponent("README.md").path
                try BrokerFile.write(Data(DPODatasetFolder.card(pairs: set.pairs.count, resolution: resolution).utf8), to: card)
            }
        } else {
            try BrokerFile.write(Data(try set.jsonl(context).utf8), to: out)
        }

        let runIDs = loaded.runIDs
        guard case .object(var parameters) = set.provenance else { preconditionFailure("provenance is an object") }
        parameters["runs"] = .array(runIDs.map { .number(Double($0)) })
        parameters["run_option"] = run.map { .number(Double($0)) } ?? .null
        parameters["sources"] = sources.provenance
        parameters["source_counts"] = judged.sourcesProvenance
        parameters["pairs"] = [
            "source": .string(pairSource), "same_source": .bool(sameSource),
            "candidates": .number(Double(candidates.count)),
        ]
        parameters["unjudged_images"] = .number(Double(unjudged.count))
        parameters["out"] = .string(out)
        parameters["layout"] = .string(folder ? "dataset_folder" : (out as NSString).pathExtension.lowercased())
        parameters["resolution"] = resolution.map { .number(Double($0)) } ?? .null
        parameters["trust_gate"] = judged.gate.provenance
        let ruleName: String
        switch rule {
        case .magic: ruleName = "magic"
        case .margin: ruleName = "margin"
        }
        let record = PreferenceSetRecord(
            kind: .dpo, rule: ruleName, parameters: JSONValue.object(parameters).canonicalString,
            runID: runIDs.count == 1 ? runIDs[0] : nil)
        let members = set.pairs.map { PreferenceMemberRecord(setID: 0, imageID: $0.winnerID, loserImageID: $0.loserID) }
        let stored = try store.addPreferenceSet(record, members: members)
        return Result(
            set: set, setID: stored.id ?? 0, runIDs: runIDs, pairSource: pairSource, unjudged: unjudged.sorted(),
            policy: policy, trustGate: judged.gate)
    }

    /// Every pair of judged images within each condition (see the type's documentation).
    private func allPairs(_ loaded: ScoringInputs) throws -> [PairCandidateRecord] {
        let byCondition = Dictionary(grouping: loaded.images, by: \.condition)
        var pairs: [PairCandidateRecord] = []
        for condition in byCondition.keys.sorted() {
            let images = byCondition[condition]!.map {
                CandidateImage(imageID: $0.image.id, condition: condition, sourceImageID: $0.image.parentImageID)
            }
            do {
                pairs += try PairCandidates.make(condition: condition, from: images, sameSource: sameSource).map {
                    PairCandidateRecord(
                        imageA: $0.imageID0, imageB: $0.imageID1, condition: condition.description,
                        sameSource: sameSource)
                }
            } catch let error as BrokerError where error.code == .emptyInput {
                continue  // a condition with too few judged images (of one source) has no pairs
            }
        }
        guard !pairs.isEmpty else {
            throw BrokerError(
                .emptyInput,
                "no pair candidates are stored and no condition has two judged synthetic images"
                    + (sameSource ? " sharing a source image" : "") + " to pair")
        }
        return pairs
    }
}
