import RoundsCore

/// An error from the broker: bad scores, pairs, rewards, agreement inputs or export files.
///
/// Messages name the image, criterion, pair or file and say what was expected and what was found.
public struct BrokerError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case emptyInput, invalidInput, invalidParameter, conditionMismatch, nonFiniteValue
            case unknownCriterion, invalidFile, unsupportedFeature, io
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// Nothing to work on: no images, no verdicts, no pairs, no labels.
        public static let emptyInput = Code(.emptyInput)
        /// An input that contradicts itself (duplicate ids, mixed sources without asking for it, ...).
        public static let invalidInput = Code(.invalidInput)
        /// A parameter out of its documented range.
        public static let invalidParameter = Code(.invalidParameter)
        /// A pair whose two images target different conditions.
        public static let conditionMismatch = Code(.conditionMismatch)
        /// A NaN or infinite reward or score.
        public static let nonFiniteValue = Code(.nonFiniteValue)
        /// A verdict for a criterion the checklist does not have.
        public static let unknownCriterion = Code(.unknownCriterion)
        /// A file that is not what it claims to be (for example a damaged Parquet file).
        public static let invalidFile = Code(.invalidFile)
        /// A valid file using a feature this reader does not implement.
        public static let unsupportedFeature = Code(.unsupportedFeature)
        /// Reading or writing a file failed.
        public static let io = Code(.io)
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
