import Foundation
import RoundsCore

/// Element types a safetensors file may hold (the ones Rounds reads).
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16", i64 = "I64", i32 = "I32"
    public var byteCount: Int {
        switch self { case .f32, .i32: 4; case .f16, .bf16: 2; case .i64: 8 }
    }
}

/// A parsed safetensors file: an 8-byte little-endian header length, a JSON header mapping names to
/// `{dtype, shape, data_offsets}` (offsets relative to the data after the header), and raw data.
/// Every entry is validated on open, so later reads cannot run past the data.
public struct SafetensorsFile: Sendable {
    public struct Entry: Sendable, Hashable {
        public var dtype: SafetensorsDType
        public var shape: [Int]
        /// Byte range inside the data section.
        public var range: Range<Int>
    }

    /// Where the bytes came from (for error messages).
    public let path: String
    public let entries: [String: Entry]
    /// The optional `__metadata__` string map.
    public let metadata: [String: String]
    private let bytes: [UInt8]
    private let dataStart: Int

    /// Tensor names, sorted.
    public var names: [String] { entries.keys.sorted() }

    public init(contentsOfFile path: String) throws(TensorError) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw TensorError(.io, "\(path): cannot read safetensors file", cause: error)
        }
        try self.init(bytes: [UInt8](data), path: path)
    }

    public init(bytes: [UInt8], path: String) throws(TensorError) {
        let (headerEnd, entries, metadata) = try Self.parseHeader(prefix: bytes, fileSize: bytes.count, path: path)
        self.path = path
        self.entries = entries
        self.metadata = metadata
        self.bytes = bytes
        self.dataStart = headerEnd
    }

    /// Parses and validates the header at the start of a file of `fileSize` bytes, of which `prefix`
    /// holds at least the first 8 + header length (all of them for `init(bytes:)`; only the header for
    /// `SafetensorsReader`). Returns where the data section starts, the entries and the metadata.
    static func parseHeader(prefix bytes: [UInt8], fileSize: Int, path: String) throws(TensorError)
        -> (dataStart: Int, entries: [String: Entry], metadata: [String: String]) {
        func bad(_ message: String) -> TensorError { TensorError(.invalidFile, "\(path): \(message)") }
        guard fileSize >= 8, bytes.count >= 8 else { throw bad("file of \(fileSize) bytes is too short for the 8-byte header length") }
        var n: UInt64 = 0
        for i in (0..<8).reversed() { n = n << 8 | UInt64(bytes[i]) }
        guard n <= UInt64(fileSize - 8) else {
            throw bad("header length \(n) exceeds the \(fileSize - 8) bytes after the length (truncated or not safetensors)")
        }
        let headerEnd = 8 + Int(n)
        guard headerEnd <= bytes.count else { throw bad("header of \(n) bytes could not be read") }
        let json: JSONValue
        do { json = try JSONValue(parsing: Data(bytes[8..<headerEnd])) } catch {
            throw TensorError(.invalidFile, "\(path): corrupt JSON header", cause: error)
        }
        guard let object = json.objectValue else { throw bad("header is not a JSON object") }
        let dataCount = fileSize - headerEnd
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in object {
            if name == "__metadata__" {
                guard let m = value.objectValue else { throw bad("__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v.stringValue else { throw bad("__metadata__.\(k) is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let fields = value.objectValue else { throw bad("tensor '\(name)': entry is not an object") }
            guard let dt = fields["dtype"]?.stringValue else { throw bad("tensor '\(name)': missing dtype") }
            guard let dtype = SafetensorsDType(rawValue: dt) else {
                throw TensorError(.unsupportedDType, "\(path): tensor '\(name)': dtype \(dt) not supported (expected one of F32, F16, BF16, I64, I32)")
            }
            guard let dims = fields["shape"]?.arrayValue, let shape = Self.integers(dims), shape.allSatisfy({ $0 >= 0 }) else {
                throw bad("tensor '\(name)': shape is not a list of non-negative integers")
            }
            guard let offs = fields["data_offsets"]?.arrayValue, offs.count == 2, let o = Self.integers(offs),
                  o[0] >= 0, o[0] <= o[1] else {
                throw bad("tensor '\(name)': data_offsets is not [begin, end] with 0 <= begin <= end")
            }
            guard o[1] <= dataCount else {
                throw bad("tensor '\(name)': data_offsets end \(o[1]) beyond the \(dataCount) data bytes (truncated file)")
            }
            let (elements, overflow) = shape.reduce((1, false)) { acc, d in
                let r = acc.0.multipliedReportingOverflow(by: d); return (r.partialValue, acc.1 || r.overflow)
            }
            guard !overflow, elements * dtype.byteCount == o[1] - o[0] else {
                throw bad("tensor '\(name)': shape \(shape) of \(dt) needs \(overflow ? "too many" : "\(elements * dtype.byteCount)") bytes, data_offsets give \(o[1] - o[0])")
            }
            entries[name] = Entry(dtype: dtype, shape: shape, range: o[0]..<o[1])
        }
        // As the reference implementation requires: the tensors tile the data section exactly.
        var end = 0
        for (name, e) in entries.sorted(by: { ($0.value.range.lowerBound, $0.value.range.upperBound) < ($1.value.range.lowerBound, $1.value.range.upperBound) }) {
            guard e.range.lowerBound == end else {
                throw bad("tensor '\(name)': data_offsets start at \(e.range.lowerBound), expected \(end) (overlapping or gapped tensors)")
            }
            end = e.range.upperBound
        }
        guard end == dataCount else { throw bad("tensors cover \(end) data bytes but the file has \(dataCount) after the header") }
        return (headerEnd, entries, metadata)
    }

    private static func integers(_ values: [JSONValue]) -> [Int]? {
        var out: [Int] = []
        for v in values {
            guard let d = v.doubleValue, d == d.rounded(), abs(d) < 9e15 else { return nil }
            out.append(Int(d))
        }
        return out
    }

    private func entry(_ name: String) throws(TensorError) -> Entry {
        guard let e = entries[name] else {
            throw TensorError(.missingTensor, "\(path): no tensor named '\(name)' (the file has \(entries.count): \(names.prefix(8).joined(separator: ", "))\(entries.count > 8 ? ", …" : ""))")
        }
        return e
    }

    /// A tensor converted to float32 (from F32, F16, BF16, I32 or I64).
    /// With `expectedShape`, a different shape is an error naming both.
    public func tensor(_ name: String, expectedShape: [Int]? = nil) throws(TensorError) -> Tensor {
        let e = try entry(name)
        if let expectedShape, expectedShape != e.shape {
            throw TensorError(.shapeMismatch, "\(path): tensor '\(name)': expected shape \(expectedShape), file has \(e.shape)")
        }
        let count = e.shape.elementCount, base = dataStart + e.range.lowerBound
        let scalars = bytes.withUnsafeBytes { raw in Self.floats(raw.baseAddress! + base, dtype: e.dtype, count: count) }
        return Tensor(shape: e.shape, scalars: scalars)
    }

    /// An integer tensor (I64 or I32) as `Int64`s; float dtypes are an error.
    public func integers(_ name: String) throws(TensorError) -> [Int64] {
        let e = try entry(name)
        let count = e.shape.elementCount, base = dataStart + e.range.lowerBound
        switch e.dtype {
        case .i64, .i32:
            return bytes.withUnsafeBytes { raw in
                (0..<count).map { i in
                    e.dtype == .i64 ? Int64(littleEndian: raw.loadUnaligned(fromByteOffset: base + i * 8, as: Int64.self))
                        : Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: base + i * 4, as: Int32.self)))
                }
            }
        default:
            throw TensorError(.unsupportedDType, "\(path): tensor '\(name)': expected an I64 or I32 tensor, file has \(e.dtype.rawValue)")
        }
    }
}

