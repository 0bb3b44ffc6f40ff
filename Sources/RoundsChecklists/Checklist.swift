import Foundation
import RoundsCore

/// Whether a clinician has signed a checklist off.
public enum ChecklistStatus: String, Sendable, Hashable, CaseIterable, Codable {
    case draft, reviewed
}

/// A condition's checklist, or the domain's artefacts checklist (the plausibility dimension of CAS).
public enum ChecklistKind: String, Sendable, Hashable, CaseIterable, Codable {
    case condition, artefacts
}

/// One visual fact an image of the condition must show, checkable from the image alone.
public struct Criterion: Sendable, Hashable {
    public var id: String
    /// One of the domain's dimension ids (or `artefact` in an artefacts checklist).
    public var dimension: String
    public var text: String
    public var notes: String?
    /// Greater than 0; 1 when the file leaves it out.
    public var weight: Double
    /// Where the criterion's entry starts.
    public var location: InputLocation
    /// Where each field's value starts, by key.
    public var fieldLocations: [String: InputLocation]

    public init(
        id: String, dimension: String, text: String, notes: String? = nil, weight: Double = 1,
        location: InputLocation, fieldLocations: [String: InputLocation] = [:]
    ) {
        self.id = id
        self.dimension = dimension
        self.text = text
        self.notes = notes
        self.weight = weight
        self.location = location
        self.fieldLocations = fieldLocations
    }
}

/// A checklist file (`Checklists/<domain>/<condition>.yaml`), validated against its domain.
public struct Checklist: Sendable, Hashable {
    /// The file's `id`, equal to its file name stem (`artefacts` for an artefacts checklist).
    public var id: String
    /// `domain/id`.
    public var condition: ConditionID
    public var name: String
    public var description: String?
    public var status: ChecklistStatus
    public var reviewedBy: String?
    /// `YYYY-MM-DD`.
    public var reviewedOn: String?
    public var kind: ChecklistKind
    public var criteria: [Criterion]
    /// The text prompt of a text-conditioned model for this condition (`{condition}` stands for `name`);
    /// not part of `canonicalJSON`, so adding or editing it keeps the version (and judged images current).
    public var prompt: String?
    /// The file the checklist was read from.
    public var location: InputLocation
    /// Where each top-level field's value starts, by key.
    public var fieldLocations: [String: InputLocation]

    public init(
        id: String, condition: ConditionID, name: String, description: String?, status: ChecklistStatus,
        reviewedBy: String? = nil, reviewedOn: String? = nil, kind: ChecklistKind = .condition,
        criteria: [Criterion], location: InputLocation, fieldLocations: [String: InputLocation] = [:],
        prompt: String? = nil
    ) {
        self.id = id
        self.condition = condition
        self.name = name
        self.description = description
        self.status = status
        self.reviewedBy = reviewedBy
        self.reviewedOn = reviewedOn
        self.kind = kind
        self.criteria = criteria
        self.prompt = prompt
        self.location = location
        self.fieldLocations = fieldLocations
    }

    public func criterion(_ id: String) -> Criterion? { criteria.first { $0.id == id } }

    /// The prompt a text-conditioned model is given for this condition: `prompt` with `{condition}`
    /// replaced by the name, else `a photo of <name>`.
    public var generationPrompt: String {
        guard let prompt else { return "a photo of \(name)" }
        return prompt.replacingOccurrences(of: "{condition}", with: name)
    }
}
