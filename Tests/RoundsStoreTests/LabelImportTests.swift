import Foundation
import RoundsCore
import Testing

@testable import RoundsStore

@Suite struct LabelImportTests {
    private func seeded() throws -> (TempStore, [ImageRecord]) {
        let t = try TempStore()
        let images = (1...3).map { Fixtures.image($0, path: t.file("img\($0).png")) }
        try t.store.addImages(images)
        return (t, images)
    }

    @Test func importsCSVByPathAndID() throws {
        let (t, images) = try seeded()
        defer { t.remove() }
        let csv =
            "\u{FEFF}image,label,note,criterion:border,criterion:color\r\n"
            + "img1.png,plausible,\"looks, fine\",met,\r\n"
            + "\(images[1].id),0,,not_met,uncertain\r\n"
            + "\(t.file("img3.png")),,,Not Met,\r\n"
        let file = try t.write("labels.csv", csv)
        let report = try LabelImport(store: t.store).run(path: file, rater: "dr-a", skipBad: false)
        #expect(report.imported == 3 && report.criterionVerdicts == 4 && report.problems.isEmpty)
        let labels = try t.store.labels(rater: "dr-a")
        #expect(labels.map(\.label.imageID) == images.map(\.id))
        #expect(labels.map(\.label.plausible) == [true, false, nil])
        #expect(labels[0].label.note == "looks, fine")
        #expect(labels[1].criteria == ["border": .notMet, "color": .uncertain])
        #expect(labels[2].criteria == ["border": .notMet])
        #expect(labels[0].label.source == "\(file):2")
    }

    /// Importing the same file again stores nothing and says so; a changed row, or another rater, is a
    /// new label.
    @Test func reimportingTheSameLabelsIsANoOp() throws {
        let (t, images) = try seeded()
        defer { t.remove() }
        let csv = "image,label,note,criterion:border\n" + "img1.png,plausible,\"fine\",met\n" + "img2.png,0,,not_met\n"
            + "img3.png,,,uncertain\n"
        let file = try t.write("labels.csv", csv)
        let first = try LabelImport(store: t.store).run(path: file, rater: "dr-a", skipBad: false)
        #expect(first.imported == 3 && first.alreadyStored == 0)
        let again = try LabelImport(store: t.store).run(path: file, rater: "dr-a", skipBad: false)
        #expect(again.imported == 0 && again.alreadyStored == 3 && again.criterionVerdicts == 0)
        #expect(try t.store.labels(rater: "dr-a").count == 3, "not doubled")
        // the same rows as JSONL from another file are the same labels
        let jsonl = try t.write("labels.jsonl", """
            {"image": "\(images[0].id)", "label": "plausible", "note": "fine", "criteria": {"border": "met"}}
            {"image": "img2.png", "label": 0, "criteria": {"border": "met"}}

            """)
        let changed = try LabelImport(store: t.store).run(path: jsonl, rater: "dr-a", skipBad: false)
        #expect(changed.imported == 1 && changed.alreadyStored == 1, "img2's verdict changed: a new label")
        let other = try LabelImport(store: t.store).run(path: file, rater: "dr-b", skipBad: false)
        #expect(other.imported == 3)
        #expect(try t.store.labels(rater: "dr-a").count == 4)
    }

    @Test func importsJSONL() throws {
        let (t, images) = try seeded()
        defer { t.remove() }
        let text = """
            {"image": "\(images[0].id)", "label": "implausible", "criteria": {"border": "met"}}

            {"image": "img2.png", "label": 1, "criterion:color": "uncertain", "note": "ok"}
            """
        let file = try t.write("labels.jsonl", text + "\n")
        let report = try LabelImport(store: t.store).run(path: file, rater: "dr-b", skipBad: false)
        #expect(report.imported == 2 && report.criterionVerdicts == 2)
        let labels = try t.store.labels(rater: "dr-b")
        #expect(labels.map(\.label.plausible) == [false, true])
        #expect(labels[0].criteria == ["border": .met] && labels[1].criteria == ["color": .uncertain])
        #expect(labels[1].label.source == "\(file):3")
    }

