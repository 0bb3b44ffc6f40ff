// port of the Parquet file layout (github.com/apache/parquet-format: parquet.thrift PageHeader,
// DataPageHeader, DataPageHeaderV2, DictionaryPageHeader; Encodings.md PLAIN and RLE_DICTIONARY)

/// How a column chunk's pages are compressed: what Rounds writes (none) and pyarrow's default (Snappy).
enum ParquetCodec {
    case uncompressed, snappy

    /// parquet.thrift `CompressionCodec`.
    init(code: Int64?, context: String) throws {
        switch code {
        case 0: self = .uncompressed
        case 1: self = .snappy
        default:
            let names: [Int64: String] = [2: "GZIP", 3: "LZO", 4: "BROTLI", 5: "LZ4", 6: "ZSTD", 7: "LZ4_RAW"]
            let name = code.flatMap { names[$0] } ?? "code \(code ?? -1)"
            throw BrokerError(.unsupportedFeature, "\(context): compression \(name) (Rounds reads uncompressed and Snappy "
                + "Parquet; write with compression='snappy', pandas' and pyarrow's default)")
        }
    }

    func decode(_ data: ArraySlice<UInt8>, expectedCount: Int, context: String) throws -> ArraySlice<UInt8> {
        switch self {
        case .uncompressed:
            guard data.count == expectedCount else {
                throw BrokerError(.invalidFile, "\(context): page holds \(data.count) bytes, its header says \(expectedCount)")
            }
            return data
        case .snappy: return try Snappy.decompress(data, expectedCount: expectedCount, context: context)[...]
        }
    }
}

/// One column chunk of a flat column, decoded page by page: v1 and v2 data pages, PLAIN or
/// dictionary-encoded values (pyarrow's default, including its fall-back to PLAIN pages once the
/// dictionary grows too big), required or optional columns. Index pages are skipped. Rounds needs a
/// value in every row, so a null is an error naming its row.
struct ParquetColumnChunk {
    var type: ParquetPhysicalType
    var optional: Bool
    var codec: ParquetCodec
    /// "FILE: row group G, column 'NAME'", for errors.
    var context: String

    private func bad(_ what: String) -> BrokerError { BrokerError(.invalidFile, "\(context): \(what)") }

    /// Reads the pages in `bytes[start..<end]` until `count` values are decoded.
    func read(_ bytes: [UInt8], from start: Int, to end: Int, count: Int) throws -> ParquetColumnValues {
        var position = start
        var result: ParquetColumnValues = type == .double ? .double([]) : .byteArray([])
        var dictionary: ParquetColumnValues?
        while result.count < count {
            guard position < end else { throw bad("pages hold \(result.count) of \(count) values") }
            let headerStart = position
            var reader = ThriftCompactReader(bytes, at: position, context: "\(context): page header at byte \(position)")
            let header = try reader.readStruct()
            let size = Int(header[3]?.int ?? -1), uncompressedSize = Int(header[2]?.int ?? -1)
            let dataStart = reader.position
            guard size >= 0, size <= end - dataStart, uncompressedSize >= 0 else {
                throw bad("page at byte \(headerStart) of \(size) bytes overruns the chunk")
            }
            position = dataStart + size
            let page = bytes[dataStart..<position]
            let at = "page at byte \(headerStart)"
            switch header[1]?.int {
            case Int64(ParquetCode.dictionaryPage):
                guard dictionary == nil else { throw bad("a second dictionary page at byte \(headerStart)") }
                guard let h = header[7]?.fields, let n = h[1]?.int, n >= 0 else { throw bad("\(at) has no dictionary page header") }
                let data = try codec.decode(page, expectedCount: uncompressedSize, context: "\(context): \(at)")
                dictionary = try ParquetReader.decodePlain(data, count: Int(n), type: type, context: "\(context): dictionary")
            case Int64(ParquetCode.dataPage):
                guard let h = header[5]?.fields, let n = h[1]?.int, n >= 0, n <= count - result.count else {
                    throw bad("\(at) has no valid data page header")
                }
                let data = try codec.decode(page, expectedCount: uncompressedSize, context: "\(context): \(at)")
                var values = data
                if optional {  // v1: the definition levels come first, behind a 4-byte length
                    guard data.count >= 4 else { throw bad("\(at) has no definition levels") }
                    let s = data.startIndex
                    let length = Int(data[s]) | Int(data[s + 1]) << 8 | Int(data[s + 2]) << 16 | Int(data[s + 3]) << 24
                    guard length <= data.count - 4 else { throw bad("\(at): definition levels overrun the page") }
                    try checkNoNulls(data[(s + 4)..<(s + 4 + length)], count: Int(n), firstRow: result.count)
                    values = data[(s + 4 + length)...]
                }
                result = result.appending(try decodeValues(values, count: Int(n), encoding: h[2]?.int, dictionary: dictionary, at: at))
            case Int64(ParquetCode.dataPageV2):
                guard let h = header[8]?.fields, let n = h[1]?.int, n >= 0, n <= count - result.count,
                    let definitionBytes = h[5]?.int, let repetitionBytes = h[6]?.int, definitionBytes >= 0,
                    repetitionBytes == 0, definitionBytes <= Int64(page.count)
                else { throw bad("\(at) has no valid v2 data page header (or repetition levels, which a flat column has not)") }
                if optional, (h[2]?.int ?? 0) > 0 {
                    let s = page.startIndex
                    try checkNoNulls(page[s..<(s + Int(definitionBytes))], count: Int(n), firstRow: result.count)
                }
                // v2 keeps the levels uncompressed, in front of the (possibly compressed) values.
                let rest = page[(page.startIndex + Int(definitionBytes))...]
                let compressed = h[7]?.bool ?? true
                let values = compressed
                    ? try codec.decode(rest, expectedCount: uncompressedSize - Int(definitionBytes), context: "\(context): \(at)")
                    : rest
                result = result.appending(try decodeValues(values, count: Int(n), encoding: h[4]?.int, dictionary: dictionary, at: at))
            case Int64(ParquetCode.indexPage):
                continue
            default:
                throw BrokerError(.unsupportedFeature, "\(context): page type \(header[1]?.int ?? -1) at byte \(headerStart)")
            }
        }
        guard result.count == count else { throw bad("pages hold \(result.count) values, metadata says \(count)") }
        return result
    }

