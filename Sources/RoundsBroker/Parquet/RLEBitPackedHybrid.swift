// port of the Parquet format's Encodings.md, "Run Length Encoding / Bit-Packing Hybrid (RLE = 3)"

/// Parquet's run-length / bit-packing hybrid: how definition levels and dictionary indices are stored.
/// Each run starts with a varint header; an even header is `count << 1` followed by one value in
/// ⌈bitWidth/8⌉ little-endian bytes, an odd header is `groups << 1 | 1` followed by groups of eight
/// values packed `bitWidth` bits each, least significant bit first.
enum RLEBitPackedHybrid {
    /// Decodes `count` values of `bitWidth` bits (0...32) from `data` (trailing padding is ignored).
    ///
    /// - Throws: `BrokerError` `.invalidFile` naming `context` when the runs end before `count` values.
    static func decode(_ data: ArraySlice<UInt8>, bitWidth: Int, count: Int, context: String) throws -> [UInt32] {
        func bad(_ what: String) -> BrokerError { BrokerError(.invalidFile, "\(context): \(what)") }
        guard (0...32).contains(bitWidth) else { throw bad("bit width \(bitWidth) is outside 0...32") }
        var values: [UInt32] = []
        values.reserveCapacity(count)
        var p = data.startIndex
        while values.count < count {
            var header = 0
            var shift = 0
            while true {
                guard p < data.endIndex else { throw bad("runs end after \(values.count) of \(count) values") }
                let b = Int(data[p])
                p += 1
                header |= (b & 0x7F) << shift
                if b < 0x80 { break }
                shift += 7
                guard shift <= 28 else { throw bad("run header varint is longer than 5 bytes") }
            }
            if header & 1 == 0 {
                let run = header >> 1
                let width = (bitWidth + 7) / 8
                guard width <= data.endIndex - p else { throw bad("run value ends early") }
                var value: UInt32 = 0
                for i in 0..<width { value |= UInt32(data[p + i]) << (8 * UInt32(i)) }
                p += width
                guard run > 0 else { throw bad("empty run") }
                values.append(contentsOf: repeatElement(value, count: min(run, count - values.count)))
            } else {
                let groups = header >> 1
                let bytes = groups * bitWidth
                guard groups > 0, bytes <= data.endIndex - p else { throw bad("bit-packed run of \(groups) groups ends early") }
                let n = min(groups * 8, count - values.count)
                for i in 0..<n {
                    var value: UInt32 = 0
                    for bit in 0..<bitWidth {
                        let at = i * bitWidth + bit
                        if data[p + at / 8] >> UInt8(at % 8) & 1 == 1 { value |= 1 << UInt32(bit) }
                    }
                    values.append(value)
                }
                p += bytes
            }
        }
        return values
    }
}
