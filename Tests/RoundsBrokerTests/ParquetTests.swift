import Foundation
import RoundsCore
import Testing
@testable import RoundsBroker

/// The rows of `Tools/make_parquet_golden.py` (ROWS), written out again here.
enum PickAPicGolden {
    static func png1x1(_ hex: String) -> [UInt8] { bytes(hex) }

    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            out.append(UInt8(hex[i..<j], radix: 16)!)
            i = j
        }
        return out
    }

    static let rows: [PickAPicRow] = [
        PickAPicRow(
            jpg0: bytes("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478da63f8cfc0000003010100f70341430000000049454e44ae426082"),
            jpg1: bytes("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478da636060f80f0001030100367411400000000049454e44ae426082"),
            label0: 1, caption: "vitiligo", imageID0: String(repeating: "a", count: 64),
            imageID1: String(repeating: "b", count: 64), condition: "dermatology/vitiligo"),
        PickAPicRow(
            jpg0: (0...255).map { UInt8($0) }, jpg1: [], label0: 0, caption: "lupus érythémateux, \"malar\"",
            imageID0: String(repeating: "c", count: 64), imageID1: String(repeating: "d", count: 64),
            condition: "dermatology/lupus-erythematosus"),
        PickAPicRow(
            jpg0: [0xFF, 0xD8, 0xFF, 0xE0], jpg1: [0, 0, 0, 0, 0], label0: 1, caption: "",
            imageID0: String(repeating: "e", count: 64), imageID1: String(repeating: "f", count: 64),
            condition: "hematology/mast-cell"),
    ]

    static let fixture = repositoryRoot.appendingPathComponent("Tests/RoundsBrokerTests/Fixtures/pickapic_golden.parquet").path
}

@Suite struct ParquetTests {
    @Test func readsThePyarrowGoldenFile() throws {
        let table = try ParquetReader.read(path: PickAPicGolden.fixture)
        #expect(table.columns == PickAPicFile.columns)
        #expect(table.rowGroupCount == 2 && table.numRows == 3)
        #expect(try PickAPicFile.read(table, name: "golden") == PickAPicGolden.rows)
        #expect(table.keyValueMetadata["ARROW:schema"] != nil)  // pyarrow's own footer entry, read through
    }