extension SafetensorsFile {
    /// `count` little-endian elements of `dtype` at `p` as float32.
    static func floats(_ p: UnsafeRawPointer, dtype: SafetensorsDType, count: Int) -> [Float] {
        makeScalars(count) { out in
            switch dtype {
            case .f32: for i in 0..<count { out[i] = Float(bitPattern: p.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self).littleEndian) }
            case .f16: for i in 0..<count { out[i] = halfToFloat(p.loadUnaligned(fromByteOffset: i &* 2, as: UInt16.self).littleEndian) }
            case .bf16:
                for i in 0..<count {
                    out[i] = Float(bitPattern: UInt32(p.loadUnaligned(fromByteOffset: i &* 2, as: UInt16.self).littleEndian) << 16)
                }
            case .i32: for i in 0..<count { out[i] = Float(Int32(littleEndian: p.loadUnaligned(fromByteOffset: i &* 4, as: Int32.self))) }
            case .i64: for i in 0..<count { out[i] = Float(Int64(littleEndian: p.loadUnaligned(fromByteOffset: i &* 8, as: Int64.self))) }
            }
        }
    }
}

/// IEEE half -> float (subnormals, infinities and NaN included).
func halfToFloat(_ h: UInt16) -> Float {
    let sign = UInt32(h & 0x8000) << 16
    let exp = Int((h >> 10) & 0x1F), mant = UInt32(h & 0x3FF)
    if exp == 0 {
        let v = Float(mant) * 0x1p-24
        return sign != 0 ? -v : v
    }
    if exp == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mant << 13)) }
    return Float(bitPattern: sign | UInt32(exp - 15 + 127) << 23 | (mant << 13))
}

/// Writing safetensors files.
public enum Safetensors {
    /// Serialises `tensors` as F32 (names sorted, header padded with spaces to 8 bytes, as the
    /// reference implementation does).
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:]) -> [UInt8] {
        var header: [String: JSONValue] = [:]
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let t = tensors[name]!
            header[name] = .object(["dtype": "F32", "shape": .array(t.shape.map { .number(Double($0)) }),
                                    "data_offsets": .array([.number(Double(offset)), .number(Double(offset + t.count * 4))])])
            offset += t.count * 4
        }
        if !metadata.isEmpty { header["__metadata__"] = .object(metadata.mapValues { .string($0) }) }
        var json = Array(JSONValue.object(header).canonicalString.utf8)
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var out: [UInt8] = []
        out.reserveCapacity(8 + json.count + offset)
        var n = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &n) { out += $0 }
        out += json
        for name in names {
            tensors[name]!.scalars.withUnsafeBytes { raw in
                // float32 little-endian (every platform Rounds runs on is little-endian)
                out += raw
            }
        }
        return out
    }

    /// Writes `tensors` to `path` atomically.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to path: String) throws(TensorError) {
        do { try Data(encode(tensors, metadata: metadata)).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw TensorError(.io, "\(path): cannot write safetensors file", cause: error)
        }
    }
}
