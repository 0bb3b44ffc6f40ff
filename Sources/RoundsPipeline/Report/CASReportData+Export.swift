import Foundation
import RoundsAlignment
import RoundsBroker
import RoundsCore
import RoundsStore

extension CASReportData {
    /// The report's numbers as one JSON document (`report.json`).
    public var json: JSONValue {
        func n(_ x: Double?) -> JSONValue { x.map(JSONValue.number) ?? .null }
        let images: [JSONValue] = rows.map { r in
            .object([
                "image_id": .string(r.image.id), "condition": .string(r.image.condition!.description), "group": .string(r.group),
                "origin": .string(r.image.origin.rawValue), "skin_tone": r.image.skinTone.map(JSONValue.string) ?? .null,
                "cas": .number(r.cas), "computed_by": .string(r.computedBy),
                "dimensions": .object(Dictionary(uniqueKeysWithValues: CASDimension.allCases.map { ($0.rawValue, n(r.dimensions[$0])) })),
            ])
        }
        let tails: [JSONValue] = self.tails.map { t in
            .object([
                "group": .string(t.group), "pooled_share": .number(t.pooledShare),
                "pooled_ci95": .array([.number(t.pooledLower), .number(t.pooledUpper)]),
                "conditions": .object(t.conditions.mapValues { e in
                    .object(["threshold": .number(e.threshold), "share": .number(e.share),
                             "ci95": .array([.number(e.lower), .number(e.upper)]),
                             "real": .number(Double(e.realCount)), "generated": .number(Double(e.generatedCount))])
                }),
            ])
        }
        return .object([
            "cas_version": .string(ClinicalAlignmentScore.version), "reference": .string(reference),
            "judge": .string(judgeLabel), "tail_percentile": .number(percentile),
            "images": .array(images), "tails": .array(tails),
            "conditions_without_threshold": .array(conditionsWithoutThreshold.map(JSONValue.string)),
            "criteria": .array(criteria.map { c in
                .object(["condition": .string(c.condition), "criterion": .string(c.criterion), "group": .string(c.group),
                         "met": .number(Double(c.met)), "judged": .number(Double(c.total)), "share": .number(c.share)])
            }),
            "skin_tone_bands": .array(bands.map { b in
                .object(["band": .string(b.band), "group": .string(b.group), "images": .number(Double(b.count)),
                         "mean_share_met": .number(b.meanShare)])
            }),
            "agreement": .array(agreement.map { a in
                .object(["rater": .string(a.rater), "kappa": n(a.kappa),
                         "ci95": a.interval.map { .array([.number($0.lowerBound), .number($0.upperBound)]) } ?? .null,
                         "items": .number(Double(a.items)), "note": a.note.map(JSONValue.string) ?? .null])
            }),
            "best": .array(best.map { .string($0.row.image.id) }), "worst": .array(worst.map { .string($0.row.image.id) }),
            "agreement_per_criterion": criterionAgreement?.provenance ?? .null,
            "memorisation": memorisation?.json ?? .null,
            "training": .array(training.map(\.json)),
        ])
    }

    /// The same numbers in long form (`report.csv`): `section,condition,group,key,metric,value`;
    /// an unavailable dimension has an empty value.
    public var csv: String {
        func cell(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        func num(_ x: Double?) -> String { x.map { JSONValue.number($0).canonicalString } ?? "" }
        var lines = ["section,condition,group,key,metric,value"]
        func add(_ parts: [String]) { lines.append(parts.map(cell).joined(separator: ",")) }
        for r in rows {
            let c = r.image.condition!.description
            add(["image", c, r.group, r.image.id, "cas", num(r.cas)])
            for d in CASDimension.allCases { add(["image", c, r.group, r.image.id, d.rawValue, num(r.dimensions[d])]) }
        }
        for t in tails {
            for (c, e) in t.conditions.sorted(by: { $0.key < $1.key }) {
                for (m, v) in [("threshold", e.threshold), ("share", e.share), ("ci95_lower", e.lower), ("ci95_upper", e.upper)] {
                    add(["tail", c, t.group, "", m, num(v)])
                }
            }
            add(["tail", "", t.group, "pooled", "share", num(t.pooledShare)])
        }
        for c in criteria { add(["criterion", c.condition, c.group, c.criterion, "share_met", num(c.share)]) }
        for b in bands { add(["skin_tone", "", b.group, b.band, "mean_share_met", num(b.meanShare)]) }
        for a in agreement { add(["agreement", "", "", a.rater, "kappa", num(a.kappa)]) }
        for c in criterionAgreement?.conditions ?? [] {
            for g in c.criteria {
                add(["agreement_criterion", c.condition.description, "", g.criterion, "kappa", num(g.kappa)])
                for m in g.measurements {
                    add(["agreement_criterion", c.condition.description, m.rater, g.criterion, "kappa", num(m.kappa.value)])
                }
            }
        }
        if let m = memorisation, m.unavailable == nil {
            add(["memorisation", "", "", "", "threshold", num(m.threshold)])
            for g in m.groups {
                add(["memorisation", "", g.group, "", "near_copy_share", num(g.share)])
                add(["memorisation", "", g.group, "", "median_distance", num(g.medianDistance)])
            }
            for e in m.entries { add(["memorisation", "", e.group, e.imageID, "nearest_distance", num(e.distance)]) }
        }
        for r in training {
            for (metric, curve) in [("loss", r.loss), ("implicit_accuracy", r.implicitAccuracy), ("margin", r.margin)] {
                for p in curve {
                    add(["training", "", r.objective, "checkpoint \(r.checkpointID) step \(num(p.step))", metric, num(p.value)])
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