    @Test func oneBadRowImportsNothingAndNamesLineAndColumn() throws {
        let (t, _) = try seeded()
        defer { t.remove() }
        let file = try t.write(
            "labels.csv",
            "image,label,criterion:border\nimg1.png,plausible,met\nimg2.png,maybe,met\nimg3.png,1,sometimes\nmissing.png,1,\nimg1.png,,\n"
        )
        let error = try #require(throws: StoreError.self) {
            try LabelImport(store: t.store).run(path: file, rater: "dr-a", skipBad: false)
        }
        #expect(error.code == .invalidInput)
        #expect(error.message.contains("4 bad row(s); nothing was imported"))
        #expect(error.message.contains("\(file):3:10: label: expected plausible, implausible, 1 or 0, got 'maybe'"))
        #expect(
            error.message.contains(
                "\(file):4:12: criterion:border: expected met, not_met or uncertain, got 'sometimes'"))
        #expect(
            error.message.contains("\(file):5:1: image: 'missing.png' is neither a stored path nor a stored image id"))
        #expect(error.message.contains("\(file):6:1: row has neither a label nor any criterion verdict"))
        #expect(try t.store.labels(rater: "dr-a").isEmpty)
        // With skipBad the good row goes in and the bad ones are reported.
        let report = try LabelImport(store: t.store).run(path: file, rater: "dr-a", skipBad: true)
        #expect(report.imported == 1 && report.problems.count == 4)
        #expect(try t.store.labels(rater: "dr-a").count == 1)
    }

    /// A criterion column the image's checklist does not have is a bad row, named with the criteria
    /// the checklist has; conditions without a checklist here are not checked.
    @Test func rowsThatContradictEachOtherAreBadRows() throws {
        let (t, images) = try seeded()
        defer { t.remove() }
        // img1 twice by path and id with another label; img2 twice with another verdict; img3 twice alike.
        let csv = "image,label,criterion:border\n"
            + "img1.png,plausible,met\n" + "\(images[0].id),implausible,met\n"
            + "img2.png,1,met\n" + "img2.png,1,not_met\n"
            + "img3.png,0,\n" + "img3.png,0,\n"
        let file = try t.write("labels.csv", csv)
        let error = try #require(throws: StoreError.self) {
            try LabelImport(store: t.store).run(path: file, rater: "dr-a", skipBad: false)
        }
        #expect(error.message.contains("4 bad row(s); nothing was imported"), "\(error.message)")
        #expect(error.message.contains(
            "\(file):2: image: 'img1.png' is labelled differently on line(s) 3 (label: plausible vs implausible); keep one row per image"))
        #expect(error.message.contains("\(file):5: image: 'img2.png' is labelled differently on line(s) 4 (criterion:border: met vs not_met)"))
        #expect(try t.store.labels(rater: "dr-a").isEmpty)
        let report = try LabelImport(store: t.store).run(path: file, rater: "dr-a", skipBad: true)
        // img3's two identical rows say one thing: one label (a label is its rater, image and content)
        #expect(report.imported == 1 && report.alreadyStored == 1 && report.problems.count == 4)
        #expect(try t.store.labels(rater: "dr-a").map(\.label.imageID) == [images[2].id])
    }

    @Test func criteriaOutsideTheChecklistAreBadRows() throws {
        let (t, images) = try seeded()
        defer { t.remove() }
        let condition = try #require(images[0].condition)
        let file = try t.write("labels.csv", "image,label,criterion:border,criterion:bogus\nimg1.png,1,met,\nimg2.png,1,,met\n")
        let known: @Sendable (ConditionID) -> Set<String>? = { $0 == condition ? ["border", "color"] : nil }
        let error = try #require(throws: StoreError.self) {
            try LabelImport(store: t.store).run(path: file, rater: "dr-a", skipBad: false, criteria: known)
        }
        #expect(error.message.contains("\(file):3: criterion:bogus: not a criterion of \(condition)'s checklist (it has: border, color)"),
                "\(error.message)")
        #expect(try t.store.labels(rater: "dr-a").isEmpty)
        let report = try LabelImport(store: t.store).run(path: file, rater: "dr-a", skipBad: true, criteria: known)
        #expect(report.imported == 1 && report.problems.count == 1)
        let unchecked = try LabelImport(store: t.store).run(path: file, rater: "dr-b", skipBad: false)
        #expect(unchecked.imported == 2)
    }

    @Test(arguments: [
        (
            "labels.jsonl", "{\"image\": \"img1.png\", \"label\": 1}\n{\"image\": \"img2.png\" \"label\": 1}\n",
            ":2:22: invalid JSON: expected ',' or '}'"
        ),
        (
            "labels.jsonl", "{\"image\": \"img1.png\", \"label\": 2}\n",
            ":1: label: expected plausible, implausible, 1 or 0, got 2"
        ),
        ("labels.jsonl", "{\"image\": \"img1.png\", \"label\": 1, \"score\": 3}\n", ":1: unknown key 'score'"),
        ("labels.jsonl", "[1]\n", ":1: expected a JSON object per line"),
        ("labels.csv", "image,label\nimg1.png,1,extra\n", ":2:1: expected 2 fields as in the header, found 3"),
    ])
    func malformedRowsAreReported(name: String, text: String, expected: String) throws {
        let (t, _) = try seeded()
        defer { t.remove() }
        let file = try t.write(name, text)
        let error = try #require(throws: StoreError.self) {
            try LabelImport(store: t.store).run(path: file, rater: "r", skipBad: false)
        }
        #expect(error.message.contains(file + expected), "\(error.message)")
    }

    @Test(arguments: [
        ("image,label,colour\n", ":1:13: unknown column 'colour'"),
        ("label\n", ":1: no 'image' column"),
        ("image,note\n", ":1: no 'label' column and no criterion:<id> columns"),
        ("", ": the file is empty"),
        ("image,label\n\"img1.png,1\n", ":2:1: quoted field is never closed"),
    ])
    func badHeadersStopTheImport(text: String, expected: String) throws {
        let (t, _) = try seeded()
        defer { t.remove() }
        let file = try t.write("labels.csv", text)
        let error = try #require(throws: StoreError.self) {
            try LabelImport(store: t.store).run(path: file, rater: "r", skipBad: true)
        }
        #expect(error.message.hasPrefix(file + expected), "\(error.message)")
    }

    @Test func templateListsImagesOfTheCondition() throws {
        let (t, images) = try seeded()
        defer { t.remove() }
        try t.store.addImages([Fixtures.image(7, condition: Fixtures.psoriasis)])
        let (text, rows) = try LabelTemplate.csv(
            store: t.store, condition: Fixtures.vitiligo, criteria: ["border"], limit: 2)
        #expect(rows == 2)
        let csv = try CSVReader(bytes: Array(text.utf8), path: "template")
        #expect(
            csv.records[0].fields.map(\.value) == ["image", "path", "condition", "label", "note", "criterion:border"])
        #expect(csv.records.dropFirst().map { $0.fields[0].value } == images.prefix(2).map(\.id))
    }
}
