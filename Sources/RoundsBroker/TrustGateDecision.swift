import RoundsCore

/// What the trust gate decided, per condition and criterion, with the κ behind each choice.
public struct TrustGateDecision: Sendable, Hashable {
    /// One κ between the judge and one rater on one criterion.
    public struct Measurement: Sendable, Hashable {
        /// The judge run asked for, or nil for each image's latest judgment.
        public var run: Int64?
        /// The runs the judge verdicts actually came from.
        public var judgeRuns: [Int64]
        public var rater: String
        public var kappa: Kappa
        /// Items where both said met or not_met.
        public var items: Int

        /// `run 3 vs alice: κ 0.21, 12 items`.
        var label: String {
            let runs = run.map { "run \($0)" } ?? "latest (run \(judgeRuns.map(String.init).joined(separator: ", ")))"
            return "\(runs) vs \(rater): κ \(kappa.value.map(TrustGateDecision.format) ?? "undefined"), \(items) items"
        }
    }

    /// One criterion's κ (mean over measurements with a defined κ) and whether it was left out.
    public struct CriterionGate: Sendable, Hashable {
        public var criterion: String
        public var kappa: Double?
        public var measurements: [Measurement]
        /// Why the criterion was left out, or nil when it was kept.
        public var reason: String?
        public var excluded: Bool { reason != nil }
    }

    public enum Status: String, Sendable, Hashable {
        /// Expert labels were compared with the judge; `criteria` holds the κ.
        case gated
        /// No rater labelled an image of the condition: every criterion is used.
        case noExpertLabels = "no_expert_labels"
        /// Raters labelled images of the condition, but the judge (in the chosen runs) judged none of
        /// them against the current checklist: no κ, every criterion is used.
        case noComparableLabels = "no_comparable_labels"
        /// The gate was turned off.
        case off
    }

    public struct ConditionGate: Sendable, Hashable {
        public var condition: ConditionID
        public var status: Status
        /// Raters who labelled images of the condition.
        public var raters: [String]
        /// Measured criteria in checklist order (criteria no rater labelled are kept and not listed).
        public var criteria: [CriterionGate]
    }

    public var gate: TrustGate
    /// The judge runs asked for (empty: each image's latest judgment).
    public var runs: [Int64]
    /// Raters whose labels were consulted (those with per-criterion labels), sorted.
    public var raters: [String]
    public var conditions: [ConditionGate]

    /// Criteria left out, per condition, with the reason: what `ScorePolicy.gatedCriteria` takes.
    public var excluded: [ConditionID: [String: String]] {
        var result: [ConditionID: [String: String]] = [:]
        for c in conditions {
            for g in c.criteria { if let reason = g.reason { result[c.condition, default: [:]][g.criterion] = reason } }
        }
        return result
    }

    /// True when some condition had expert labels to gate with.
    public var hasExpertLabels: Bool { conditions.contains { $0.status == .gated || $0.status == .noComparableLabels } }

    /// The one-line summary: the gate's settings, or why it used every criterion.
    public var summary: String {
        guard gate.enabled else { return "trust gate: off; all criteria used" }
        guard hasExpertLabels else { return "trust gate: no expert labels; all criteria used" }
        let left = conditions.reduce(0) { $0 + $1.criteria.filter(\.excluded).count }
        return "trust gate: κ threshold \(gate.threshold), rater(s) \(raters.joined(separator: ", ")); "
            + "\(left) criterion(s) left out"
    }

    /// The decision for people: the summary, then one line per condition and measured criterion.
    public var lines: [String] {
        var lines = [summary]
        guard gate.enabled, hasExpertLabels else { return lines }
        for c in conditions {
            switch c.status {
            case .gated:
                for g in c.criteria {
                    lines.append(
                        g.excluded
                            ? "trust gate: \(c.condition): left out \(g.criterion): \(g.reason!)"
                            : "trust gate: \(c.condition): kept \(g.criterion): κ \(Self.format(g.kappa!))")
                }
            case .noExpertLabels:
                lines.append("trust gate: \(c.condition): no expert labels; all criteria used")
            case .noComparableLabels:
                lines.append(
                    "trust gate: \(c.condition): labels by \(c.raters.joined(separator: ", ")) "
                        + "but none of the labelled "
                        + "images has judge verdicts\(runsPhrase); all criteria used")
            case .off:
                break
            }
        }
        return lines
    }

    private var runsPhrase: String {
        runs.isEmpty ? "" : " in run \(runs.map(String.init).joined(separator: ", "))"
    }

    /// The decision as recorded with a preference set.
    public var provenance: JSONValue {
        guard gate.enabled else {
            return ["enabled": false, "note": .string(summary)]
        }
        func measurement(_ m: Measurement) -> JSONValue {
            [
                "run": m.run.map { .number(Double($0)) } ?? .null,
                "judge_runs": .array(m.judgeRuns.map { .number(Double($0)) }), "rater": .string(m.rater),
                "kappa": m.kappa.value.map(JSONValue.number) ?? .null, "items": .number(Double(m.items)),
            ]
        }
        var byCondition: [String: JSONValue] = [:]
        for c in conditions {
            var criteria: [String: JSONValue] = [:]
            for g in c.criteria {
                criteria[g.criterion] = [
                    "kappa": g.kappa.map(JSONValue.number) ?? .null, "excluded": .bool(g.excluded),
                    "reason": g.reason.map(JSONValue.string) ?? .null,
                    "measurements": .array(g.measurements.map(measurement)),
                ]
            }
            byCondition[c.condition.description] = [
                "status": .string(c.status.rawValue), "raters": .array(c.raters.map(JSONValue.string)),
                "criteria": .object(criteria),
            ]
        }
        return [
            "enabled": true, "kappa_threshold": .number(gate.threshold),
            "raters_option": .array(gate.raters.map(JSONValue.string)), "raters": .array(raters.map(JSONValue.string)),
            "kappa": "mean over (judge run, rater) measurements with a defined κ",
            "note": .string(summary), "conditions": .object(byCondition),
            "excluded": .object(
                Dictionary(
                    uniqueKeysWithValues: excluded.map {
                        ($0.key.description, JSONValue.array($0.value.keys.sorted().map(JSONValue.string)))
                    })),
        ]
    }

    static func format(_ x: Double) -> String {
        let r = (x * 1000).rounded() / 1000
        return "\(r == 0 ? 0 : r)"
    }
}
