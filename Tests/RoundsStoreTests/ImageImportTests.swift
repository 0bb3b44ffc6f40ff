import Foundation
import RoundsCore
import Testing

@testable import RoundsStore

@Suite struct ImageImportTests {
    @Test func addImagesIsIdempotent() throws {
        let t = try TempStore()
        defer { t.remove() }
        let first = try t.store.addImages([Fixtures.image(1), Fixtures.image(2)])
        #expect(first.added.count == 2 && first.existing.isEmpty)
        let second = try t.store.addImages([Fixtures.image(2, path: "/elsewhere/copy.png"), Fixtures.image(3)])
        #expect(second.added.map(\.id) == [Fixtures.image(3).id])
        #expect(second.existing.count == 1 && second.existing[0].stored.path == "/data/img2.png")
        #expect(try t.store.images().count == 3)
    }

    @Test func addsReadableFilesReportsUnreadableAndRecognisesRepeats() throws {
        let t = try TempStore()
        defer { t.remove() }
        let a = try t.write("in/vitiligo/a.png", "FAKE 8x6 picture-a")
        _ = try t.write("in/vitiligo/b.png", "FAKE 8x6 picture-b")
        _ = try t.write("in/vitiligo/broken.png", "not an image")
        _ = try t.write("in/vitiligo/notes.txt", "ignored")
        _ = try t.write("in/vitiligo/same-as-a.jpg", "FAKE 8x6 picture-a")
        let importer = ImageImport(
            store: t.store, loader: Fixtures.fakeLoader, conditions: ConditionCatalogue(known: nil))
        let options = ImageImport.Options(origin: .real, condition: "dermatology/vitiligo", split: .train)
        var calls = 0
        let report = try importer.run(paths: [t.file("in")], options: options) { _, total in
            calls += 1; #expect(total == 4)
        }
        #expect(calls == 4)
        #expect(report.addedCount == 2)
        #expect(report.existingCount == 1)
        #expect(report.failures.count == 1)
        #expect(report.failures[0].path.hasSuffix("broken.png"))
        #expect(report.failures[0].error.message.contains("broken.png"))
        let stored = try t.store.images()
        #expect(stored.count == 2)
        #expect(
            stored.allSatisfy {
                $0.condition == Fixtures.vitiligo && $0.origin == .real && $0.split == .train && $0.width == 8
            })
        #expect(stored.contains { $0.path == ImageIdentity.absolutePath(a) && $0.byteCount == 18 })
        // A second run adds nothing.
        let again = try importer.run(paths: [a], options: options)
        #expect(again.addedCount == 0 && again.existingCount == 1)
    }

    @Test func aFolderWithoutImagesIsAFailureNamingWhatItHolds() throws {
        let t = try TempStore()
        defer { t.remove() }
        _ = try t.write("scans/a.tif", "TIFF")
        _ = try t.write("scans/b.TIF", "TIFF")
        _ = try t.write("scans/deeper/readme", "no extension")
        try FileManager.default.createDirectory(atPath: t.file("empty"), withIntermediateDirectories: true)
        let good = try t.write("good/a.png", "FAKE 8x6 picture-a")
        let importer = ImageImport(store: t.store, loader: Fixtures.fakeLoader, conditions: ConditionCatalogue(known: nil))
        let options = ImageImport.Options(origin: .real, condition: "dermatology/vitiligo")
        let report = try importer.run(paths: [t.file("scans"), t.file("empty"), good], options: options)
        #expect(report.addedCount == 1)
        #expect(report.failures.map(\.path) == [t.file("scans"), t.file("empty")])
        #expect(report.failures[0].error.message == "\(t.file("scans")): no .png, .jpg or .jpeg images in this folder "
            + "(it holds 1 file(s) without an extension, 2 .tif file(s))")
        #expect(report.failures[1].error.message.hasSuffix("(it holds no files)"))
    }

    @Test func conditionFromFolderAndManifest() throws {
        let t = try TempStore()
        defer { t.remove() }
        let catalogue = ConditionCatalogue(known: [Fixtures.vitiligo, Fixtures.psoriasis])
        let a = try t.write("psoriasis/a.png", "FAKE 4x4 a")
        let b = try t.write("psoriasis/b.png", "FAKE 4x4 b")
        let manifestPath = try t.write(
            "manifest.csv", "path,condition,split,skin_tone\npsoriasis/b.png,vitiligo,test,4\n")
        let manifest = try ImageManifest(path: manifestPath, conditions: catalogue)
        let importer = ImageImport(store: t.store, loader: Fixtures.fakeLoader, conditions: catalogue)
        let report = try importer.run(
            paths: [a, b],
            options: .init(origin: .synthetic, conditionFromFolder: true, generator: "ddpm-v1", manifest: manifest))
        #expect(report.addedCount == 2)
        let byPath = Dictionary(uniqueKeysWithValues: try t.store.images().map { ($0.path, $0) })
        let ra = try #require(byPath[ImageIdentity.absolutePath(a)]),
            rb = try #require(byPath[ImageIdentity.absolutePath(b)])
        #expect(
            ra.condition == Fixtures.psoriasis && ra.split == DataSplit.none && ra.skinTone == nil
                && ra.generator == "ddpm-v1")
        #expect(rb.condition == Fixtures.vitiligo && rb.split == .test && rb.skinTone == "IV")
        // Manifest alone lists the files.
        let onlyManifest = try importer.run(paths: [], options: .init(origin: .synthetic, manifest: manifest))
        #expect(onlyManifest.existingCount == 1)
    }

    @Test func unknownOrBareConditionsAreRefused() throws {
        let t = try TempStore()
        defer { t.remove() }
        let a = try t.write("eczma/a.png", "FAKE 4x4 a")
        let known = ConditionCatalogue(known: [Fixtures.vitiligo, try ConditionID(parsing: "dermatology/eczema")])
        let report = try ImageImport(store: t.store, loader: Fixtures.fakeLoader, conditions: known)
            .run(paths: [a], options: .init(origin: .real, conditionFromFolder: true))
        #expect(report.failures.count == 1)
        #expect(report.failures[0].error.message.contains("did you mean dermatology/eczema"))
        let e = try #require(throws: StoreError.self) {
            try ImageImport(store: t.store, loader: Fixtures.fakeLoader, conditions: ConditionCatalogue(known: nil))
                .run(paths: [a], options: .init(origin: .real, condition: "vitiligo"))
        }
        #expect(e.message.contains("--condition") && e.message.contains("no domain"))
    }

    @Test(arguments: [
        ("path,condition\na.png,Derm/Bad\n", "m.csv:2:7: condition:"),
        ("path,split\na.png,validation\n", "m.csv:2:7: split: expected train, test or none, got 'validation'"),
        ("path,skin_tone\na.png,VII\n", "m.csv:2:7: skin_tone: expected a Fitzpatrick type I-VI"),
        ("path,colour\na.png,red\n", "m.csv:1:6: unknown column 'colour'"),
        ("condition\ndermatology/vitiligo\n", "m.csv:1: the manifest has no 'path' column"),
        ("path\na.png\na.png\n", "m.csv:3: a.png is listed twice (first at line 2)"),
    ])
    func badManifestsNameLineAndColumn(text: String, expected: String) throws {
        let error = try #require(throws: StoreError.self) {
            try ImageManifest(bytes: Array(text.utf8), path: "m.csv", conditions: ConditionCatalogue(known: nil))
        }
        #expect(error.message.hasPrefix(expected), "\(error.message)")
    }
}
