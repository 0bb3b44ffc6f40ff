// port of Snappy's raw block format (github.com/google/snappy/blob/main/format_description.txt)

/// Snappy's raw block format, as Parquet stores compressed pages (no framing, no checksums):
/// the uncompressed length as a varint, then literals and back-references. pyarrow compresses
/// pages with it by default, so `finetune` reads what `pandas.DataFrame.to_parquet` writes.
enum Snappy {
    /// Decompresses one block, which must expand to exactly `expectedCount` bytes when given.
    ///
    /// - Throws: `BrokerError` `.invalidFile` naming `context` for a truncated or inconsistent block
    ///   (an offset before the start, a length past the end): damage is an error, never a trap.
    static func decompress(_ input: ArraySlice<UInt8>, expectedCount: Int? = nil, context: String) throws -> [UInt8] {
        func bad(_ what: String) -> BrokerError { BrokerError(.invalidFile, "\(context): Snappy data \(what)") }
        var p = input.startIndex
        func byte() throws -> Int {
            guard p < input.endIndex else { throw bad("ends early") }
            defer { p += 1 }
            return Int(input[p])
        }
        func littleEndian(_ width: Int) throws -> Int {
            var v = 0
            for i in 0..<width { v |= try byte() << (8 * i) }
            return v
        }
        var length = 0
        for shift in stride(from: 0, through: 28, by: 7) {
            let b = try byte()
            length |= (b & 0x7F) << shift
            if b < 0x80 { break }
            if shift == 28 { throw bad("has a length varint longer than 5 bytes") }
        }
        if let expectedCount, length != expectedCount {
            throw bad("expands to \(length) bytes, the page header says \(expectedCount)")
        }
        guard length <= 1 << 31 else { throw bad("claims \(length) bytes") }
        var out: [UInt8] = []
        out.reserveCapacity(length)
        while p < input.endIndex {
            let tag = try byte()
            let count: Int, offset: Int
            switch tag & 3 {
            case 0:  // literal: length-1 in the tag's upper 6 bits, or in the 1-4 bytes after it
                let small = tag >> 2
                var n = small + 1
                if small >= 60 { n = try littleEndian(small - 59) + 1 }
                guard n <= input.endIndex - p else { throw bad("has a literal of \(n) bytes past its end") }
                guard n <= length - out.count else { throw bad("writes past its stated \(length) bytes") }
                out.append(contentsOf: input[p..<p + n])
                p += n
                continue
            case 1:
                let low = try byte()
                count = 4 + (tag >> 2) & 7
                offset = (tag >> 5) << 8 | low
            case 2:
                count = (tag >> 2) + 1
                offset = try littleEndian(2)
            default:
                count = (tag >> 2) + 1
                offset = try littleEndian(4)
            }
            guard offset > 0, offset <= out.count else {
                throw bad("copies from \(offset) bytes back with only \(out.count) written")
            }
            guard count <= length - out.count else { throw bad("writes past its stated \(length) bytes") }
            let from = out.count - offset
            if offset >= count {
                out.append(contentsOf: out[from..<from + count])
            } else {
                // An overlapping copy repeats the last `offset` bytes (run-length style).
                for i in 0..<count { out.append(out[from + i]) }
            }
        }
        guard out.count == length else { throw bad("holds \(out.count) of its stated \(length) bytes") }
        return out
    }
}
