import Foundation
import RoundsCore
import RoundsStore

extension CASJob.Result {
    /// The whole result as one JSON document: every image with each dimension (null plus a reason when
    /// unavailable), the provenance, per-condition summaries and the tails.
    public var json: JSONValue {
        func number(_ x: Double?) -> JSONValue { x.map(JSONValue.number) ?? .null }
        let images: [JSONValue] = self.images.map { item in
            var dims = [String: JSONValue]()
            var gaps = [String: JSONValue]()
            for d in CASDimension.allCases {
                dims[d.rawValue] = number(item.dimensions[d])
                if let why = item.unavailable[d] { gaps[d.rawValue] = .string(why) }
            }
            var o: [String: JSONValue] = [
                "image_id": .string(item.image.id), "path": .string(item.image.path),
                "condition": .string(item.condition.description), "group": .string(item.group),
                "reference": .bool(item.isReference), "cas": number(item.score?.score),
                "dimensions": .object(dims), "unavailable": .object(gaps),
                "judge_run": number(item.judgeRun.map(Double.init)), "artefacts_run": number(item.artefactsRun.map(Double.init)),
            ]
            if let w = item.score?.provenance.weights {
                o["weights"] = .object(Dictionary(uniqueKeysWithValues: CASDimension.allCases.map { ($0.rawValue, .number(w[$0])) }))
            }
            if let why = item.unscoredReason { o["unscored"] = .string(why) }
            return .object(o)
        }
        let tails: [JSONValue] = self.tails.map { t in
            .object([
                "group": .string(t.group),
                "pooled": .object(["share": .number(t.pooledShare), "ci95": .array([.number(t.pooledLower), .number(t.pooledUpper)])]),
                "conditions": .object(
                    t.conditions.mapValues { e in
                        .object([
                            "threshold": .number(e.threshold), "share": .number(e.share),
                            "ci95": .array([.number(e.lower), .number(e.upper)]),
                            "real": .number(Double(e.realCount)), "generated": .number(Double(e.generatedCount)),
                        ])
                    }),
            ])
        }
        return .object([
            "cas_version": .string(ClinicalAlignmentScore.version),
            "features": .string(features),
            "k": .number(Double(options.k)),
            "weights": .object(
                Dictionary(uniqueKeysWithValues: CASDimension.allCases.map { ($0.rawValue, .number(options.weights[$0])) })),
            "allow_missing": .bool(options.allowMissing),
            "reference": .object(["set": .string(referenceLabel), "sha256": .string(referenceHash)]),
            "judge_runs": .array(judgeRuns.map { .number(Double($0)) }),
            "checklist_versions": .object(checklistVersions.mapValues(JSONValue.string)),
            "artefacts_versions": .object(artefactsVersions.mapValues(JSONValue.string)),
            "tail_percentile": .number(options.percentile),
            "images": .array(images),
            "tails": .array(tails),
            "conditions_without_threshold": .array(conditionsWithoutThreshold.map(JSONValue.string)),
            "memorisation": memorisation?.json ?? .null,
        ])
    }

    /// A per-condition and group table: count, mean of each dimension and of CAS, then the tails.
    public var table: String {
        func f(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "n/a" }
        func mean(_ xs: [Double]) -> Double? { xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count) }
        var out = "CAS \(ClinicalAlignmentScore.version), reference \(referenceLabel) (sha256 \(referenceHash.prefix(12))), "
            + "features \(features), judge runs \(judgeRuns.map(String.init).joined(separator: ",").nilIfEmpty ?? "none")\n"
        let header = ["condition", "group", "n", "fidelity", "label", "plaus.", "proximity", "CAS"]
        out += header.map { $0.padding(toLength: $0 == "condition" ? 28 : ($0 == "group" ? 16 : 10), withPad: " ", startingAt: 0) }
            .joined() + "\n"
        let keys = Set(images.map { "\($0.condition)\t\($0.group)" }).sorted()
        for key in keys {
            let parts = key.split(separator: "\t").map(String.init)
            let rows = images.filter { "\($0.condition)" == parts[0] && $0.group == parts[1] }
            var cells = [parts[0].padding(toLength: 28, withPad: " ", startingAt: 0), parts[1].padding(toLength: 16, withPad: " ", startingAt: 0),
                         "\(rows.count)".padding(toLength: 10, withPad: " ", startingAt: 0)]
            for d in CASDimension.allCases {
                cells.append(f(mean(rows.compactMap { $0.dimensions[d] })).padding(toLength: 10, withPad: " ", startingAt: 0))
            }
            cells.append(f(mean(rows.compactMap { $0.score?.score })))
            out += cells.joined() + "\n"
        }
        let gaps = Dictionary(grouping: images.flatMap { i in i.unavailable.map { ($0.key, $0.value) } }, by: \.0)
        for d in CASDimension.allCases {
            guard let g = gaps[d] else { continue }
            out += "unavailable: \(d.rawValue) for \(g.count) image(s): \(Set(g.map(\.1)).sorted().joined(separator: "; "))\n"
        }
        for t in tails {
            for (c, e) in t.conditions.sorted(by: { $0.key < $1.key }) {
                out += "tail \(t.group) \(c): \(f(e.share)) [\(f(e.lower)), \(f(e.upper))] below threshold \(f(e.threshold)) "
                    + "(P\(String(format: "%g", options.percentile)) of \(e.realCount) real; \(e.generatedCount) generated)\n"
            }
        }
        for c in conditionsWithoutThreshold { out += "no tail for \(c): no real CAS for a threshold\n" }
        if let memorisation { out += memorisation.line + "\n" }
        return out
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}
