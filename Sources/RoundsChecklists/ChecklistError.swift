import RoundsCore

/// An error from the checklists engine: a file that cannot be read or is invalid, an unknown condition,
/// a prompt template that cannot be used.
///
/// `problems` holds every problem found in the input when there are several (a lint of a file reports
/// them all at once); `message` summarises them.
public struct ChecklistError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case unreadable, invalidChecklist, unknownCondition, notFound, invalidTemplate, alreadyExists
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// A file or folder could not be read.
        public static let unreadable = Code(.unreadable)
        /// A checklist or domain file has problems (see `problems`).
        public static let invalidChecklist = Code(.invalidChecklist)
        /// A condition name does not resolve in the catalogue.
        public static let unknownCondition = Code(.unknownCondition)
        /// No checklists or prompts folder was found on the search path.
        public static let notFound = Code(.notFound)
        /// A prompt template does not parse or names a variable the renderer does not provide.
        public static let invalidTemplate = Code(.invalidTemplate)
        /// A file that would be written exists already.
        public static let alreadyExists = Code(.alreadyExists)
        public var description: String { value.rawValue }
    }

    public var code: Code
    public var message: String
    public var problems: [ChecklistProblem]
    public var cause: (any Error)?
    public var location: SourceLocation

    public init(
        _ code: Code, _ message: String, problems: [ChecklistProblem] = [], cause: (any Error)? = nil,
        location: SourceLocation = .here()
    ) {
        self.code = code
        self.message = message
        self.problems = problems
        self.cause = cause
        self.location = location
    }

    /// The problems to list for this error: its own, or one at `path` carrying the message (an error
    /// about a whole file, such as one that cannot be read).
    public func problems(orAt path: String) -> [ChecklistProblem] {
        problems.isEmpty ? [ChecklistProblem(InputLocation(path: path), message)] : problems
    }

    /// Every problem as `file:line:col: path: message`, one a line, after the summary.
    public var description: String {
        problems.isEmpty ? message : ([message] + problems.map(\.description)).joined(separator: "\n")
    }
}
