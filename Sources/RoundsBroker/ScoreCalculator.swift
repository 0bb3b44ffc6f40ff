import RoundsCore

/// Turns per-criterion verdicts into per-image scores under a `ScorePolicy`.
public enum ScoreCalculator {
    /// Scores every image.
    ///
    /// Per sample: `s = Σ w_i v_i / Σ w_i` over counted criteria (see `ScorePolicy`); a sample with
    /// no counted criterion contributes nothing. Per source: the mean of its samples' scores. Per
    /// image: the mean over sources (several sources only with `policy.averageOverSources`).
    ///
    /// - Throws: `BrokerError` `.emptyInput` for no images or an image without verdicts,
    ///   `.unknownCriterion` for a verdict on a criterion outside the checklist, `.invalidInput` for a
    ///   duplicate image or criterion, or several sources when averaging was not asked for, and
    ///   `.invalidParameter` for a weight that is not finite and positive.
    public static func score(_ images: [ImageVerdicts], policy: ScorePolicy = ScorePolicy()) throws -> ScoreSet {
        guard !images.isEmpty else {
            throw BrokerError(.emptyInput, "no images to score: the judge run or label set has no verdicts")
        }
        var seen = Set<String>()
        var scores: [ImageScore] = []
        scores.reserveCapacity(images.count)
        for image in images {
            guard seen.insert(image.imageID).inserted else {
                throw BrokerError(.invalidInput, "image \(image.imageID) is listed twice")
            }
            scores.append(try score(image, policy: policy))
        }
        return ScoreSet(scores: scores, policy: policy)
    }

    /// Scores one image (see `score(_:policy:)`).
    public static func score(_ image: ImageVerdicts, policy: ScorePolicy = ScorePolicy()) throws -> ImageScore {
        try validate(image)
        let sources = Array(Set(image.samples.map(\.source))).sorted()
        if sources.count > 1 && !policy.averageOverSources {
            throw BrokerError(
                .invalidInput,
                "image \(image.imageID) has verdicts from \(sources.count) sources (\(sources.joined(separator: ", "))); "
                    + "choose one run or ask to average over sources")
        }
        var unresolved = 0
        var perSource: [(score: Double, met: Double, counted: Double, samples: Int)] = []
        for source in sources {
            var sum = (score: 0.0, met: 0.0, counted: 0.0, samples: 0)
            for sample in image.samples where sample.source == source {
                let result = scoreSample(sample, condition: image.condition, criteria: image.criteria, policy: policy)
                unresolved += result.unresolved
                guard let s = result.score else { continue }
                sum.score += s
                sum.met += result.met
                sum.counted += result.counted
                sum.samples += 1
            }
            guard sum.samples > 0 else { continue }
            let n = Double(sum.samples)
            perSource.append((sum.score / n, sum.met / n, sum.counted / n, sum.samples))
        }
        let n = Double(perSource.count)
        let score: Double? = perSource.isEmpty ? nil : perSource.reduce(0) { $0 + $1.score } / n
        return ImageScore(
            imageID: image.imageID, condition: image.condition, score: score,
            met: perSource.isEmpty ? 0 : perSource.reduce(0) { $0 + $1.met } / n,
            counted: perSource.isEmpty ? 0 : perSource.reduce(0) { $0 + $1.counted } / n,
            total: image.criteria.count, sources: sources, samples: perSource.reduce(0) { $0 + $1.samples },
            unresolved: unresolved)
    }

    private static func scoreSample(
        _ sample: VerdictSample, condition: ConditionID, criteria: [ScoredCriterion], policy: ScorePolicy
    ) -> (score: Double?, met: Double, counted: Double, unresolved: Int) {
        var numerator = 0.0, denominator = 0.0, met = 0.0, counted = 0.0
        var unresolved = 0
        let rater = VerdictSample.isRater(sample.source)
        for criterion in criteria {
            if rater && sample.verdicts[criterion.id] == nil { continue }  // not labelled: not a verdict
            let verdict = sample.verdicts[criterion.id] ?? .indeterminate
            if verdict == .uncertain || verdict == .indeterminate { unresolved += 1 }
            guard !policy.excludes(criterion.id, condition: condition, source: sample.source),
                let v = policy.value(of: verdict)
            else { continue }
            numerator += criterion.weight * v
            denominator += criterion.weight
            met += v
            counted += 1
        }
        return (denominator > 0 ? numerator / denominator : nil, met, counted, unresolved)
    }

    private static func validate(_ image: ImageVerdicts) throws {
        guard !image.criteria.isEmpty else {
            throw BrokerError(.emptyInput, "image \(image.imageID): the checklist for \(image.condition) has no criteria")
        }
        guard !image.samples.isEmpty else {
            throw BrokerError(.emptyInput, "image \(image.imageID) has no verdicts")
        }
        var ids = Set<String>()
        for criterion in image.criteria {
            guard ids.insert(criterion.id).inserted else {
                throw BrokerError(.invalidInput, "image \(image.imageID): criterion '\(criterion.id)' is listed twice")
            }
            guard criterion.weight.isFinite, criterion.weight > 0 else {
                throw BrokerError(
                    .invalidParameter,
                    "criterion '\(criterion.id)' of \(image.condition): weight must be finite and > 0, got \(criterion.weight)")
            }
        }
        for sample in image.samples {
            for id in sample.verdicts.keys.sorted() where !ids.contains(id) {
                throw BrokerError(
                    .unknownCriterion,
                    "image \(image.imageID), source \(sample.source): verdict for unknown criterion '\(id)' "
                        + "(checklist of \(image.condition) has \(image.criteria.map(\.id).joined(separator: ", ")))")
            }
        }
    }
}
