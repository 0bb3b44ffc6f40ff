import RoundsCore

/// An error from `RoundsDiffusion`: a bad scheduler configuration, a bad sampling argument, a shape mismatch.
///
/// Messages name the input (file and key, or the argument) with the expected and the actual value, e.g.
/// `model/scheduler/scheduler_config.json: beta_schedule: unknown value 'cosine' (expected one of linear,
/// scaled_linear, squaredcos_cap_v2)`.
public struct DiffusionError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case invalidConfig, unsupported, invalidArgument, shapeMismatch, io
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// A configuration value is missing, of the wrong type, out of range or inconsistent with another.
        public static let invalidConfig = Code(.invalidConfig)
        /// A diffusers feature Rounds does not implement (e.g. `thresholding`, `variance_type: learned`).
        public static let unsupported = Code(.unsupported)
        /// A call argument is out of range (steps, strength, eta, a timestep not in the schedule).
        public static let invalidArgument = Code(.invalidArgument)
        /// Arrays whose element counts do not agree with each other or with the stated shape.
        public static let shapeMismatch = Code(.shapeMismatch)
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
