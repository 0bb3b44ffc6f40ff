import Foundation
import RoundsAlignment
import RoundsBroker
import RoundsChecklists
import RoundsCore
import RoundsStore

/// Everything `rounds report` shows, read from the store: the latest stored CAS (one reference set),
/// the tail, criteria met per criterion and skin-tone band, judge-vs-rater κ (overall and per criterion),
/// best and worst images, memorisation against the training images, and the finetuning curves.
public struct CASReportData: Sendable {
    public struct ImageRow: Sendable {
        public var image: ImageRecord
        public var group: String
        public var cas: Double
        /// Stored dimension scores; a missing key is an unavailable dimension.
        public var dimensions: [CASDimension: Double]
        public var computedBy: String
    }

    public struct CriterionRate: Sendable {
        public var condition: String
        public var criterion: String
        public var group: String
        public var met: Int
        public var total: Int
        public var share: Double { total == 0 ? 0 : Double(met) / Double(total) }
    }

    public struct BandRate: Sendable {
        public var band: String
        public var group: String
        /// Mean weighted share of checklist criteria met.
        public var meanShare: Double
        public var count: Int
    }

    public struct RaterAgreement: Sendable {
        public var rater: String
        public var kappa: Double?
        public var interval: ClosedRange<Double>?
        public var items: Int
        public var note: String?
    }

    public struct Example: Sendable {
        public var row: ImageRow
        /// `criterion: verdict — evidence`, one per line.
        public var verdicts: [String]
    }

    public var reference: String
    public var percentile: Double
    public var rows: [ImageRow]
    public var tails: [GroupTail]
    public var conditionsWithoutThreshold: [String]
    public var criteria: [CriterionRate]
    public var bands: [BandRate]
    public var agreement: [RaterAgreement]
    /// Judge runs behind the verdicts: id and model; `rounds-simulator` is shown as the simulator.
    public var judges: [(run: Int64, model: String)]
    public var best: [Example]
    public var worst: [Example]
    public var realExamples: [Example]
    /// RFT and DPO training curves of every finetuned checkpoint in the store, oldest first.
    public var training: [TrainingCurves] = []
    /// Generated images against the stored training images.
    public var memorisation: MemorisationSummary? = nil
    /// Judge-vs-expert κ per condition and criterion, as the broker's trust gate sees it (threshold 0.4,
    /// every rater, each image's latest judgment).
    public var criterionAgreement: TrustGateDecision? = nil

    public var judgeLabel: String {
        judges.isEmpty
            ? "no judge runs"
            : judges.map { "run \($0.run): " + ($0.model == "rounds-simulator" ? "simulator (rounds-simulator)" : $0.model) }
                .joined(separator: ", ")
    }

    /// Reads the data; `examples` best and worst synthetic images, real ones only if `embedReal`.
    ///
    /// - Throws: `AlignmentError.invalidArgument` when no CAS is stored (run `rounds cas` first).
    public static func load(
        store: Store, catalog: ChecklistCatalog, percentile: Double = 10, examples: Int = 4, embedReal: Bool = false,
        replicates: Int = 2000
    ) throws -> CASReportData {
        let stored = try store.alignmentScores()
        guard let newest = stored.last(where: { $0.dimension == "cas" }) else {
            throw AlignmentError(.invalidArgument, "no CAS in the store; run `rounds cas` first")
        }
        let reference = newest.reference ?? ""
        // One `rounds cas` stores an image's dimension rows and then its `cas` row: the dimensions seen
        // since the image's previous `cas` row belong to the next one.
        var pending = [String: [CASDimension: Double]]()
        var latest = [String: (record: AlignmentScoreRecord, dims: [CASDimension: Double])]()
        for r in stored where (r.reference ?? "") == reference {
            if r.dimension == "cas" {
                latest[r.imageID] = (r, pending.removeValue(forKey: r.imageID) ?? [:])
            } else if let d = CASDimension(rawValue: r.dimension) {
                pending[r.imageID, default: [:]][d] = r.score
            }
        }
        let images = Dictionary(uniqueKeysWithValues: try store.images().map { ($0.id, $0) })
        var rows = [ImageRow]()
        for (id, entry) in latest {
            guard let image = images[id], image.condition != nil else { continue }
            rows.append(ImageRow(
                image: image, group: image.origin == .real ? "real" : CASJob.group(of: image), cas: entry.record.score,
                dimensions: entry.dims, computedBy: entry.record.computedBy))
        }
        rows.sort { ($0.image.condition!, $0.group, $0.image.id) < ($1.image.condition!, $1.group, $1.image.id) }
        var data = CASReportData(
            reference: reference, percentile: percentile, rows: rows, tails: [], conditionsWithoutThreshold: [], criteria: [],
            bands: [], agreement: [], judges: [], best: [], worst: [], realExamples: [])
        try data.computeTails(replicates: replicates)
        let verdicts = try StoredVerdicts.load(store: store, catalog: catalog, images: rows.map(\.image), run: nil)
        data.rates(verdicts)
        let runs = Set(verdicts.runIDs)
        data.judges = try store.judgeRuns().filter { runs.contains($0.id!) }.map { ($0.id!, $0.model) }
        for rater in try store.raters() {
            do {
                let r = try AgreementJob(rater: rater, run: nil, options: AgreementOptions()).run(store: store, catalog: catalog)
                let o = r.report.overall
                data.agreement.append(RaterAgreement(
                    rater: rater, kappa: o.kappa.value, interval: o.kappaInterval, items: o.confusion.total, note: nil))
            } catch {
                data.agreement.append(RaterAgreement(rater: rater, kappa: nil, interval: nil, items: 0, note: "\(error)"))
            }
        }
        data.criterionAgreement = try TrustGate().decide(
            store: store, catalog: catalog, runs: [], conditions: Array(Set(rows.compactMap(\.image.condition))))
        data.training = try TrainingCurves.load(store: store)
        data.memorisation = try MemorisationSummary.measure(
            generated: rows.filter { $0.image.origin == .synthetic }.map(\.image), store: store, group: CASJob.group(of:))
        let synthetic = rows.filter { $0.image.origin != .real }.sorted { ($0.cas, $0.image.id) > ($1.cas, $1.image.id) }
        let n = min(examples, synthetic.count / 2)
        data.best = try synthetic.prefix(n).map { try example($0, store: store, catalog: catalog) }
        data.worst = try synthetic.suffix(n).reversed().map { try example($0, store: store, catalog: catalog) }
        if embedReal {
            data.realExamples = try rows.filter { $0.image.origin == .real }.prefix(examples * 2)
                .map { try example($0, store: store, catalog: catalog) }
        }
        return data
    }