    /// Definition levels of a flat optional column: 1 for a value, 0 for a null.
    private func checkNoNulls(_ levels: ArraySlice<UInt8>, count: Int, firstRow: Int) throws {
        let defined = try RLEBitPackedHybrid.decode(levels, bitWidth: 1, count: count, context: "\(context): definition levels")
        if let i = defined.firstIndex(of: 0) {
            throw BrokerError(.invalidInput, "\(context): row \(firstRow + i + 1) of this row group is null (Rounds needs a value in every row)")
        }
    }

    private func decodeValues(
        _ data: ArraySlice<UInt8>, count: Int, encoding: Int64?, dictionary: ParquetColumnValues?, at: String
    ) throws -> ParquetColumnValues {
        switch encoding {
        case Int64(ParquetCode.plain):
            return try ParquetReader.decodePlain(data, count: count, type: type, context: "\(context): \(at)")
        case Int64(ParquetCode.plainDictionary), Int64(ParquetCode.rleDictionary):
            guard let dictionary else { throw bad("\(at) is dictionary-encoded but the chunk has no dictionary page") }
            guard let width = data.first else { throw bad("\(at) has no dictionary index width") }
            let indices = try RLEBitPackedHybrid.decode(
                data.dropFirst(), bitWidth: Int(width), count: count, context: "\(context): \(at): dictionary indices")
            if let i = indices.firstIndex(where: { Int($0) >= dictionary.count }) {
                throw bad("\(at): dictionary index \(indices[i]) of a \(dictionary.count)-entry dictionary")
            }
            switch dictionary {
            case .double(let d): return .double(indices.map { d[Int($0)] })
            case .byteArray(let d): return .byteArray(indices.map { d[Int($0)] })
            }
        default:
            let names: [Int64: String] = [
                3: "RLE", 4: "BIT_PACKED", 5: "DELTA_BINARY_PACKED", 6: "DELTA_LENGTH_BYTE_ARRAY", 7: "DELTA_BYTE_ARRAY",
                9: "BYTE_STREAM_SPLIT",
            ]
            let name = encoding.flatMap { names[$0] } ?? "code \(encoding ?? -1)"
            throw BrokerError(.unsupportedFeature, "\(context): \(at): encoding \(name) (Rounds reads PLAIN and dictionary "
                + "encodings, pyarrow's defaults)")
        }
    }
}
