import Foundation
import RoundsCore

/// A pipeline component's `config.json` read through `ConfigJSONReader`, then checked for keys Rounds
/// did not read: a key Rounds does not implement is accepted while it holds the library's default (the
/// behaviour is then the one implemented) and is an error naming the file and key otherwise; a key
/// unknown to Rounds is an error too, so a setting never changes the model silently.
struct ComponentConfig {
    var reader: ConfigJSONReader
    let path: String

    /// Reads `path` (a JSON object).
    init(path: String) throws(DiffusionError) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw DiffusionError(.io, "\(path): cannot read", cause: error)
        }
        let root: JSONValue
        do { root = try JSONValue(parsing: data) } catch {
            throw DiffusionError(.invalidConfig, "\(path): not valid JSON", cause: error)
        }
        guard let object = root.objectValue else { throw DiffusionError(.invalidConfig, "\(path): expected a JSON object") }
        reader = ConfigJSONReader(object: object, source: path, nullIsAbsent: true)
        self.path = path
    }

    /// A required integer in `range`.
    mutating func int(_ key: String, default value: Int? = nil, in range: ClosedRange<Int> = 1...1 << 20) throws(DiffusionError) -> Int {
        guard let v = try reader.int(key) ?? value else { throw DiffusionError(.invalidConfig, "\(path): \(key): missing") }
        guard range.contains(v) else {
            throw DiffusionError(.invalidConfig, "\(path): \(key): \(v) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }

    /// An integer or a list of `count` integers (diffusers' per-block settings), as a list.
    mutating func perBlock(_ key: String, count: Int, default value: Int) throws(DiffusionError) -> [Int] {
        if let list = try? reader.ints(key) {
            guard list.count == count else {
                throw DiffusionError(.invalidConfig, "\(path): \(key): \(list.count) values for \(count) blocks")
            }
            guard list.allSatisfy({ $0 >= 1 }) else { throw DiffusionError(.invalidConfig, "\(path): \(key): values must be positive, got \(list)") }
            return list
        }
        return [Int](repeating: try int(key, default: value), count: count)
    }

    mutating func float(_ key: String, default value: Double) throws(DiffusionError) -> Float {
        let v = try reader.double(key) ?? value
        guard v.isFinite else { throw DiffusionError(.invalidConfig, "\(path): \(key): \(v) is not finite") }
        return Float(v)
    }

    /// A string key that must be one of `allowed` (absent: `value`).
    mutating func choice(_ key: String, _ allowed: [String], default value: String) throws(DiffusionError) -> String {
        let v = try reader.string(key) ?? value
        guard allowed.contains(v) else {
            throw DiffusionError(.unsupported, "\(path): \(key): Rounds implements \(allowed.map { "'\($0)'" }.joined(separator: ", ")), got '\(v)'")
        }
        return v
    }

    /// Rejects every key not read so far that is neither in `ignored` (bookkeeping such as versions and
    /// dtypes, or settings with no effect on inference) nor at its entry in `defaults`.
    func checkRemaining(defaults: [String: JSONValue], ignored: Set<String>) throws(DiffusionError) {
        for key in reader.object.keys.sorted() where !reader.used.contains(key) && !ignored.contains(key) && !key.hasPrefix("_") {
            let value = reader.object[key]!
            guard let expected = defaults[key] else {
                throw DiffusionError(.unsupported, "\(path): \(key): unknown setting (value \(value.canonicalString)); Rounds does not implement it")
            }
            if Self.same(value, expected) { continue }
            throw DiffusionError(.unsupported, "\(path): \(key): Rounds implements only \(expected.canonicalString) (the library's default), got \(value.canonicalString)")
        }
    }

    private static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = a.doubleValue, let y = b.doubleValue { return x == y }
        return a == b
    }
}