    /// The tail exactly as `rounds cas` computed it: thresholds from the stored reference set only.
    private mutating func computeTails(replicates: Int) throws {
        let members = referenceMembers()
        let inputs = rows.map {
            TailInput(condition: $0.image.condition!.description, group: $0.group, score: $0.cas,
                      isReference: members.contains($0.image.id), isReal: $0.image.origin == .real)
        }
        (tails, conditionsWithoutThreshold) = try LowAlignmentTail(percentile: percentile, replicates: replicates)
            .againstReference(inputs)
    }

    /// The reference set's images: those whose stored CAS says so. A store scored before the role was
    /// recorded has only the set's hash: all its real images when their ids give that hash, else none of
    /// them (then no thresholds, rather than thresholds from another set).
    public func referenceMembers() -> Set<String> {
        let marked = rows.filter { $0.computedBy.contains(CASJob.referenceRoleMarker) }.map(\.image.id)
        if !marked.isEmpty { return Set(marked) }
        let real = rows.filter { $0.image.origin == .real }.map(\.image.id)
        let hash = SHA256.hex(real.sorted().joined(separator: "\n"))
        return reference.hasSuffix("sha256:" + hash) ? Set(real) : []
    }

    private mutating func rates(_ verdicts: StoredVerdicts) {
        let groupOf = Dictionary(uniqueKeysWithValues: rows.map { ($0.image.id, $0.group) })
        var counts = [String: CriterionRate]()
        var bandSums = [String: (sum: Double, n: Int)]()
        for j in verdicts.images {
            let group = groupOf[j.image.id] ?? "?"
            let checklist = verdicts.checklists[j.condition]!
            for c in checklist.criteria {
                let key = "\(j.condition)\t\(c.id)\t\(group)"
                var rate = counts[key] ?? CriterionRate(condition: j.condition.description, criterion: c.id, group: group, met: 0, total: 0)
                if let v = j.combined[c.id], v != .indeterminate {
                    rate.total += 1
                    if v == .met { rate.met += 1 }
                }
                counts[key] = rate
            }
            let pairs = checklist.criteria.map { (verdict: j.combined[$0.id] ?? .indeterminate, weight: $0.weight) }
            if let share = try? CASRules.checklistShare(pairs) {
                let key = "\(j.image.skinTone ?? "unrecorded")\t\(group)"
                bandSums[key, default: (0, 0)].sum += share
                bandSums[key, default: (0, 0)].n += 1
            }
        }
        criteria = counts.keys.sorted().map { counts[$0]! }
        bands = bandSums.keys.sorted().map { key in
            let parts = key.split(separator: "\t").map(String.init)
            return BandRate(band: parts[0], group: parts[1], meanShare: bandSums[key]!.sum / Double(bandSums[key]!.n), count: bandSums[key]!.n)
        }
    }

    private static func example(_ row: ImageRow, store: Store, catalog: ChecklistCatalog) throws -> Example {
        guard let checklist = catalog.checklists[row.image.condition!] else { return Example(row: row, verdicts: []) }
        let latest = try store.latestVerdicts(checklistVersion: checklist.version, imageIDs: [row.image.id])
        return Example(row: row, verdicts: latest.map { v in
            "\(v.criterionID): \(v.verdict.rawValue)" + (v.evidence.map { " — \($0)" } ?? "")
        })
    }
}
