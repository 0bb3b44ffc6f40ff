import Foundation
import RoundsCore

/// Typed, dotted-path access to a JSON manifest (`classifier.json`, `reward.json`); every error names
/// the file, the field, and what was expected and found.
public struct ManifestReader: Sendable {
    public let root: JSONValue
    public let path: String

    public init(data: Data, path: String) throws(VisionError) {
        do { root = try JSONValue(parsing: data) } catch {
            throw VisionError(.invalidFile, "\(path): not valid JSON", cause: error)
        }
        self.path = path
        guard root.objectValue != nil else { throw VisionError(.invalidFile, "\(path): expected a JSON object") }
    }

    public func value(_ field: String) -> JSONValue? {
        var v: JSONValue? = root
        for part in field.split(separator: ".") { v = v?[String(part)] }
        return v
    }

    public func bad(_ field: String, expected: String) -> VisionError {
        let found = value(field).map { $0.canonicalString } ?? "nothing"
        return VisionError(.invalidFile, "\(path): \(field): expected \(expected), found \(found)")
    }

    public func isNull(_ field: String) -> Bool {
        switch value(field) { case nil, .null?: return true; default: return false }
    }

    public func string(_ field: String) throws(VisionError) -> String {
        guard let s = value(field)?.stringValue else { throw bad(field, expected: "a string") }
        return s
    }

    public func number(_ field: String) throws(VisionError) -> Double {
        guard let d = value(field)?.doubleValue, d.isFinite else { throw bad(field, expected: "a number") }
        return d
    }

    public func int(_ field: String) throws(VisionError) -> Int {
        guard let d = value(field)?.doubleValue, d == d.rounded(), abs(d) < 1e15 else {
            throw bad(field, expected: "an integer")
        }
        return Int(d)
    }

    public func bool(_ field: String) throws(VisionError) -> Bool {
        guard let b = value(field)?.boolValue else { throw bad(field, expected: "true or false") }
        return b
    }

    /// An unsigned integer written as a decimal string (seeds exceed a double's 53 bits).
    public func uint64(_ field: String) throws(VisionError) -> UInt64 {
        guard let s = value(field)?.stringValue, let v = UInt64(s) else {
            throw bad(field, expected: "an unsigned integer as a decimal string")
        }
        return v
    }

    public func strings(_ field: String) throws(VisionError) -> [String] {
        guard let a = value(field)?.arrayValue else { throw bad(field, expected: "an array of strings") }
        var out: [String] = []
        for (i, v) in a.enumerated() {
            guard let s = v.stringValue else { throw bad("\(field).\(i)", expected: "a string") }
            out.append(s)
        }
        return out
    }

    public func ints(_ field: String) throws(VisionError) -> [Int] {
        guard let a = value(field)?.arrayValue else { throw bad(field, expected: "an array of integers") }
        return try a.indices.map { i throws(VisionError) in
            guard let d = a[i].doubleValue, d == d.rounded(), abs(d) < 1e15 else {
                throw bad("\(field).\(i)", expected: "an integer")
            }
            return Int(d)
        }
    }
}
