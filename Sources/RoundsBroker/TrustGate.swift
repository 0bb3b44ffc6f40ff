import RoundsChecklists
import RoundsCore
import RoundsStore

/// The trust gate: criteria on which the judge disagrees with the experts are left out of the judge's
/// verdicts before they become rewards, scores or pairs.
///
/// On by default. For each condition whose images carry per-criterion expert labels, each criterion's
/// Cohen's κ is measured between the judge (each chosen run, or each image's latest judgment) and each
/// rater, over the labelled images the judge judged. The criterion's κ is the mean over those (run,
/// rater) measurements where κ is defined; it is left out when that mean is below `threshold`, or when
/// κ is undefined in every measurement (no evidence the judge can tell met from not met). Conditions
/// without expert labels keep every criterion, and the decision says so. Rater labels used as a score
/// source are never gated (they are what the judge is measured against).
public struct TrustGate: Sendable, Hashable {
    /// False turns the gate off explicitly (recorded as such).
    public var enabled: Bool
    /// κ below this leaves a criterion out. Default 0.4, the lower edge of "moderate" agreement on
    /// the Landis & Koch (1977) scale (see `AgreementOptions.threshold`).
    public var threshold: Double
    /// The raters whose labels gate; empty for every rater with per-criterion labels.
    public var raters: [String]

    public init(enabled: Bool = true, threshold: Double = 0.4, raters: [String] = []) {
        self.enabled = enabled
        self.threshold = threshold
        self.raters = raters
    }

    /// The gate turned off.
    public static var off: TrustGate { TrustGate(enabled: false) }

    /// Measures κ per condition and criterion and decides what to leave out.
    ///
    /// - Parameters:
    ///   - runs: the judge runs whose verdicts are gated; empty for each image's latest judgment.
    ///   - conditions: the conditions to decide for (those of the images being scored).
    /// - Throws: `BrokerError` `.invalidParameter` for a threshold outside [−1, 1] or a named rater
    ///   with no labels (naming the known raters), `.emptyInput` for a named rater whose labels have no
    ///   per-criterion verdicts; `StoreError` from the store.
    public func decide(store: Store, catalog: ChecklistCatalog, runs: [Int64], conditions: [ConditionID]) throws
        -> TrustGateDecision
    {
        let wanted = Set(conditions)
        guard enabled else {
            return TrustGateDecision(
                gate: self, runs: runs, raters: [],
                conditions: wanted.sorted().map {
                    .init(condition: $0, status: .off, raters: [], criteria: [])
                })
        }
        guard threshold.isFinite, threshold >= -1, threshold <= 1 else {
            throw BrokerError(.invalidParameter, "κ threshold must be in [-1, 1], got \(threshold)")
        }
        let labels = try raterLabels(store: store)
        var images: [String: ImageRecord] = [:]
        for id in Set(labels.values.flatMap(\.keys)).sorted() {
            if let image = try store.image(id: id), let c = image.condition, wanted.contains(c) { images[id] = image }
        }
        var labelledBy: [ConditionID: Set<String>] = [:]
        for (rater, byImage) in labels {
            for id in byImage.keys { if let c = images[id]?.condition { labelledBy[c, default: []].insert(rater) } }
        }
        var measured: [ConditionID: [String: [TrustGateDecision.Measurement]]] = [:]
        let ordered = images.values.sorted { $0.id < $1.id }
        for run in runs.isEmpty ? [nil] : runs.map(Optional.some) where !ordered.isEmpty {
            let verdicts = try StoredVerdicts.load(store: store, catalog: catalog, images: ordered, run: run)
            for (condition, judged) in Dictionary(grouping: verdicts.images, by: \.condition) {
                let judge = Dictionary(judged.map { ($0.image.id, $0.combined) }, uniquingKeysWith: { a, _ in a })
                let judgeRuns = Array(Set(judged.map(\.runID))).sorted()
                for rater in labels.keys.sorted() {
                    let mine = labels[rater]!.filter { images[$0.key]?.condition == condition }
                    guard !mine.isEmpty, let report = try agreement(judge: judge, rater: mine) else { continue }
                    for c in report.criteria {
                        measured[condition, default: [:]][c.criterion, default: []].append(
                            .init(
                                run: run, judgeRuns: judgeRuns, rater: rater, kappa: c.kappa, items: c.confusion.total))
                    }
                }
            }
        }
        let decided = wanted.sorted().map { condition in
            gate(
                condition, checklist: catalog.checklists[condition], raters: labelledBy[condition] ?? [],
                measured: measured[condition] ?? [:])
        }
        return TrustGateDecision(gate: self, runs: runs, raters: labels.keys.sorted(), conditions: decided)
    }

