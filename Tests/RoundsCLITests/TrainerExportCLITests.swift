import Foundation
import RoundsBroker
import RoundsCore
import RoundsImaging
import RoundsStore
import Testing

/// Exports for the trainers people run on GPUs: the DPO dataset folder diffusers' script loads with its
/// defaults, MAGIC's JSON and the image folder of diffusers' text-to-image scripts. These check the
/// files' format; Tools/check-trainer-exports.sh runs the real scripts on them.
@Suite struct TrainerExportCLITests {
    @Test func dpoFolderIsTheValidationSplitDiffusersReadsByDefault() throws {
        let f = try BrokerFixture.make()
        defer { f.remove() }
        let result = try f.run(["broker", "dpo", "--out", "exports/dpo-set", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let written = try #require(try JSONValue(parsing: result.stdout)["pairs_written"]?.doubleValue)
        let folder = f.dir.appendingPathComponent("exports/dpo-set")
        // `datasets` names the split after the file: validation-*.parquet is the split "validation".
        let parquet = folder.appendingPathComponent("data/validation-00000-of-00001.parquet").path
        let rows = try PickAPicFile.read(path: parquet)
        #expect(Double(rows.count) == written)
        let store = try f.store()
        for row in rows {
            let image = try #require(try store.image(id: row.imageID0))
            #expect(row.jpg0 == Array(try Data(contentsOf: URL(fileURLWithPath: image.path))))
        }
        let card = try String(contentsOf: folder.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(card.hasPrefix("---\nconfigs:\n- config_name: default\n  data_files:\n  - split: validation\n    path: data/validation-00000-of-00001.parquet\n---\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["README.md", "data"])
        // Again into the same folder: replaced, not added to.
        #expect(try f.run(["broker", "dpo", "--out", "exports/dpo-set"]).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("data").path).count == 1)
    }

    @Test func dpoResolutionWritesSquarePNGsAtThatSize() throws {
        let f = try BrokerFixture.make()
        defer { f.remove() }
        let result = try f.run(["broker", "dpo", "--out", "dpo", "--resolution", "24"])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try PickAPicFile.read(path: f.dir.appendingPathComponent("dpo/data/validation-00000-of-00001.parquet").path)
        #expect(!rows.isEmpty)
        for row in rows {
            for bytes in [row.jpg0, row.jpg1] {
                let (image, format) = try ImageFile.decode(bytes, source: "jpg")
                #expect(format == .png && image.width == 24 && image.height == 24)
            }
        }
        for bad in [["--resolution", "0"], ["--resolution", "99999"]] {
            let r = try f.run(["broker", "dpo", "--out", "dpo2"] + bad)
            #expect(r.status == 64 && r.stderr.contains("--resolution must be between 8 and 4096"), "\(r.stderr)")
        }
        let jsonl = try f.run(["broker", "dpo", "--out", "p.jsonl", "--resolution", "32"])
        #expect(jsonl.status == 64 && jsonl.stderr.contains("holds only paths"), "\(jsonl.stderr)")
    }

    @Test func rftMagicIsMAGICsJSONWithTheImagesThatPass() throws {
        let f = try BrokerFixture.make()
        defer { f.remove() }
        let result = try f.run(["broker", "rft", "--out", "magic.json", "--format", "magic", "--weighting", "threshold",
                                "--threshold", "0.99", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try JSONValue(parsing: result.stdout)
        #expect(summary["format"] == "magic")
        let written = try #require(summary["images_written"]?.doubleValue)
        #expect(written >= 1 && written < 16, "threshold weighting keeps only the images meeting everything")
        #expect(result.stderr.contains("carries no weights"))
        let text = try String(contentsOf: f.dir.appendingPathComponent("magic.json"), encoding: .utf8)
        let items = try #require(try JSONValue(parsing: text).arrayValue)
        #expect(Double(items.count) == written)
        let store = try f.store()
        for item in items {
            #expect(Set(try #require(item.objectValue).keys) == ["image_path", "label", "prompt"])
            let path = try #require(item["image_path"]?.stringValue)
            #expect(FileManager.default.fileExists(atPath: path))
            let label = try #require(item["label"]?.stringValue)
            #expect(!label.contains("/") && !label.isEmpty, "the display name, not the condition id")
            #expect(item["prompt"]?.stringValue == "an image of \(label)")
            #expect(try store.images().contains { $0.path == path && $0.origin == .synthetic })
        }
        // Keys in MAGIC's order, prompt last.
        let first = try #require(text.split(separator: "\n").dropFirst().first)
        let i = try #require(first.range(of: "\"image_path\"")), l = try #require(first.range(of: "\"label\"")),
            p = try #require(first.range(of: "\"prompt\""))
        #expect(i.lowerBound < l.lowerBound && l.lowerBound < p.lowerBound)
    }

    @Test func rftImageFolderCopiesImagesWithMetadata() throws {
        let f = try BrokerFixture.make()
        defer { f.remove() }
        let result = try f.run(["broker", "rft", "--out", "folder", "--format", "imagefolder", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let folder = f.dir.appendingPathComponent("folder")
        let metadata = try String(contentsOf: folder.appendingPathComponent("metadata.jsonl"), encoding: .utf8)
        let lines = try metadata.split(separator: "\n").map { try JSONValue(parsing: String($0)) }
        #expect(Double(lines.count) == (try JSONValue(parsing: result.stdout))["images_written"]?.doubleValue)
        var names = Set<String>()
        for line in lines {
            #expect(Set(try #require(line.objectValue).keys) == ["file_name", "text", "weight"])
            let name = try #require(line["file_name"]?.stringValue)
            #expect(!name.contains("/"))
            names.insert(name)
            let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(name)))
            let (image, _) = try ImageFile.decode(bytes, source: name)
            #expect(image.width > 0)
            #expect(line["text"]?.stringValue?.hasPrefix("an image of ") == true)
            #expect((line["weight"]?.doubleValue ?? 0) > 0)
        }
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)) == names.union(["metadata.jsonl"]))
        // Exporting again replaces the previous export; a folder with anything else is refused.
        #expect(try f.run(["broker", "rft", "--out", "folder", "--format", "imagefolder"]).status == 0)
        try Data("notes".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        let foreign = try f.run(["broker", "rft", "--out", "folder", "--format", "imagefolder"])
        #expect(foreign.status == 2 && foreign.stderr.contains("notes.txt"), "\(foreign.stderr)")
    }

    @Test func rftFormatErrorsAreUsageErrors() throws {
        let f = try BrokerFixture.make(judge: false)
        defer { f.remove() }
        let bogus = try f.run(["broker", "rft", "--out", "w.csv", "--format", "parquet"])
        #expect(bogus.status == 64 && bogus.stderr.contains("--format must be csv, jsonl, magic or imagefolder"))
        let noFormat = try f.run(["broker", "rft", "--out", "w.json"])
        #expect(noFormat.status == 64 && noFormat.stderr.contains("--format magic writes MAGIC's JSON"), "\(noFormat.stderr)")
        try Data("x".utf8).write(to: f.dir.appendingPathComponent("afile"))
        let fileAsFolder = try f.run(["broker", "rft", "--out", "afile", "--format", "imagefolder"])
        #expect(fileAsFolder.status == 64 && fileAsFolder.stderr.contains("writes a folder, and this is a file"))
    }
}
