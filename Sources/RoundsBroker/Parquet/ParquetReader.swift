// port of the Parquet file layout (github.com/apache/parquet-format README "File Format" and parquet.thrift)

/// A Parquet file read back into memory: its flat schema, its columns' values, and its key-value metadata.
public struct ParquetTable: Sendable, Hashable {
    public var columns: [ParquetColumnSpec]
    /// Values per column, all row groups concatenated, in schema order.
    public var values: [ParquetColumnValues]
    public var numRows: Int
    public var rowGroupCount: Int
    public var keyValueMetadata: [String: String]

    /// The values of the column named `name`, or nil.
    public func column(_ name: String) -> ParquetColumnValues? {
        columns.firstIndex { $0.name == name }.map { values[$0] }
    }
}

/// A Parquet reader for flat tables: what `ParquetWriter` writes, and what pyarrow and pandas write
/// by default (`pq.write_table`, `DataFrame.to_parquet`).
///
/// Supported: flat schemas; `DOUBLE` and `BYTE_ARRAY` columns, required or optional (a null is an
/// error: every row needs a value); PLAIN and dictionary encodings; v1 and v2 data pages;
/// uncompressed or Snappy; any number of row groups and pages. Columns outside `columns` are not
/// decoded, whatever their type (pandas' `__index_level_0__`, Pick-a-Pic's extra fields). Anything
/// else throws `.unsupportedFeature` naming the column and the feature; damage throws `.invalidFile`.
public enum ParquetReader {
    /// Reads the file at `path`: every column, or only those named in `columns`.
    public static func read(path: String, columns wanted: Set<String>? = nil) throws -> ParquetTable {
        try read(Array(BrokerFile.read(path)), name: path, columns: wanted)
    }

    /// Reads a file's bytes; `name` is used in error messages.
    public static func read(_ bytes: [UInt8], name: String = "parquet data", columns wanted: Set<String>? = nil) throws
        -> ParquetTable
    {
        func bad(_ what: String) -> BrokerError { BrokerError(.invalidFile, "\(name): \(what)") }
        guard bytes.count >= 12, Array(bytes[0..<4]) == ParquetCode.magic,
            Array(bytes[(bytes.count - 4)...]) == ParquetCode.magic
        else { throw bad("not a Parquet file (no PAR1 magic at both ends)") }
        let n = bytes.count
        let footerLength = Int(bytes[n - 8]) | Int(bytes[n - 7]) << 8 | Int(bytes[n - 6]) << 16 | Int(bytes[n - 5]) << 24
        guard footerLength > 0, footerLength <= n - 12 else { throw bad("footer length \(footerLength) does not fit the file") }
        var reader = ThriftCompactReader(bytes, at: n - 8 - footerLength, context: "\(name): footer")
        let meta = try reader.readStruct()

        let schema = try meta[2]?.list ?? { throw bad("footer has no schema") }()
        guard let root = schema.first?.fields, let childCount = root[5]?.int, Int(childCount) == schema.count - 1 else {
            throw BrokerError(.unsupportedFeature, "\(name): only flat schemas (a root and its leaf columns) are supported")
        }
        let leaves = try schema.dropFirst().map { try Leaf($0, file: name) }
        let chosen = leaves.indices.filter { wanted?.contains(leaves[$0].name) ?? true }
        let columns = try chosen.map { try leaves[$0].spec(file: name) }
        let numRows = Int(meta[3]?.int ?? -1)
        guard numRows >= 0 else { throw bad("footer has no num_rows") }

        var values: [ParquetColumnValues] = columns.map { $0.type == .double ? .double([]) : .byteArray([]) }
        let groups = meta[4]?.list ?? []
        for (g, group) in groups.enumerated() {
            guard let chunks = group.fields?[1]?.list, chunks.count == leaves.count else {
                throw bad("row group \(g) does not have one column chunk per schema column")
            }
            let groupRows = Int(group.fields?[3]?.int ?? -1)
            for (c, leafIndex) in chosen.enumerated() {
                let where_ = "\(name): row group \(g), column '\(columns[c].name)'"
                guard let meta = chunks[leafIndex].fields?[3]?.fields else { throw BrokerError(.invalidFile, "\(where_): no column metadata") }
                guard let count = meta[5]?.int, Int(count) == groupRows else {
                    throw BrokerError(.invalidFile, "\(where_): \(meta[5]?.int ?? -1) values for \(groupRows) rows")
                }
                let start = meta[11]?.int ?? meta[9]?.int ?? -1
                let size = meta[7]?.int ?? -1
                guard start >= 4, size >= 0, size <= Int64(n - 8 - footerLength) - start else {
                    throw BrokerError(.invalidFile, "\(where_): chunk bytes [\(start), \(start)+\(size)) lie outside the data")
                }
                let chunk = ParquetColumnChunk(
                    type: columns[c].type, optional: leaves[leafIndex].optional,
                    codec: try ParquetCodec(code: meta[4]?.int, context: where_), context: where_)
                let decoded = try chunk.read(bytes, from: Int(start), to: Int(start + size), count: Int(count))
                values[c] = values[c].appending(decoded)
            }
        }
        guard values.allSatisfy({ $0.count == numRows }) else {
            throw bad("footer says \(numRows) rows, column chunks hold \(values.map(\.count))")
        }
        var keyValues: [String: String] = [:]
        for kv in meta[5]?.list ?? [] {
            if let k = kv.fields?[1]?.string { keyValues[k] = kv.fields?[2]?.string ?? "" }
        }
        return ParquetTable(columns: columns, values: values, numRows: numRows, rowGroupCount: groups.count, keyValueMetadata: keyValues)
    }

