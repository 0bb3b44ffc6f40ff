import RoundsCore

/// One row of a Pick-a-Pic preference file (CLI.md "DPO Parquet").
public struct PickAPicRow: Sendable, Hashable {
    /// Encoded image bytes (PNG or JPEG) of the first and second image.
    public var jpg0: [UInt8]
    public var jpg1: [UInt8]
    /// 1.0 when `jpg0` won, 0.0 when `jpg1` won (Pick-a-Pic also uses 0.5 for ties; Rounds drops ties).
    public var label0: Double
    /// The condition's display name: the prompt the finetuner conditions on.
    public var caption: String
    public var imageID0: String
    public var imageID1: String
    /// The condition as `domain/condition`.
    public var condition: String

    public init(
        jpg0: [UInt8], jpg1: [UInt8], label0: Double, caption: String, imageID0: String, imageID1: String,
        condition: String
    ) {
        self.jpg0 = jpg0
        self.jpg1 = jpg1
        self.label0 = label0
        self.caption = caption
        self.imageID0 = imageID0
        self.imageID1 = imageID1
        self.condition = condition
    }
}

/// The Pick-a-Pic Parquet file diffusers' Diffusion-DPO script reads: columns `jpg_0`, `jpg_1`
/// (binary → Python `bytes`), `label_0` (double → `float64`), `caption`, `image_id_0`,
/// `image_id_1`, `condition` (UTF-8 strings → `str`). Rounds writes them required, PLAIN and
/// uncompressed; it reads what pyarrow and pandas write by default too (Snappy, dictionary pages,
/// nullable columns without nulls, extra columns such as pandas' index), so a pairs file filtered in
/// pandas and saved with `to_parquet` goes straight back into `finetune`.
public enum PickAPicFile {
    public static let columns: [ParquetColumnSpec] = [
        .bytes("jpg_0"), .bytes("jpg_1"), .double("label_0"), .string("caption"),
        .string("image_id_0"), .string("image_id_1"), .string("condition"),
    ]

    /// Key of the footer metadata entry holding the preference set's provenance JSON.
    public static let provenanceKey = "rounds.provenance"

    /// Writes rows, starting a new row group whenever the buffered image bytes reach `rowGroupBytes`
    /// (default 64 MiB), so memory stays bounded for large sets.
    ///
    /// - Parameter rows: produces the rows one by one (may load images lazily and throw).
    /// - Returns: the number of rows written.
    /// - Throws: `BrokerError` `.emptyInput` without rows, `.invalidInput` for a label outside
    ///   [0, 1], and whatever `rows` or the sink throws.
    @discardableResult
    public static func write(
        to sink: any ByteSink, provenance: JSONValue? = nil, rowGroupBytes: Int = 64 << 20,
        rows: (_ emit: (PickAPicRow) throws -> Void) throws -> Void
    ) throws -> Int {
        let metadata = provenance.map { [(provenanceKey, $0.canonicalString)] } ?? []
        let writer = try ParquetWriter(columns: columns, to: sink, keyValueMetadata: metadata)
        var buffer: [PickAPicRow] = []
        var bufferedBytes = 0
        var written = 0
        func flush() throws {
            guard !buffer.isEmpty else { return }
            try writer.appendRowGroup([
                .byteArray(buffer.map(\.jpg0)), .byteArray(buffer.map(\.jpg1)), .double(buffer.map(\.label0)),
                .byteArray(buffer.map { Array($0.caption.utf8) }), .byteArray(buffer.map { Array($0.imageID0.utf8) }),
                .byteArray(buffer.map { Array($0.imageID1.utf8) }), .byteArray(buffer.map { Array($0.condition.utf8) }),
            ])
            written += buffer.count
            buffer.removeAll(keepingCapacity: true)
            bufferedBytes = 0
        }
        try rows { row in
            guard row.label0.isFinite, row.label0 >= 0, row.label0 <= 1 else {
                throw BrokerError(.invalidInput, "pair \(row.imageID0) / \(row.imageID1): label_0 must be in [0, 1], got \(row.label0)")
            }
            buffer.append(row)
            bufferedBytes += row.jpg0.count + row.jpg1.count
            if bufferedBytes >= rowGroupBytes { try flush() }
        }
        try flush()
        guard written > 0 else { throw BrokerError(.emptyInput, "no preference pairs to write") }
        try writer.finish()
        return written
    }

    /// Writes an array of rows to a file at `path` (atomically: a failure leaves no file behind).
    @discardableResult
    public static func write(_ rows: [PickAPicRow], path: String, provenance: JSONValue? = nil, rowGroupBytes: Int = 64 << 20)
        throws -> Int
    {
        try FileByteSink.writeAtomically(to: path) { sink in
            try write(to: sink, provenance: provenance, rowGroupBytes: rowGroupBytes) { emit in
                for row in rows { try emit(row) }
            }
        }
    }

    /// Reads a Pick-a-Pic file back (with `ParquetReader`: see there which Parquet it reads).
    ///
    /// - Throws: `BrokerError` `.invalidFile` when a column is missing or has the wrong type.
    public static func read(_ table: ParquetTable, name: String) throws -> [PickAPicRow] {
        func bytes(_ column: String) throws -> [[UInt8]] {
            guard case .byteArray(let v)? = table.column(column) else {
                throw BrokerError(.invalidFile, "\(name): column '\(column)' is missing or not BYTE_ARRAY")
            }
            return v
        }
        guard case .double(let labels)? = table.column("label_0") else {
            throw BrokerError(.invalidFile, "\(name): column 'label_0' is missing or not DOUBLE")
        }
        let (j0, j1, cap, i0, i1, cond) = (
            try bytes("jpg_0"), try bytes("jpg_1"), try bytes("caption"), try bytes("image_id_0"),
            try bytes("image_id_1"), try bytes("condition")
        )
        func text(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }
        return (0..<table.numRows).map { r in
            PickAPicRow(
                jpg0: j0[r], jpg1: j1[r], label0: labels[r], caption: text(cap[r]), imageID0: text(i0[r]),
                imageID1: text(i1[r]), condition: text(cond[r]))
        }
    }

    public static func read(path: String) throws -> [PickAPicRow] {
        try read(ParquetReader.read(path: path, columns: Set(columns.map(\.name))), name: path)
    }
}