    /// Each rater's latest per-criterion labels by image (only raters with such labels).
    private func raterLabels(store: Store) throws -> [String: [String: [String: Verdict]]] {
        let known = try store.raters()
        for rater in raters where !known.contains(rater) {
            throw BrokerError(
                .invalidParameter,
                "\(store.path): no labels by rater '\(rater)' ("
                    + (known.isEmpty
                        ? "no labels are stored; import them with rounds labels import"
                        : "raters: " + known.joined(separator: ", ")) + ")")
        }
        var result: [String: [String: [String: Verdict]]] = [:]
        for rater in raters.isEmpty ? known : raters {
            var byImage: [String: [String: Verdict]] = [:]
            for label in try store.labels(rater: rater) where !label.criteria.isEmpty {
                byImage[label.label.imageID] = label.criteria
            }
            if byImage.isEmpty {
                guard raters.isEmpty else {
                    throw BrokerError(
                        .emptyInput,
                        "rater '\(rater)' gave no per-criterion verdicts (criterion:<id> columns) "
                            + "to measure the judge against")
                }
                continue
            }
            result[rater] = byImage
        }
        return result
    }

    /// κ per criterion, or nil when no image and criterion has both a judge verdict and a label.
    private func agreement(judge: [String: [String: Verdict]], rater: [String: [String: Verdict]]) throws
        -> AgreementReport?
    {
        guard !judge.isEmpty else { return nil }
        let match: AgreementMatch
        do {
            match = try AgreementItem.matching(judge: judge, rater: rater)
        } catch let error as BrokerError where error.code == .emptyInput {
            return nil
        }
        // The gate needs κ, not its interval: one resample keeps it cheap.
        return try AgreementReport(items: match.items, options: AgreementOptions(threshold: threshold, resamples: 1))
    }

    private func gate(
        _ condition: ConditionID, checklist: Checklist?, raters: Set<String>,
        measured: [String: [TrustGateDecision.Measurement]]
    ) -> TrustGateDecision.ConditionGate {
        guard !raters.isEmpty else {
            return .init(condition: condition, status: .noExpertLabels, raters: [], criteria: [])
        }
        guard !measured.isEmpty else {
            return .init(condition: condition, status: .noComparableLabels, raters: raters.sorted(), criteria: [])
        }
        let order = checklist?.criteria.map(\.id) ?? []
        let ids = order.filter { measured[$0] != nil } + measured.keys.filter { !order.contains($0) }.sorted()
        let criteria = ids.map { id -> TrustGateDecision.CriterionGate in
            let m = measured[id]!
            let defined = m.compactMap(\.kappa.value)
            let who = m.map(\.label).joined(separator: "; ")
            guard !defined.isEmpty else {
                let why =
                    m.compactMap { if case .undefined(let w) = $0.kappa { return w } else { return nil } }.first ?? ""
                return .init(criterion: id, kappa: nil, measurements: m, reason: "κ undefined: \(why) (\(who))")
            }
            let mean = defined.reduce(0, +) / Double(defined.count)
            // Same 1e-9 slack as `AgreementReport`: a κ of exactly the threshold computed as 0.39999… passes.
            let reason = mean < threshold - 1e-9 ? "κ \(TrustGateDecision.format(mean)) < \(threshold) (\(who))" : nil
            return .init(criterion: id, kappa: mean, measurements: m, reason: reason)
        }
        return .init(condition: condition, status: .gated, raters: raters.sorted(), criteria: criteria)
    }
}
