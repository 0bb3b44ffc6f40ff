/// CAS scores of one group (a checkpoint or an outside generator), by condition.
public struct ScoreGroup: Sendable, Equatable {
    public var name: String
    public var scores: [String: [Double]]

    public init(name: String, scores: [String: [Double]]) {
        self.name = name
        self.scores = scores
    }
}

/// One group's tail pooled over conditions, and its difference from the baseline group.
public struct GroupTail: Sendable, Equatable, Codable {
    public var group: String
    /// Per condition, as `LowAlignmentTail.estimate` gives it.
    public var conditions: [String: TailEstimate]
    /// Share of all the group's generated images below their own condition's threshold.
    public var pooledShare: Double
    public var pooledLower: Double
    public var pooledUpper: Double
    /// pooled share − baseline's pooled share, with its bootstrap 95 % interval (nil for the baseline).
    public var differenceFromBaseline: Double?
    public var differenceLower: Double?
    public var differenceUpper: Double?
}

extension LowAlignmentTail {
    /// Compares the tail across groups against shared per-condition thresholds from `real`.
    ///
    /// Every bootstrap replicate resamples each condition's real scores once (one threshold set per
    /// replicate, shared by all groups) and each group's scores per condition, so the interval of a
    /// difference accounts for the threshold's uncertainty only once. Conditions a group lacks are
    /// skipped for that group; a group condition without real scores is an error.
    ///
    /// - Parameter baseline: the group the others are compared to (usually the base checkpoint).
    public func compare(real: [String: [Double]], groups: [ScoreGroup], baseline: String?) throws(AlignmentError) -> [GroupTail] {
        if let baseline, !groups.contains(where: { $0.name == baseline }) {
            throw AlignmentError(.invalidArgument, "baseline group '\(baseline)' is not among \(groups.map(\.name))")
        }
        for (c, scores) in real.sorted(by: { $0.key < $1.key }) { try Self.check(scores, "\(c): real CAS") }
        var results = [GroupTail]()
        for group in groups {
            var perCondition = [String: TailEstimate]()
            for (c, scores) in group.scores.sorted(by: { $0.key < $1.key }) {
                guard let r = real[c] else {
                    throw AlignmentError(.invalidArgument, "\(group.name): condition '\(c)' has no real CAS scores for a threshold")
                }
                perCondition[c] = try estimate(real: r, generated: scores, condition: "\(group.name)/\(c)")
            }
            results.append(GroupTail(group: group.name, conditions: perCondition, pooledShare: 0, pooledLower: 0, pooledUpper: 0))
        }
        let conditions = real.keys.sorted()
        func pooled(_ group: ScoreGroup, _ thresholds: [String: Double], _ rng: inout SplitMix64?) -> Double {
            var below = 0
            var total = 0
            for c in conditions {
                guard let s = group.scores[c], let t = thresholds[c] else { continue }
                let sample = rng == nil ? s : Self.resample(s, &rng!)
                below += sample.reduce(0) { $0 + ($1 < t ? 1 : 0) }
                total += s.count
            }
            return total == 0 ? 0 : Double(below) / Double(total)
        }
        let thresholds = real.mapValues { Percentile.linearSorted($0.sorted(), percentile) }
        var none: SplitMix64?
        let point = groups.map { pooled($0, thresholds, &none) }
        var rng: SplitMix64? = SplitMix64(seed: seed ^ 0x5441_494C)
        var replicated = [[Double]](repeating: [], count: groups.count)
        for _ in 0..<replicates {
            var t = [String: Double]()
            for c in conditions { t[c] = Percentile.linearSorted(Self.resample(real[c]!, &rng!).sorted(), percentile) }
            for (g, group) in groups.enumerated() { replicated[g].append(pooled(group, t, &rng)) }
        }
        let baseIndex = baseline.flatMap { b in groups.firstIndex { $0.name == b } }
        for g in groups.indices {
            let sorted = replicated[g].sorted()
            results[g].pooledShare = point[g]
            results[g].pooledLower = Percentile.linearSorted(sorted, 2.5)
            results[g].pooledUpper = Percentile.linearSorted(sorted, 97.5)
            if let b = baseIndex, b != g {
                let diffs = zip(replicated[g], replicated[b]).map { $0 - $1 }.sorted()
                results[g].differenceFromBaseline = point[g] - point[b]
                results[g].differenceLower = Percentile.linearSorted(diffs, 2.5)
                results[g].differenceUpper = Percentile.linearSorted(diffs, 97.5)
            }
        }
        return results
    }
}

/// One scored image as the low-alignment tail sees it.
public struct TailInput: Sendable, Equatable {
    public var condition: String
    /// Its generator or checkpoint group (ignored for reference images).
    public var group: String
    public var score: Double
    /// A member of the stored reference set: its scores make the thresholds.
    public var isReference: Bool
    /// A real image: never counted in a generated group's tail.
    public var isReal: Bool

    public init(condition: String, group: String, score: Double, isReference: Bool, isReal: Bool) {
        self.condition = condition
        self.group = group
        self.score = score
        self.isReference = isReference
        self.isReal = isReal
    }
}

extension LowAlignmentTail {
    /// The one tail computation `rounds cas` and `rounds report` share: thresholds per condition from the
    /// reference set's scores only, and each generated group's share below them. Real images that are
    /// not reference members (scored as targets) make neither thresholds nor tails.
    ///
    /// - Returns: the groups' tails and the conditions of generated images that have no reference scores.
    public func againstReference(_ inputs: [TailInput]) throws(AlignmentError) -> (tails: [GroupTail], withoutThreshold: [String]) {
        var real = [String: [Double]]()
        for i in inputs where i.isReference { real[i.condition, default: []].append(i.score) }
        var groups = [String: [String: [Double]]]()
        var without = Set<String>()
        for i in inputs where !i.isReference && !i.isReal {
            guard real[i.condition] != nil else {
                without.insert(i.condition)
                continue
            }
            groups[i.group, default: [:]][i.condition, default: []].append(i.score)
        }
        guard !groups.isEmpty else { return ([], without.sorted()) }
        // Sorted scores: the bootstrap then depends on the scores, not on the order a caller read them in.
        let tails = try compare(
            real: real.mapValues { $0.sorted() },
            groups: groups.keys.sorted().map { ScoreGroup(name: $0, scores: groups[$0]!.mapValues { $0.sorted() }) },
            baseline: nil)
        return (tails, without.sorted())
    }
}
