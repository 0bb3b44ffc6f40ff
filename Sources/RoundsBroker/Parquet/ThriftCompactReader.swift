// port of the Thrift compact protocol spec (github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md)

/// A decoded Thrift value. Structs keep every field by id, so a reader can pick the fields it knows
/// and ignore the rest (pyarrow writes many optional fields Rounds does not need).
indirect enum ThriftValue: Sendable {
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case binary([UInt8])
    case list([ThriftValue])
    case map([(ThriftValue, ThriftValue)])
    case `struct`([Int16: ThriftValue])

    var bool: Bool? { if case .bool(let v) = self { return v } else { return nil } }
    var int: Int64? { if case .int(let v) = self { return v } else { return nil } }
    var binary: [UInt8]? { if case .binary(let v) = self { return v } else { return nil } }
    var list: [ThriftValue]? { if case .list(let v) = self { return v } else { return nil } }
    var fields: [Int16: ThriftValue]? { if case .struct(let v) = self { return v } else { return nil } }
    var string: String? { binary.map { String(decoding: $0, as: UTF8.self) } }
}

/// Reads Thrift compact protocol bytes into `ThriftValue`s, checking every length against the
/// bytes left so a damaged file gives an error, never a trap.
struct ThriftCompactReader {
    let bytes: [UInt8]
    private(set) var position: Int
    /// What is being read, for error messages (e.g. "footer of pairs.parquet").
    let context: String
    private static let maxDepth = 64

    init(_ bytes: [UInt8], at position: Int = 0, context: String) {
        self.bytes = bytes
        self.position = position
        self.context = context
    }

    /// Reads one struct (fields until the stop byte).
    mutating func readStruct(depth: Int = 0) throws -> [Int16: ThriftValue] {
        guard depth < Self.maxDepth else { throw fail("structs nested deeper than \(Self.maxDepth)") }
        var fields: [Int16: ThriftValue] = [:]
        var lastID: Int16 = 0
        while true {
            let header = try byte()
            if header == 0 { return fields }
            let delta = header >> 4
            let typeCode = header & 0x0F
            let id: Int16
            if delta == 0 {
                let raw = unzigzag(try varint())
                guard let value = Int16(exactly: raw) else { throw fail("field id \(raw) out of range") }
                id = value
            } else {
                id = lastID &+ Int16(delta)
            }
            lastID = id
            switch typeCode {
            case ThriftType.boolTrue.rawValue: fields[id] = .bool(true)
            case ThriftType.boolFalse.rawValue: fields[id] = .bool(false)
            default: fields[id] = try value(ofType: typeCode, depth: depth)
            }
        }
    }

    private mutating func value(ofType typeCode: UInt8, depth: Int) throws -> ThriftValue {
        guard let type = ThriftType(rawValue: typeCode) else {
            throw fail("unknown compact type \(typeCode) at byte \(position - 1)")
        }
        switch type {
        case .boolTrue, .boolFalse: return .bool(try byte() == ThriftType.boolTrue.rawValue)  // list element
        case .byte: return .int(Int64(Int8(bitPattern: try byte())))
        case .i16, .i32, .i64: return .int(unzigzag(try varint()))
        case .double:
            let raw = try take(8)
            var bits: UInt64 = 0
            for (i, b) in raw.enumerated() { bits |= UInt64(b) << (8 * UInt64(i)) }
            return .double(Double(bitPattern: bits))
        case .binary: return .binary(try take(try length()))
        case .list, .set:
            let header = try byte()
            var count = Int(header >> 4)
            if count == 15 { count = try length() }
            guard count <= bytes.count - position else { throw fail("list of \(count) items exceeds the bytes left") }
            var items: [ThriftValue] = []
            items.reserveCapacity(count)
            for _ in 0..<count { items.append(try value(ofType: header & 0x0F, depth: depth + 1)) }
            return .list(items)
        case .map:
            let count = try length()
            guard count > 0 else { return .map([]) }
            guard count <= bytes.count - position else { throw fail("map of \(count) items exceeds the bytes left") }
            let types = try byte()
            var pairs: [(ThriftValue, ThriftValue)] = []
            for _ in 0..<count {
                let k = try value(ofType: types >> 4, depth: depth + 1)
                pairs.append((k, try value(ofType: types & 0x0F, depth: depth + 1)))
            }
            return .map(pairs)
        case .struct:
            guard depth + 1 < Self.maxDepth else { throw fail("structs nested deeper than \(Self.maxDepth)") }
            return .struct(try readStruct(depth: depth + 1))
        }
    }

    private mutating func byte() throws -> UInt8 {
        guard position < bytes.count else { throw fail("unexpected end of data at byte \(position)") }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func take(_ n: Int) throws -> [UInt8] {
        guard n >= 0, n <= bytes.count - position else {
            throw fail("\(n) bytes wanted at byte \(position), \(bytes.count - position) left")
        }
        defer { position += n }
        return Array(bytes[position..<position + n])
    }

    private mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw fail("varint longer than 10 bytes at byte \(position)") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    private mutating func length() throws -> Int {
        let raw = try varint()
        guard raw <= UInt64(Int32.max) else { throw fail("length \(raw) too large at byte \(position)") }
        return Int(raw)
    }

    private func unzigzag(_ n: UInt64) -> Int64 { Int64(bitPattern: n >> 1) ^ -Int64(bitPattern: n & 1) }

    private func fail(_ what: String) -> BrokerError {
        BrokerError(.invalidFile, "\(context): bad Thrift data: \(what)")
    }
}
