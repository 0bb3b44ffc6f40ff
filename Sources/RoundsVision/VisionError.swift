import RoundsCore

/// An error from the condition classifier: a bad image folder, a bad training input, or a classifier
/// directory whose files do not fit each other.
///
/// Messages name the file, folder or field and say what was expected and what was found.
public struct VisionError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case io, invalidInput, invalidParameter, invalidFile, weightsMismatch
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// A file or folder could not be read or written.
        public static let io = Code(.io)
        /// Images, labels or conditions that do not fit together (wrong length, label out of range, ...).
        public static let invalidInput = Code(.invalidInput)
        /// A training option out of its documented range.
        public static let invalidParameter = Code(.invalidParameter)
        /// A `classifier.json` that is not valid or not a Rounds classifier.
        public static let invalidFile = Code(.invalidFile)
        /// A weights file that does not match its manifest (shape, keys or SHA-256).
        public static let weightsMismatch = Code(.weightsMismatch)
        public var description: String { value.rawValue }
    }

    public var code: Code
    public var message: String
    public var cause: (any Error)?
    public var location: SourceLocation

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil, location: SourceLocation = .here()) {
        self.code = code
        self.message = message
        self.cause = cause
        self.location = location
    }

    public var description: String {
        guard let cause else { return message }
        return "\(message): \(readableCause(cause))"
    }
}
