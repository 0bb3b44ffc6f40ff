import Foundation
import GRDB
import RoundsCore

/// Which images of a condition a rater's labelling queue holds.
public struct LabelQueueFilter: Sendable, Hashable {
    public var condition: ConditionID
    /// Only images the judge judged in this run.
    public var run: Int64?
    public var origin: ImageOrigin?
    public var split: DataSplit?
    /// A Fitzpatrick type or ITA° band (`StoreSchema.skinToneBands`).
    public var skinTone: String?

    public init(
        condition: ConditionID, run: Int64? = nil, origin: ImageOrigin? = nil, split: DataSplit? = nil,
        skinTone: String? = nil
    ) {
        self.condition = condition
        self.run = run
        self.origin = origin
        self.split = split
        self.skinTone = skinTone
    }
}

/// One image in a labelling queue and whether the rater has labelled it.
public struct LabelQueueEntry: Sendable, Hashable {
    public var image: ImageRecord
    public var labelled: Bool
}

/// What `Store.addRaterLabel` did.
public struct RaterLabelResult: Sendable, Hashable {
    public var labelID: Int64
    /// True when the rater's latest label of the image already said exactly this (a form sent twice,
    /// or the same answer from a second browser): nothing new was stored.
    public var unchanged: Bool
}

extension Store {
    /// The images of a labelling queue: those the rater has not labelled first, then the labelled ones,
    /// each group in the order the images were added.
    public func labelQueue(_ filter: LabelQueueFilter, rater: String) throws -> [LabelQueueEntry] {
        try read("listing the labelling queue of \(filter.condition)") { db in
            let sql = """
                SELECT image.*, EXISTS (SELECT 1 FROM humanLabel WHERE humanLabel.imageID = image.id
                                                   AND humanLabel.rater = ?) AS labelled
                FROM image
                WHERE image.condition = ?
                  AND (? IS NULL OR image.origin = ?)
                  AND (? IS NULL OR image.split = ?)
                  AND (? IS NULL OR image.skinTone = ?)
                  AND (? IS NULL OR image.id IN (SELECT imageID FROM judgment WHERE runID = ?))
                ORDER BY labelled, image.addedAt, image.rowid
                """
            let origin = filter.origin?.rawValue
            let split = filter.split?.rawValue
            let arguments: StatementArguments = [
                rater, filter.condition.description, origin, origin, split, split, filter.skinTone,
                filter.skinTone, filter.run, filter.run,
            ]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                LabelQueueEntry(image: try ImageRecord(row: row), labelled: row["labelled"])
            }
        }
    }

    /// The rater's latest label of an image, with its criteria, or nil.
    public func latestLabel(rater: String, imageID: String) throws -> StoredLabel? {
        try read("reading the label of \(imageID.prefix(12))") { db in
            guard
                let label = try HumanLabelRecord.filter(Column("rater") == rater && Column("imageID") == imageID)
                    .order(Column("id").desc).fetchOne(db)
            else { return nil }
            return try Self.attachCriteria([label], in: db).first
        }
    }

    /// Every label of an image, by any rater, oldest first.
    public func labels(imageID: String) throws -> [StoredLabel] {
        try read("reading the labels of \(imageID.prefix(12))") { db in
            let labels = try HumanLabelRecord.filter(Column("imageID") == imageID).order(Column("id")).fetchAll(db)
            return try Self.attachCriteria(labels, in: db)
        }
    }

    /// Stores one rater's label of one image in the tables `rounds labels import` fills, in one
    /// transaction.
    ///
    /// When the rater's latest label of the image already says exactly the same, nothing is added (so a
    /// form submitted twice, or the same answer from two browsers, is one label). A different answer is
    /// a new label, and the latest label is the one agreement and the broker read.
    /// - Throws: `StoreError.invalidInput` for an empty rater, an `indeterminate` verdict or a label with
    ///   neither plausibility nor a criterion; `.notFound` for an unknown image.
    public func addRaterLabel(
        rater: String, imageID: String, plausible: Bool?, criteria: [String: Verdict], note: String? = nil,
        source: String = "studio"
    ) throws -> RaterLabelResult {
        let rater = rater.trimmingCharacters(in: .whitespaces)
        guard !rater.isEmpty else { throw StoreError(.invalidInput, "a label needs a rater name") }
        guard plausible != nil || !criteria.isEmpty else {
            throw StoreError(.invalidInput, "a label needs a plausibility answer or at least one criterion")
        }
        if let bad = criteria.first(where: { $0.value == .indeterminate }) {
            throw StoreError(.invalidInput, "criterion \(bad.key): a rater answers met, not_met or uncertain")
        }
        let note = note.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        return try write("storing \(rater)'s label of \(imageID.prefix(12))") { db in
            guard try ImageRecord.exists(db, key: imageID) else {
                throw StoreError(.notFound, "\(path): no image with id \(imageID)")
            }
            if let latest = try HumanLabelRecord.filter(Column("rater") == rater && Column("imageID") == imageID)
                .order(Column("id").desc).fetchOne(db),
                let stored = try Self.attachCriteria([latest], in: db).first,
                stored.criteria == criteria, latest.plausible == plausible, latest.note == note
            {
                return RaterLabelResult(labelID: latest.id!, unchanged: true)
            }
            var label = HumanLabelRecord(rater: rater, imageID: imageID, plausible: plausible, note: note, source: source)
            try label.insert(db)
            for (id, verdict) in criteria.sorted(by: { $0.key < $1.key }) {
                var record = HumanCriterionLabelRecord(labelID: label.id!, criterionID: id, verdict: verdict)
                try record.insert(db)
            }
            return RaterLabelResult(labelID: label.id!, unchanged: false)
        }
    }

    /// Removes a label the rater made in the studio (undo); labels imported from files are never removed
    /// here.
    /// - Returns: false when no such studio label of this rater exists.
    public func removeRaterLabel(id: Int64, rater: String, source: String = "studio") throws -> Bool {
        try write("undoing label \(id)") { db in
            try HumanLabelRecord.filter(
                Column("id") == id && Column("rater") == rater && Column("source") == source
            ).deleteAll(db) > 0
        }
    }

    /// The stored versions of a condition's checklist, oldest first.
    public func checklistVersions(condition: ConditionID) throws -> [ChecklistVersionRecord] {
        try read("listing versions of \(condition)") { db in
            try ChecklistVersionRecord.filter(Column("condition") == condition.description)
                .order(Column("createdAt"), Column("rowid")).fetchAll(db)
        }
    }
}
