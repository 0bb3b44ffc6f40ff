// port of the Parquet format's parquet.thrift (github.com/apache/parquet-format/blob/master/src/main/thrift/parquet.thrift)

/// The Parquet physical types Rounds writes and reads (parquet.thrift `Type`).
public enum ParquetPhysicalType: Int32, Sendable, Hashable {
    case double = 5
    case byteArray = 6
}

/// One flat, required column: a name, a physical type, and for byte arrays whether they hold UTF-8
/// text (annotated `STRING`, read by pyarrow as `str`) or raw bytes (read as `bytes`).
public struct ParquetColumnSpec: Sendable, Hashable {
    public var name: String
    public var type: ParquetPhysicalType
    public var isString: Bool

    public init(name: String, type: ParquetPhysicalType, isString: Bool = false) {
        self.name = name
        self.type = type
        self.isString = isString
    }

    public static func bytes(_ name: String) -> Self { Self(name: name, type: .byteArray) }
    public static func string(_ name: String) -> Self { Self(name: name, type: .byteArray, isString: true) }
    public static func double(_ name: String) -> Self { Self(name: name, type: .double) }
}

/// The values of one column in one row group.
public enum ParquetColumnValues: Sendable, Hashable {
    case byteArray([[UInt8]])
    case double([Double])

    public var count: Int {
        switch self {
        case .byteArray(let v): return v.count
        case .double(let v): return v.count
        }
    }

    /// These values followed by `other`'s (the same column's next page or row group).
    func appending(_ other: ParquetColumnValues) -> ParquetColumnValues {
        switch (self, other) {
        case (.double(let x), .double(let y)): return .double(x + y)
        case (.byteArray(let x), .byteArray(let y)): return .byteArray(x + y)
        default: return self  // unreachable: both come from the same column type
        }
    }

    var type: ParquetPhysicalType {
        switch self {
        case .byteArray: return .byteArray
        case .double: return .double
        }
    }
}

/// Numeric codes of parquet.thrift enums used here.
enum ParquetCode {
    static let required: Int32 = 0  // FieldRepetitionType.REQUIRED
    static let optional: Int32 = 1  // FieldRepetitionType.OPTIONAL
    static let convertedUTF8: Int32 = 0  // ConvertedType.UTF8
    static let plain: Int32 = 0  // Encoding.PLAIN
    static let plainDictionary: Int32 = 2  // Encoding.PLAIN_DICTIONARY (Parquet 1.0 writers)
    static let rleDictionary: Int32 = 8  // Encoding.RLE_DICTIONARY
    static let rle: Int32 = 3  // Encoding.RLE (levels; none are written for required flat columns)
    static let uncompressed: Int32 = 0  // CompressionCodec.UNCOMPRESSED
    static let dataPage: Int32 = 0  // PageType.DATA_PAGE
    static let indexPage: Int32 = 1  // PageType.INDEX_PAGE
    static let dictionaryPage: Int32 = 2  // PageType.DICTIONARY_PAGE
    static let dataPageV2: Int32 = 3  // PageType.DATA_PAGE_V2
    static let magic: [UInt8] = Array("PAR1".utf8)
}
