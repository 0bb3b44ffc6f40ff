import RoundsCore

/// An error from the procedural benchmark or the simulator judge.
public struct SimulatorError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable { case invalidParameter, unreadableImage, badRequest, io }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        public static let invalidParameter = Code(.invalidParameter)
        public static let unreadableImage = Code(.unreadableImage)
        public static let badRequest = Code(.badRequest)
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
