import Foundation
import RoundsChecklists
import RoundsCore
import RoundsStore

/// Settings of a `rounds cas` computation.
public struct CASJobOptions: Sendable {
    public var weights: CASWeights
    /// Renormalise the weights over the dimensions each image has; without it a missing dimension
    /// with a positive weight is an error.
    public var allowMissing: Bool
    /// k of the proximity balls.
    public var k: Int
    /// The tail's percentile of real CAS (10 = CRAFT's 10th percentile).
    public var percentile: Double
    public var replicates: Int
    /// Only this judge run's verdicts for the scored (non-reference) images.
    public var run: Int64?
    /// The condition classifier for label consistency and proximity features; nil falls back to
    /// `PixelFeatures` for proximity and leaves label consistency unavailable.
    public var classifier: URL?

    public init(
        weights: CASWeights = .equal, allowMissing: Bool = false, k: Int = 5, percentile: Double = 10,
        replicates: Int = 2000, run: Int64? = nil, classifier: URL? = nil
    ) {
        self.classifier = classifier
        self.weights = weights
        self.allowMissing = allowMissing
        self.k = k
        self.percentile = percentile
        self.replicates = replicates
        self.run = run
    }
}

/// One image's CAS with every dimension, measured or not (and why not).
public struct ImageCAS: Sendable {
    public var image: ImageRecord
    public var condition: ConditionID
    /// True for the real reference images (they set the tail threshold).
    public var isReference: Bool
    /// `real`, the generator's name, `checkpoint N`, or the origin.
    public var group: String
    public var dimensions: CASDimensions
    /// Why each unmeasured dimension is missing.
    public var unavailable: [CASDimension: String]
    /// nil when no dimension with a positive weight was measured (see `unscoredReason`).
    public var score: ClinicalAlignmentScore?
    public var unscoredReason: String?
    /// The judge run behind fidelity, and the artefacts run behind plausibility.
    public var judgeRun: Int64?
    public var artefactsRun: Int64?
}

/// `rounds cas`: CAS of stored images against a real reference set (docs/cas.md), stored in
/// `alignmentScore`, with the low-alignment tail per condition and generator.
public struct CASJob: Sendable {
    public var targets: [ImageRecord]
    public var reference: [ImageRecord]
    /// How the reference set was chosen (`split:test`, `dir:/path`), recorded with the scores.
    public var referenceLabel: String
    public var options: CASJobOptions

    public init(targets: [ImageRecord], reference: [ImageRecord], referenceLabel: String, options: CASJobOptions) {
        self.targets = targets
        self.reference = reference
        self.referenceLabel = referenceLabel
        self.options = options
    }

    /// SHA-256 of the sorted reference image ids, one per line: the reference set's version.
    public var referenceHash: String { SHA256.hex(reference.map(\.id).sorted().joined(separator: "\n")) }

    public struct Result: Sendable {
        public var images: [ImageCAS]
        public var referenceLabel: String
        public var referenceHash: String
        public var options: CASJobOptions
        /// Checklist version per condition and artefacts checklist version per domain.
        public var checklistVersions: [String: String]
        public var artefactsVersions: [String: String]
        public var tails: [GroupTail]
        /// Conditions with generated images but no real CAS, so no tail.
        public var conditionsWithoutThreshold: [String]
        /// Generated images against the stored training images (nil when not asked for).
        public var memorisation: MemorisationSummary? = nil
        /// What proximity features (and label consistency) came from: `classifier:<SHA-256>` or `PixelFeatures.version`.
        public var features: String
        public var judgeRuns: [Int64] { Array(Set(images.compactMap(\.judgeRun))).sorted() }
    }