    /// A schema leaf as the footer states it; checked only when the column is decoded.
    private struct Leaf {
        var name: String
        var physicalType: Int64?
        var repetition: Int64?
        var isString: Bool
        var optional: Bool { repetition == Int64(ParquetCode.optional) }

        init(_ element: ThriftValue, file: String) throws {
            guard let e = element.fields, let name = e[4]?.string else {
                throw BrokerError(.invalidFile, "\(file): schema element without a name")
            }
            guard e[5] == nil || e[5]?.int == 0 else {
                throw BrokerError(.unsupportedFeature, "\(file): column '\(name)' is a nested group")
            }
            self.name = name
            physicalType = e[1]?.int
            repetition = e[3]?.int
            // STRING logical type (10 → 1) or the legacy UTF8 converted type marks text.
            isString = e[10]?.fields?[1] != nil || e[6]?.int == Int64(ParquetCode.convertedUTF8)
        }

        func spec(file: String) throws -> ParquetColumnSpec {
            guard repetition == Int64(ParquetCode.required) || optional else {
                throw BrokerError(.unsupportedFeature, "\(file): column '\(name)' is repeated (only required and optional columns are read)")
            }
            let names: [Int64: String] = [0: "BOOLEAN", 1: "INT32", 2: "INT64", 3: "INT96", 4: "FLOAT", 7: "FIXED_LEN_BYTE_ARRAY"]
            guard let raw = physicalType, let type = ParquetPhysicalType(rawValue: Int32(truncatingIfNeeded: raw)) else {
                let shown = physicalType.flatMap { names[$0] } ?? "\(physicalType ?? -1)"
                throw BrokerError(.unsupportedFeature, "\(file): column '\(name)' has physical type \(shown) (Rounds reads DOUBLE "
                    + "and BYTE_ARRAY columns: cast numbers to float64, text and images to str/bytes)")
            }
            return ParquetColumnSpec(name: name, type: type, isString: type == .byteArray && isString)
        }
    }

    /// PLAIN values of one page, read in place (`at` offsets count from the slice's start).
    static func decodePlain(_ data: ArraySlice<UInt8>, count: Int, type: ParquetPhysicalType, context: String) throws
        -> ParquetColumnValues
    {
        let base = data.startIndex
        func le(_ at: Int, _ width: Int) -> UInt64 {
            var v: UInt64 = 0
            for i in 0..<width { v |= UInt64(data[base + at + i]) << (8 * UInt64(i)) }
            return v
        }
        switch type {
        case .double:
            guard data.count % 8 == 0, data.count / 8 == count else {
                throw BrokerError(.invalidFile, "\(context): \(count) doubles need \(count * 8) bytes, page has \(data.count)")
            }
            return .double((0..<count).map { Double(bitPattern: le($0 * 8, 8)) })
        case .byteArray:
            var values: [[UInt8]] = []
            values.reserveCapacity(count)
            var p = 0
            for row in 0..<count {
                guard data.count - p >= 4 else { throw BrokerError(.invalidFile, "\(context): value \(row) has no length") }
                let length = Int(le(p, 4))
                p += 4
                guard length <= data.count - p else {
                    throw BrokerError(.invalidFile, "\(context): value \(row) of \(length) bytes overruns the page")
                }
                values.append(Array(data[(base + p)..<(base + p + length)]))
                p += length
            }
            guard p == data.count else { throw BrokerError(.invalidFile, "\(context): \(data.count - p) bytes left after \(count) values") }
            return .byteArray(values)
        }
    }
}
