/// The keys and limits of the checklist file format (`docs/checklists.md`, `docs/checklist.schema.json`).
///
/// The loader accepts exactly these keys; a test compares them with the published JSON Schemas so the
/// two cannot drift apart.
public enum ChecklistFormat {
    public static let domainKeys = ["id", "name", "modality", "description", "dimensions"]
    public static let domainRequired = ["id", "name", "modality", "description", "dimensions"]
    public static let dimensionKeys = ["id", "name", "description"]
    public static let dimensionRequired = ["id", "name", "description"]
    public static let checklistKeys = [
        "id", "name", "description", "status", "reviewed_by", "reviewed_on", "kind", "criteria", "prompt",
    ]
    /// `description` is also required in condition files (`kind: condition`), not in artefacts files.
    public static let checklistRequired = ["id", "name", "status", "criteria"]
    public static let criterionKeys = ["id", "dimension", "text", "notes", "weight"]
    public static let criterionRequired = ["id", "dimension", "text"]

    public static let maximumCriteria = 20
    public static let maximumTextLength = 400
    public static let maximumNotesLength = 600
    public static let maximumNameLength = 120
    public static let maximumDescriptionLength = 1000
    /// `prompt`: the text a text-conditioned model is prompted with (CLIP reads at most 75 tokens).
    public static let maximumPromptLength = 400
    /// The placeholders a `prompt` may hold.
    public static let promptPlaceholders = ["{condition}"]
    /// The dimension every artefacts file may use.
    public static let artefactDimension = "artefact"
    /// The file stem (and id) of a domain's artefacts checklist.
    public static let artefactsID = "artefacts"

    /// Whether `text` is a lowercase kebab-case slug: `[a-z0-9]+(-[a-z0-9]+)*`.
    public static func isSlug(_ text: String) -> Bool {
        guard !text.isEmpty, !text.hasPrefix("-"), !text.hasSuffix("-"), !text.contains("--") else { return false }
        return text.utf8.allSatisfy { c in
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
                || c == UInt8(ascii: "-")
        }
    }

    /// Whether `text` is a real calendar date written `YYYY-MM-DD`.
    public static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            year >= 1900, (1...12).contains(month), day >= 1
        else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= days[month - 1]
    }
}