    /// Computes every dimension, combines, and (unless `store` is false) appends the scores.
    ///
    /// - Throws: `AlignmentError` for a non-real reference image, an empty set, or (without
    ///   `allowMissing`) a positively weighted dimension that some image lacks, naming the dimension,
    ///   how many images lack it and why.
    public func run(store: Store, catalog: ChecklistCatalog, save: Bool = true) throws -> Result {
        guard !reference.isEmpty else {
            throw AlignmentError(.invalidArgument, "the reference set \(referenceLabel) holds no stored images")
        }
        if let fake = reference.first(where: { $0.origin != .real }) {
            throw AlignmentError(
                .invalidArgument, "reference image \(fake.id) (\(fake.path)) has origin \(fake.origin.rawValue); the reference must be real images")
        }
        let referenceIDs = Set(reference.map(\.id))
        let scored = targets.filter { !referenceIDs.contains($0.id) }
        guard !scored.isEmpty else { throw AlignmentError(.invalidArgument, "no images to score outside the reference set") }
        if let bare = (scored + reference).first(where: { $0.condition == nil }) {
            throw AlignmentError(.invalidArgument, "image \(bare.id) (\(bare.path)) has no condition; CAS is per condition")
        }

        let fidelity = try CASInputs.fidelity(store: store, catalog: catalog, scored: scored, reference: reference, run: options.run)
        let plausibility = try CASInputs.plausibility(store: store, catalog: catalog, images: scored + reference)
        let embedding = try CASFeatures(classifierDirectory: options.classifier, images: scored + reference)
        let proximity = try CASInputs.proximity(scored: scored, reference: reference, k: options.k, features: embedding)

        var results = [ImageCAS]()
        var missing: [CASDimension: (count: Int, reasons: Set<String>)] = [:]
        for (image, isReference) in scored.map({ ($0, false) }) + reference.map({ ($0, true) }) {
            var item = ImageCAS(
                image: image, condition: image.condition!, isReference: isReference,
                group: isReference ? "real" : Self.group(of: image), dimensions: CASDimensions(), unavailable: [:])
            func take(_ d: CASDimension, _ value: Swift.Result<Double, CASInputs.Missing>) {
                switch value {
                case .success(let s): item.dimensions.values[d] = s
                case .failure(let m): item.unavailable[d] = m.reason
                }
            }
            let f = fidelity[image.id] ?? .failure(.init("not judged"))
            take(.checklistFidelity, f.map { $0.share })
            item.judgeRun = try? f.get().run
            take(.labelConsistency, embedding.labelConsistency(image))
            let p = plausibility[image.id] ?? .failure(.init("no artefacts verdicts"))
            take(.plausibility, p.map { $0.share })
            item.artefactsRun = try? p.get().run
            take(.proximity, proximity[image.id] ?? .failure(.init("no proximity")))
            for (d, reason) in item.unavailable where options.weights[d] > 0 {
                missing[d, default: (0, [])].count += 1
                missing[d, default: (0, [])].reasons.insert(reason)
            }
            results.append(item)
        }
        if !missing.isEmpty, !options.allowMissing {
            let parts = CASDimension.allCases.compactMap { d in
                missing[d].map { "\(d.rawValue) for \($0.count) image(s) (\($0.reasons.sorted().joined(separator: "; ")))" }
            }
            throw AlignmentError(
                .invalidScore,
                "unavailable: " + parts.joined(separator: ", ")
                    + ". Pass --allow-missing to renormalise the weights over the available dimensions, or give those dimensions weight 0")
        }
        for i in results.indices { try combine(&results[i], features: embedding.version) }
        var result = Result(
            images: results, referenceLabel: referenceLabel, referenceHash: referenceHash, options: options,
            checklistVersions: [:], artefactsVersions: [:], tails: [], conditionsWithoutThreshold: [],
            features: embedding.version)
        for c in Set(results.map(\.condition)) { result.checklistVersions[c.description] = catalog.checklists[c]?.version }
        for d in Set(results.map(\.condition.domain)) { result.artefactsVersions[d] = catalog.artefacts[d]?.version }
        try tails(&result)
        let generated = results.filter { !$0.isReference && $0.image.origin == .synthetic }.map(\.image)
        result.memorisation = try MemorisationSummary.measure(generated: generated, store: store, group: Self.group(of:))
        if save { try store.addAlignmentScores(records(result)) }
        return result
    }

    /// The weighted mean over the measured dimensions (the weights restricted to them).
    private func combine(_ item: inout ImageCAS, features: String) throws {
        var weights = [CASDimension: Double]()
        for d in CASDimension.allCases where item.dimensions[d] != nil { weights[d] = options.weights[d] }
        guard weights.values.contains(where: { $0 > 0 }) else {
            item.unscoredReason = "no dimension with a positive weight was measured"
            return
        }
        let provenance = CASProvenance(
            judgeRun: item.judgeRun.map { "run \($0)" }, classifier: features,
            referenceSet: "\(referenceLabel) sha256:\(referenceHash)", weights: try CASWeights(weights), proximityK: options.k)
        item.score = try ClinicalAlignmentScore(item.dimensions, provenance: provenance, image: item.image.id)
    }

    /// Generated images are grouped by generator name, else checkpoint, else origin.
    package static func group(of image: ImageRecord) -> String {
        if let g = image.generator, !g.isEmpty { return g }
        if let c = image.checkpointID { return "checkpoint \(c)" }
        return image.origin.rawValue
    }

    private func tails(_ result: inout Result) throws {
        let inputs = result.images.compactMap { item in
            item.score.map {
                TailInput(condition: item.condition.description, group: item.group, score: $0.score,
                          isReference: item.isReference, isReal: item.image.origin == .real)
            }
        }
        let tail = try LowAlignmentTail(percentile: options.percentile, replicates: options.replicates)
        (result.tails, result.conditionsWithoutThreshold) = try tail.againstReference(inputs)
    }

    /// What `records` appends to a reference image's `computedBy`, so a report reads the reference set
    /// back from the store exactly as this run used it.
    public static let referenceRoleMarker = " role=reference"

    /// One row per measured dimension plus the combined `cas`, each naming what made it.
    func records(_ result: Result) -> [AlignmentScoreRecord] {
        let reference = "\(referenceLabel) sha256:\(referenceHash)"
        var out = [AlignmentScoreRecord]()
        for item in result.images {
            var by = "\(ClinicalAlignmentScore.version) features=\(result.features) k=\(options.k)"
            if item.isReference { by += Self.referenceRoleMarker }
            if let r = item.judgeRun { by += " judge-run=\(r)" }
            if let v = result.checklistVersions[item.condition.description] { by += " checklist=\(v)" }
            if let r = item.artefactsRun, let v = result.artefactsVersions[item.condition.domain] {
                by += " artefacts-run=\(r) artefacts=\(v)"
            }
            for d in CASDimension.allCases {
                guard let s = item.dimensions[d] else { continue }
                out.append(AlignmentScoreRecord(imageID: item.image.id, dimension: d.rawValue, score: s, computedBy: by, reference: reference))
            }
            guard let cas = item.score else { continue }
            let w = CASDimension.allCases.map { String(format: "%g", cas.provenance.weights[$0]) }.joined(separator: ",")
            let gaps = CASDimension.allCases.filter { item.dimensions[$0] == nil }.map(\.rawValue)
            out.append(
                AlignmentScoreRecord(
                    imageID: item.image.id, dimension: "cas", score: cas.score,
                    computedBy: by + " weights=\(w)" + (gaps.isEmpty ? "" : " unavailable=\(gaps.joined(separator: ","))"),
                    reference: reference))
        }
        return out
    }
}
