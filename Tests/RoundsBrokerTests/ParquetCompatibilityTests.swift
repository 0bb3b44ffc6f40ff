import Foundation
import Testing
@testable import RoundsBroker

/// The rows of `Tools/make_parquet_golden.py variants` (ROWS + BIG_ROW).
enum PickAPicVariants {
    static let bigRow = PickAPicRow(
        jpg0: Array(repeating: (0...255).map { UInt8($0) }, count: 40).flatMap { $0 },
        jpg1: PickAPicGolden.bytes(
            "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478da6360f8cf00000202010045f452d40000000049454e44ae426082"),
        label0: 0, caption: "vitiligo", imageID0: String(repeating: "a", count: 64),
        imageID1: String(repeating: "0", count: 64), condition: "dermatology/vitiligo")
    static let rows = PickAPicGolden.rows + [bigRow]

    static func fixture(_ name: String) -> String {
        repositoryRoot.appendingPathComponent("Tests/RoundsBrokerTests/Fixtures/pickapic_\(name).parquet").path
    }
}

/// Pairs files as researchers make them: pyarrow's and pandas' defaults (Snappy, dictionary pages,
/// nullable columns, an index column), made by `Tools/make_parquet_golden.py variants` and committed.
@Suite struct ParquetCompatibilityTests {
    @Test func readsWhatPyarrowWritesByDefault() throws {
        let rows = try PickAPicFile.read(path: PickAPicVariants.fixture("pyarrow_default"))
        #expect(rows == PickAPicVariants.rows)
        let table = try ParquetReader.read(path: PickAPicVariants.fixture("pyarrow_default"))
        #expect(table.rowGroupCount == 2 && table.numRows == 4)
    }

    @Test func readsPandasToParquetWithItsIndexColumn() throws {
        // The frame was filtered and reordered (rows 0, 2, 3, 1), so pandas kept its index as an
        // int64 column, which the Pick-a-Pic reader does not need and so does not decode.
        let rows = try PickAPicFile.read(path: PickAPicVariants.fixture("pandas"))
        let want = [0, 2, 3, 1].map { PickAPicVariants.rows[$0] }
        #expect(rows == want)
        let all = try ParquetReader.read(path: PickAPicVariants.fixture("pandas"), columns: ["condition"])
        #expect(all.columns.map(\.name) == ["condition"] && all.numRows == 4)
        #expect(throwsBroker(.unsupportedFeature, ["column '__index_level_0__' has physical type INT64"]) {
            _ = try ParquetReader.read(path: PickAPicVariants.fixture("pandas"))
        })
        let pairs = try TrainingSignal.readPairs(path: PickAPicVariants.fixture("pandas"))
        #expect(pairs.count == 4)
    }

    @Test func readsV2PagesAndTheFallBackFromDictionaryToPlain() throws {
        let rows = try PickAPicFile.read(path: PickAPicVariants.fixture("v2_fallback"))
        #expect(rows == PickAPicVariants.rows)
    }

    @Test func nullsCodecsAndTypesItCannotUseAreNamed() throws {
        #expect(throwsBroker(.invalidInput, ["pickapic_null.parquet", "column 'caption'", "row 2", "is null"]) {
            _ = try PickAPicFile.read(path: PickAPicVariants.fixture("null"))
        })
        #expect(throwsBroker(.unsupportedFeature, ["pickapic_zstd.parquet", "compression ZSTD", "compression='snappy'"]) {
            _ = try PickAPicFile.read(path: PickAPicVariants.fixture("zstd"))
        })
        #expect(throwsBroker(.unsupportedFeature, ["column 'label_0' has physical type INT64", "float64"]) {
            _ = try PickAPicFile.read(path: PickAPicVariants.fixture("int_label"))
        })
    }

    @Test func damagedSnappyPagesAreErrorsNotTraps() throws {
        let good = try Array(Data(contentsOf: URL(fileURLWithPath: PickAPicVariants.fixture("pyarrow_default"))))
        // Flip bytes across the data pages; every outcome must be a value or a BrokerError.
        for at in stride(from: 4, to: good.count - 8, by: 37) {
            var damaged = good
            damaged[at] ^= 0x5A
            do { _ = try ParquetReader.read(damaged, name: "damaged") } catch is BrokerError {}
        }
    }

    @Test func snappyBlocks() throws {
        // "abcd" as a literal, then an overlapping 1-byte-offset copy of 8 from 4 back.
        #expect(try Snappy.decompress([12, 0x0C, 97, 98, 99, 100, 0x11, 4], context: "t") == Array("abcdabcdabcd".utf8))
        // A 2-byte-offset copy of 3 from 2 back: "xy" + "xyx".
        #expect(try Snappy.decompress([5, 0x04, 120, 121, 0x0A, 2, 0], context: "t") == Array("xyxyx".utf8))
        // A literal whose length sits in the next byte (tag 60 << 2): 61 bytes.
        let long = [UInt8](repeating: 7, count: 61)
        #expect(try Snappy.decompress([61, 60 << 2, 60] + long, context: "t") == long)
        #expect(throwsBroker(.invalidFile, ["t: Snappy data copies from 5 bytes back"]) {
            _ = try Snappy.decompress([9, 0x0C, 97, 98, 99, 100, 0x05, 5], context: "t")
        })
        #expect(throwsBroker(.invalidFile, ["has a literal of 4 bytes past its end"]) {
            _ = try Snappy.decompress([4, 0x0C, 97], context: "t")
        })
        #expect(throwsBroker(.invalidFile, ["expands to 12 bytes, the page header says 11"]) {
            _ = try Snappy.decompress([12, 0x0C, 97, 98, 99, 100, 0x11, 4], expectedCount: 11, context: "t")
        })
        #expect(throwsBroker(.invalidFile, ["holds 4 of its stated 12 bytes"]) {
            _ = try Snappy.decompress([12, 0x0C, 97, 98, 99, 100], context: "t")
        })
    }

    @Test func runLengthAndBitPackedRuns() throws {
        // Encodings.md's example: 0...7 bit-packed at width 3 is 0x88 0xC6 0xFA after header 0x03.
        #expect(try RLEBitPackedHybrid.decode([0x03, 0x88, 0xC6, 0xFA], bitWidth: 3, count: 8, context: "t") == Array(0...7))
        // A run of five 7s (header 5 << 1), then the packed group again, cut to 10 values.
        #expect(try RLEBitPackedHybrid.decode([0x0A, 7, 0x03, 0x88, 0xC6, 0xFA], bitWidth: 3, count: 10, context: "t")
            == [7, 7, 7, 7, 7, 0, 1, 2, 3, 4])
        #expect(throwsBroker(.invalidFile, ["runs end after 5 of 6 values"]) {
            _ = try RLEBitPackedHybrid.decode([0x0A, 7], bitWidth: 3, count: 6, context: "t")
        })
        #expect(throwsBroker(.invalidFile, ["bit width 40"]) { _ = try RLEBitPackedHybrid.decode([0x02, 1], bitWidth: 40, count: 1, context: "t") })
    }
}
