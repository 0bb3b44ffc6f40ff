import RoundsCore

/// An error from the tensor engine: a bad file, a missing weight, a shape that does not fit.
public struct TensorError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case io, invalidFile, unsupportedDType, missingTensor, shapeMismatch, keyMismatch, invalidState
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// The file could not be read or written.
        public static let io = Code(.io)
        /// A safetensors file is truncated, has a corrupt header or inconsistent offsets.
        public static let invalidFile = Code(.invalidFile)
        /// A tensor's dtype cannot be converted to float32.
        public static let unsupportedDType = Code(.unsupportedDType)
        /// A tensor the caller asked for is not in the file.
        public static let missingTensor = Code(.missingTensor)
        /// A tensor's shape differs from the one expected.
        public static let shapeMismatch = Code(.shapeMismatch)
        /// Model and file keys differ (missing and unexpected keys listed together).
        public static let keyMismatch = Code(.keyMismatch)
        /// A training-state file does not fit the model or optimizer it is loaded into.
        public static let invalidState = Code(.invalidState)
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
        if let cause { return "\(message): \(readableCause(cause))" }
        return message
    }
}
