import RoundsCore

/// An error from `RoundsAlignment`: a bad feature file, mismatched inputs, invalid weights or scores.
///
/// Messages name the input (file path, field, row) and the expected and actual values.
public struct AlignmentError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case unreadableFile, invalidFeatureFile, invalidFeatures, mismatchedDimensions, tooFewSamples
            case invalidWeights, invalidScore, invalidArgument
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// The file could not be read at all.
        public static let unreadableFile = Code(.unreadableFile)
        /// A `.npy` or safetensors file is malformed or holds the wrong dtype, rank or tensor.
        public static let invalidFeatureFile = Code(.invalidFeatureFile)
        /// Feature values are unusable (NaN, infinite).
        public static let invalidFeatures = Code(.invalidFeatures)
        /// Two feature sets have different widths.
        public static let mismatchedDimensions = Code(.mismatchedDimensions)
        /// A set has too few rows for the requested k.
        public static let tooFewSamples = Code(.tooFewSamples)
        /// CAS weights are negative, non-finite or all zero.
        public static let invalidWeights = Code(.invalidWeights)
        /// A score or probability is outside its range.
        public static let invalidScore = Code(.invalidScore)
        /// Any other bad argument (k ≤ 0, percentile outside [0, 100], empty input).
        public static let invalidArgument = Code(.invalidArgument)
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

    /// The message, its cause chain and where each error was thrown, one per line.
    public func detailedDescription() -> String {
        var lines = ["AlignmentError.\(code): \(message) [\(location)]"]
        if let cause { lines.append("  caused by: \(String(describing: cause))") }
        return lines.joined(separator: "\n")
    }
}