    @Test func writesWhatTheReaderAndGoldenAgreeOn() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("swift.parquet").path
        #expect(try PickAPicFile.write(PickAPicGolden.rows, path: path, provenance: ["rule": "magic"]) == 3)
        let table = try ParquetReader.read(path: path)
        #expect(table.rowGroupCount == 1)
        #expect(try PickAPicFile.read(path: path) == PickAPicGolden.rows)
        #expect(table.keyValueMetadata[PickAPicFile.provenanceKey] == #"{"rule":"magic"}"#)
        #expect(!FileManager.default.fileExists(atPath: path + ".partial"))
    }

    @Test func splitsLargeSetsIntoRowGroups() throws {
        let sink = MemoryByteSink()
        let rows = (0..<10).map { i in
            PickAPicRow(jpg0: [UInt8](repeating: UInt8(i), count: 100), jpg1: [UInt8(i)], label0: Double(i % 2),
                caption: "c\(i)", imageID0: "x\(i)", imageID1: "y\(i)", condition: "dermatology/vitiligo")
        }
        try PickAPicFile.write(to: sink, rowGroupBytes: 250) { emit in for r in rows { try emit(r) } }
        let table = try ParquetReader.read(sink.bytes)
        #expect(table.rowGroupCount == 4)  // 101 bytes a row: groups of 3, 3, 3, 1
        #expect(try PickAPicFile.read(table, name: "memory") == rows)
    }

    @Test func writerRejectsMismatchedInput() throws {
        let sink = MemoryByteSink()
        let w = try ParquetWriter(columns: [.double("a"), .string("b")], to: sink)
        #expect(throwsBroker(.invalidInput, ["row group has 1 columns, schema has 2"]) { try w.appendRowGroup([.double([1])]) })
        #expect(throwsBroker(.invalidInput, ["column 'b'", "expected byteArray, got double"]) { try w.appendRowGroup([.double([1]), .double([2])]) })
        #expect(throwsBroker(.invalidInput, ["column 'b' has 2 values", "column 'a' has 1"]) {
            try w.appendRowGroup([.double([1]), .byteArray([[1], [2]])])
        })
        #expect(throwsBroker(.invalidInput, ["no rows"]) { try w.appendRowGroup([.double([]), .byteArray([])]) })
        #expect(throwsBroker(.invalidInput, ["no rows to write"]) { try w.finish() })
        #expect(throwsBroker(.invalidParameter, ["unique"]) { _ = try ParquetWriter(columns: [.double("a"), .double("a")], to: sink) })
        #expect(throwsBroker(.invalidParameter, ["at least one column"]) { _ = try ParquetWriter(columns: [], to: sink) })
        let bad = PickAPicRow(jpg0: [], jpg1: [], label0: 2, caption: "", imageID0: "p", imageID1: "q", condition: "")
        #expect(throwsBroker(.invalidInput, ["pair p / q", "label_0", "2.0"]) { try PickAPicFile.write(to: MemoryByteSink()) { try $0(bad) } })
        #expect(throwsBroker(.emptyInput, ["no preference pairs"]) { try PickAPicFile.write(to: MemoryByteSink()) { _ in } })
    }

    @Test func aFailedExportLeavesNoFile() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("pairs.parquet").path
        struct Missing: Error {}
        #expect(throws: Missing.self) {
            try PickAPicFile.write(to: MemoryByteSink()) { _ in throw Missing() }
        }
        #expect(throwsBroker(.invalidInput, ["label_0"]) {
            var rows = PickAPicGolden.rows
            rows[2].label0 = .nan
            try PickAPicFile.write(rows, path: path)
        })
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        #expect(throwsBroker(.io, ["cannot create", "nowhere/x.parquet"]) {
            try PickAPicFile.write(PickAPicGolden.rows, path: dir.appendingPathComponent("nowhere/x.parquet").path)
        })
    }

    @Test func damagedFilesGiveErrorsNotTraps() throws {
        let golden = Array(try Data(contentsOf: URL(fileURLWithPath: PickAPicGolden.fixture)))
        for cut in stride(from: 0, to: golden.count, by: 7) {
            #expect(throws: BrokerError.self) { _ = try ParquetReader.read(Array(golden[0..<cut]), name: "cut") }
        }
        // Flip bytes one at a time through the footer: each read must throw or succeed, never trap.
        let footerLength = Int(golden[golden.count - 8]) | Int(golden[golden.count - 7]) << 8
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<400 {
            var damaged = golden
            let i = Int.random(in: (golden.count - 8 - footerLength)..<(golden.count - 8), using: &generator)
            damaged[i] = UInt8.random(in: 0...255, using: &generator)
            _ = try? ParquetReader.read(damaged, name: "damaged")
        }
        #expect(throwsBroker(.invalidFile, ["x.parquet: not a Parquet file"]) { _ = try ParquetReader.read(Array("hello world, not parquet".utf8), name: "x.parquet") })
        var wrongLength = golden
        wrongLength[golden.count - 5] = 0x7F
        #expect(throwsBroker(.invalidFile, ["footer length"]) { _ = try ParquetReader.read(wrongLength, name: "f") })
        #expect(throwsBroker(.io, ["cannot read", "/nonexistent/p.parquet"]) { _ = try ParquetReader.read(path: "/nonexistent/p.parquet") })
    }

    @Test func unsupportedFeaturesAreNamed() throws {
        // A golden-shaped file whose column is REPEATED: patch the schema's repetition field.
        let sink = MemoryByteSink()
        let w = try ParquetWriter(columns: [.double("label_0")], to: sink)
        try w.appendRowGroup([.double([1])])
        try w.finish()
        var bytes = sink.bytes
        // The leaf schema element starts: 0x15 (field 1, i32) 0x0A (DOUBLE = 5), 0x25 (field 3, i32) 0x00 (REQUIRED).
        let pattern: [UInt8] = [0x15, 0x0A, 0x25, 0x00]
        let at = try #require((0...(bytes.count - 4)).last { Array(bytes[$0..<$0 + 4]) == pattern })
        bytes[at + 3] = 0x04  // REPEATED (2, zigzag-encoded)
        #expect(throwsBroker(.unsupportedFeature, ["column 'label_0' is repeated"]) { _ = try ParquetReader.read(bytes, name: "rep") })
    }
}
