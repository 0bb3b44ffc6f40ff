import Foundation
import GRDB

/// Two images of one condition to be compared side by side (table `pairCandidate`).
public struct PairCandidateRecord: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "pairCandidate"
    public var id: Int64?
    public var imageA: String
    public var imageB: String
    public var condition: String
    /// Both images come from the same source (same seed or same image-to-image parent).
    public var sameSource: Bool
    public var createdAt: Date

    public init(
        id: Int64? = nil, imageA: String, imageB: String, condition: String, sameSource: Bool = false,
        createdAt: Date = Date()
    ) {
        self.id = id
        self.imageA = imageA
        self.imageB = imageB
        self.condition = condition
        self.sameSource = sameSource
        self.createdAt = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// The judge's comparison of a pair in one presentation order, or both orders combined
/// (table `pairComparison`).
public struct PairComparisonRecord: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "pairComparison"
    /// `ab`: A shown first; `ba`: B shown first; `both`: the two orders combined.
    public enum Order: String, Codable, Sendable, CaseIterable { case ab, ba, both }
    /// Which image won. `inconsistent`: the two orders disagreed; `indeterminate`: no usable answer.
    public enum Outcome: String, Codable, Sendable, CaseIterable { case a, b, tie, inconsistent, indeterminate }

    public var id: Int64?
    public var pairID: Int64
    public var runID: Int64
    public var checklistVersionID: String
    public var promptVersionID: String
    public var presentedOrder: Order
    public var outcome: Outcome
    public var judgmentID: Int64?
    public var createdAt: Date
    /// For one order (`ab`, `ba`): the request key (CLI.md), the canonical request (image ids in place of
    /// the pixels), the answer text, the model that answered, HTTP attempts and why it failed. Nil on
    /// `both` rows, whose `error` says why the combined outcome is indeterminate.
    public var requestKey: String?
    public var canonicalRequest: String?
    public var responseText: String?
    public var answeredModel: String?
    public var attempts: Int?
    public var error: String?

    public init(
        id: Int64? = nil, pairID: Int64, runID: Int64, checklistVersionID: String, promptVersionID: String,
        presentedOrder: Order, outcome: Outcome, judgmentID: Int64? = nil, createdAt: Date = Date(),
        requestKey: String? = nil, canonicalRequest: String? = nil, responseText: String? = nil,
        answeredModel: String? = nil, attempts: Int? = nil, error: String? = nil
    ) {
        self.requestKey = requestKey
        self.canonicalRequest = canonicalRequest
        self.responseText = responseText
        self.answeredModel = answeredModel
        self.attempts = attempts
        self.error = error
        self.id = id
        self.pairID = pairID
        self.runID = runID
        self.checklistVersionID = checklistVersionID
        self.promptVersionID = promptVersionID
        self.presentedOrder = presentedOrder
        self.outcome = outcome
        self.judgmentID = judgmentID
        self.createdAt = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A set of training signal the broker made (table `preferenceSet`): RFT weights, DPO pairs, reward data.
public struct PreferenceSetRecord: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "preferenceSet"
    public enum Kind: String, Codable, Sendable, CaseIterable { case rft, dpo, reward }
    public var id: Int64?
    public var kind: Kind
    /// The rule that made it (`magic`, `margin`, `linear`, `threshold`, `softmax`).
    public var rule: String
    /// JSON object.
    public var parameters: String
    public var runID: Int64?
    public var createdAt: Date

    public init(
        id: Int64? = nil, kind: Kind, rule: String, parameters: String = "{}", runID: Int64? = nil,
        createdAt: Date = Date()
    ) {
        self.id = id
        self.kind = kind
        self.rule = rule
        self.parameters = parameters
        self.runID = runID
        self.createdAt = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One member of a preference set (table `preferenceMember`): a weighted image (RFT) or a
/// winner/loser pair (DPO).
public struct PreferenceMemberRecord: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "preferenceMember"
    public var id: Int64?
    public var setID: Int64
    public var imageID: String
    public var loserImageID: String?
    public var weight: Double?

    public init(id: Int64? = nil, setID: Int64, imageID: String, loserImageID: String? = nil, weight: Double? = nil) {
        self.id = id
        self.setID = setID
        self.imageID = imageID
        self.loserImageID = loserImageID
        self.weight = weight
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
