import RoundsCore

/// One thing wrong in a checklist, domain or template file, with where it is.
///
/// Printed as `file:line:col: field.path: message`, the form editors and CI annotators parse (CLI.md).
public struct ChecklistProblem: Sendable, Hashable, CustomStringConvertible, Comparable {
    /// Where in the input file; line and column are nil for problems with the whole file.
    public var location: InputLocation
    /// The field path, e.g. `criteria[2].dimension`; empty for the whole document.
    public var field: String
    public var message: String

    public init(_ location: InputLocation, field: String = "", _ message: String) {
        self.location = location
        self.field = field
        self.message = message
    }

    /// A problem with the whole file is placed at its start (`file:1:1:`), so every line parses alike.
    public var description: String {
        var place = location
        if place.line == nil { place.line = 1; place.column = 1 } else if place.column == nil { place.column = 1 }
        return field.isEmpty ? "\(place): \(message)" : "\(place): \(field): \(message)"
    }

    /// File, then line, then column, so a lint prints problems in reading order.
    public static func < (a: ChecklistProblem, b: ChecklistProblem) -> Bool {
        (a.location.path, a.location.line ?? 0, a.location.column ?? 0, a.field, a.message)
            < (b.location.path, b.location.line ?? 0, b.location.column ?? 0, b.field, b.message)
    }
}
