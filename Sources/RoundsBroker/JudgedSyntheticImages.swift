import RoundsChecklists
import RoundsCore
import RoundsStore

/// A synthetic image with something said about it by at least one score source.
struct ScorableImage: Sendable {
    var image: ImageRecord
    var condition: ConditionID
    /// Judgment rows read for it, over every judge run used.
    var judgmentIDs: [Int64]
}

/// The merged verdicts of every score source, ready for `ScoreCalculator`.
struct ScoringInputs: Sendable {
    var images: [ScorableImage]
    var imageVerdicts: [ImageVerdicts]
    var checklists: [ConditionID: Checklist]
    /// The judge runs the verdicts come from, sorted.
    var runIDs: [Int64]
    /// Synthetic images no source said anything about (against their current checklist).
    var unjudged: [String]
    var withoutChecklist: [String]
    /// Images by the number of sources that scored them (`"1"`, `"2"`, …).
    var sourceCounts: [Int: Int]
    /// Rater labels on criteria the current checklist no longer has (left out).
    var labelsOutsideChecklist: Int
}

/// What both training signals start from: every stored synthetic image, its verdicts from the score
/// sources against the current checklists, and the score policy after the trust gate.
struct JudgedSyntheticImages {
    var images: [ImageRecord]
    var verdicts: ScoringInputs
    var policy: ScorePolicy
    var gate: TrustGateDecision

    /// - Throws: `.emptyInput` when no synthetic image is stored or no source says anything about one;
    ///   what `ScoreSources.validate`, `TrustGate.decide` and `StoredVerdicts.load` throw.
    static func load(
        store: Store, catalog: ChecklistCatalog, sources: ScoreSources, policy: ScorePolicy, trustGate: TrustGate
    ) throws -> JudgedSyntheticImages {
        try sources.validate()
        let images = try store.images(origin: .synthetic)
        guard !images.isEmpty else {
            throw BrokerError(
                .emptyInput,
                "\(store.path): no synthetic images are stored (add them with rounds images add --origin synthetic)")
        }
        let inputs = try merge(store: store, catalog: catalog, images: images, sources: sources)
        guard !inputs.images.isEmpty else {
            if sources.raters.isEmpty && sources.runs.count <= 1 {
                throw RFTJob.noVerdicts(run: sources.runs.first, images: images.count, store: store)
            }
            throw BrokerError(
                .emptyInput,
                "\(store.path): none of the \(images.count) synthetic image(s) has judge verdicts"
                    + (sources.runs.isEmpty ? "" : " in runs " + JudgeRuns.list(sources.runs))
                    + (sources.raters.isEmpty
                        ? "" : " or per-criterion labels by " + sources.raters.joined(separator: ", "))
                    + " against its current checklist")
        }
        var policy = policy
        policy.averageOverSources = policy.averageOverSources || sources.averages
        let gate = try trustGate.decide(
            store: store, catalog: catalog, runs: sources.runs, conditions: Array(Set(inputs.images.map(\.condition))))
        for (condition, criteria) in gate.excluded {
            policy.gatedCriteria[condition, default: [:]].merge(criteria) { a, _ in a }
        }
        return JudgedSyntheticImages(images: images, verdicts: inputs, policy: policy, gate: gate)
    }

    private static func merge(store: Store, catalog: ChecklistCatalog, images: [ImageRecord], sources: ScoreSources)
        throws -> ScoringInputs
    {
        var samples: [String: [VerdictSample]] = [:]
        var judgments: [String: [Int64]] = [:]
        var checklists: [ConditionID: Checklist] = [:]
        var withoutChecklist: [String] = []
        var runIDs = Set<Int64>()
        for run in sources.runs.isEmpty ? [nil] : sources.runs.map(Optional.some) {
            let loaded = try StoredVerdicts.load(store: store, catalog: catalog, images: images, run: run)
            checklists.merge(loaded.checklists) { a, _ in a }
            withoutChecklist = loaded.withoutChecklist
            runIDs.formUnion(loaded.runIDs)
            for j in loaded.images {
                samples[j.image.id, default: []] += j.samples.map {
                    VerdictSample(source: "run:\(j.runID)", verdicts: $0)
                }
                judgments[j.image.id, default: []] += j.judgmentIDs
            }
        }
        let records = Dictionary(images.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var outside = 0
        for rater in sources.raters {
            let labels = try store.labels(rater: rater)
            guard !labels.isEmpty else {
                let raters = try store.raters()
                throw BrokerError(
                    .invalidParameter,
                    "\(store.path): no labels by rater '\(rater)' ("
                        + (raters.isEmpty ? "no labels are stored" : "raters: " + raters.joined(separator: ", ")) + ")")
            }
            var latest: [String: [String: Verdict]] = [:]
            for label in labels where !label.criteria.isEmpty && records[label.label.imageID] != nil {
                latest[label.label.imageID] = label.criteria
            }
            guard !latest.isEmpty else {
                throw BrokerError(
                    .emptyInput,
                    "rater '\(rater)' gave no per-criterion labels (criterion:<id> columns) on a synthetic image")
            }
            for (id, verdicts) in latest {
                guard let condition = records[id]!.condition, let checklist = catalog.checklists[condition] else {
                    continue
                }
                checklists[condition] = checklist
                let known = Set(checklist.criteria.map(\.id))
                let kept = verdicts.filter { known.contains($0.key) }
                outside += verdicts.count - kept.count
                if !kept.isEmpty {
                    samples[id, default: []].append(VerdictSample(source: "rater:\(rater)", verdicts: kept))
                }
            }
        }
        var inputs = ScoringInputs(
            images: [], imageVerdicts: [], checklists: checklists, runIDs: runIDs.sorted(), unjudged: [],
            withoutChecklist: withoutChecklist, sourceCounts: [:], labelsOutsideChecklist: outside)
        let skipped = Set(withoutChecklist)
        // Condition by condition, store order within each (the order one run's verdicts load in).
        let ordered = images.enumerated().sorted {
            ($0.element.condition?.description ?? "", $0.offset) < ($1.element.condition?.description ?? "", $1.offset)
        }.map(\.element)
        for image in ordered where !skipped.contains(image.id) {
            guard let mine = samples[image.id], let condition = image.condition, let checklist = checklists[condition]
            else {
                inputs.unjudged.append(image.id)
                continue
            }
            inputs.images.append(
                ScorableImage(image: image, condition: condition, judgmentIDs: judgments[image.id] ?? []))
            inputs.imageVerdicts.append(
                ImageVerdicts(
                    imageID: image.id, condition: condition,
                    criteria: checklist.criteria.map { ScoredCriterion(id: $0.id, weight: $0.weight) }, samples: mine))
            inputs.sourceCounts[Set(mine.map(\.source)).count, default: 0] += 1
        }
        return inputs
    }

    /// How the sources came together, recorded with a set.
    var sourcesProvenance: JSONValue {
        [
            "images_by_source_count": .object(
                Dictionary(
                    uniqueKeysWithValues: verdicts.sourceCounts.map {
                        ("\($0.key)", JSONValue.number(Double($0.value)))
                    })),
            "rater_labels_outside_checklist": .number(Double(verdicts.labelsOutsideChecklist)),
        ]
    }
}
