/// A benchmark that cannot run (its stand-in server or peer failed to start).
package struct BenchError: Error, Sendable, CustomStringConvertible {
    package var message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}
