/// The prompt templates Rounds renders, one file each under `Prompts/`, and the variables each may use.
public enum PromptKind: String, Sendable, Hashable, CaseIterable {
    /// One image against one checklist: every criterion met / not_met / uncertain with evidence.
    case judgeImage = "judge-image"
    /// Images A and B side by side against one checklist: per criterion which meets it better, and overall.
    case judgePair = "judge-pair"
    /// Which of a domain's conditions an image shows (label consistency for CAS).
    case identifyCondition = "identify-condition"
    /// Asks the model to re-emit its previous answer as valid JSON of the expected shape.
    case repairJSON = "repair-json"

    public var fileName: String { rawValue + ".mustache" }

    /// The variable a template of this kind must use, or the model never sees what it is asked about:
    /// the checklist's criteria, the domain's conditions, the answer to repair.
    public var requiredVariable: String {
        switch self {
        case .judgeImage, .judgePair: return "criteria"
        case .identifyCondition: return "conditions"
        case .repairJSON: return "previous_answer"
        }
    }

    /// The context keys the renderer provides for this kind; a template naming any other fails to load.
    public var variables: [String: PromptVariable] {
        let domain: PromptVariable = .object(["id": .text, "name": .text, "modality": .text, "description": .text])
        let condition: PromptVariable = .object([
            "id": .text, "name": .text, "description": .text, "has_description": .flag,
        ])
        let criterion: [String: PromptVariable] = [
            "number": .text, "id": .text, "dimension": .text, "dimension_name": .text, "text": .text,
            "notes": .text, "has_notes": .flag,
        ]
        switch self {
        case .judgeImage, .judgePair:
            return [
                "domain": domain, "condition": condition, "criteria": .list(criterion),
                "criteria_count": .text, "answer_shape": .text,
            ]
        case .identifyCondition:
            return [
                "domain": domain, "conditions": .list(["id": .text, "name": .text, "description": .text]),
                "conditions_count": .text, "answer_shape": .text,
            ]
        case .repairJSON:
            return ["answer_shape": .text, "previous_answer": .text, "problem": .text]
        }
    }
}

/// What a template variable holds, for checking templates when they load.
public indirect enum PromptVariable: Sendable, Hashable {
    /// Text, interpolated with `{{name}}`.
    case text
    /// A boolean, for `{{#name}}…{{/name}}` and `{{^name}}…{{/name}}`.
    case flag
    /// Named fields, reached as `{{name.field}}` or inside `{{#name}}`.
    case object([String: PromptVariable])
    /// A list of items with these fields, iterated by `{{#name}}…{{/name}}`.
    case list([String: PromptVariable])
}
