import Foundation
import RoundsChecklists
import RoundsCore
import Testing

@Suite struct YAMLSafetyTests {
    @Test func duplicateKeysAreAllReportedWithBothPositions() {
        let text = """
            id: sample
            name: Sample
            name: Again
            description: A sample.
            status: draft
            criteria:
              - id: white
                dimension: color
                text: The patch is white.
                text: Twice.
            status: draft

            """
        #expect(
            Fixture.problems(text) == [
                "sample.yaml:3:1: duplicate key 'name' (first at line 2, column 1)",
                "sample.yaml:10:5: duplicate key 'text' (first at line 9, column 5)",
                "sample.yaml:11:1: duplicate key 'status' (first at line 5, column 1)",
            ])
    }

    @Test func tabsAreReportedAtTheirColumn() {
        let text = "id: sample\nname: Sample\n\tdescription: x\nstatus: draft\n  \tcriteria: []\n"
        #expect(
            Fixture.problems(text) == [
                "sample.yaml:3:1: tab character in indentation; YAML indents with spaces only",
                "sample.yaml:5:3: tab character in indentation; YAML indents with spaces only",
            ])
    }

    @Test func malformedYAMLGivesTheParsersPosition() {
        let unclosed = "id: sample\nname: \"Sample\ndescription: x\n"
        let problems = Fixture.problems(unclosed)
        #expect(problems.count == 1)
        #expect(problems[0].hasPrefix("sample.yaml:4:1: YAML syntax: found unexpected end of stream"))
        let indentation = "id: sample\nname: Sample\n  description: x\n"
        let bad = Fixture.problems(indentation)
        #expect(bad.count == 1)
        #expect(bad[0].hasPrefix("sample.yaml:3:14: YAML syntax: mapping values are not allowed in this context"))
    }

    @Test func invalidUTF8EmptyAndOversizedFiles() {
        var bytes = Array("id: sample\nname: Caf".utf8)
        bytes += [0xC3, 0x28]
        let problems = Checklist.read(bytes: bytes, path: "sample.yaml", domain: Fixture.domain).1.map(\.description)
        #expect(problems == ["sample.yaml:2:10: invalid UTF-8 (byte 0xc3); save the file as UTF-8"])
        #expect(Fixture.problems("") == ["sample.yaml:1:1: file is empty"])
        #expect(Fixture.problems("# only a comment\n\n") == ["sample.yaml:1:1: file is empty"])
        let big = String(repeating: "# padding\n", count: 30_000)
        #expect(
            Fixture.problems(big) == [
                "sample.yaml:1:1: file is larger than the limit of 262144 bytes (256 KiB); a checklist is a few kilobytes"
            ])
    }

    @Test func anchorsAliasesAndTagsAreRefused() {
        let anchors = Fixture.valid.replacingOccurrences(
            of: "description: A sample condition.", with: "description: &d A sample.\nx: *d")
        #expect(
            Fixture.problems(anchors) == [
                "sample.yaml:3:14: description: anchors (&d) are not allowed; write the value out",
                "sample.yaml:4:1: x: aliases (*d) are not allowed; write the value out",
                "sample.yaml:4:1: x: unknown key 'x' (did you mean 'id'?)",
            ])
        let tags = Fixture.valid.replacingOccurrences(of: "name: Sample", with: "name: !!str Sample")
        #expect(
            Fixture.problems(tags) == [
                "sample.yaml:2:7: tags (!name) are not allowed; write a plain value"
            ])
    }

    /// The classic "billion laughs": 10 levels of 10 aliases; expanded it would hold 10^9 strings.
    static func billionLaughs(flow: Bool) -> String {
        var text = "lol0: &lol0 lol\n"
        for level in 1...9 {
            let ref = "*lol\(level - 1)"
            text +=
                flow
                ? "lol\(level): &lol\(level) [\(Array(repeating: ref, count: 10).joined(separator: ", "))]\n"
                : "lol\(level): &lol\(level)\n" + String(repeating: "  - \(ref)\n", count: 10)
        }
        return text
    }

    @Test(arguments: [false, true]) func billionLaughsIsRefusedQuickly(flow: Bool) {
        let start = ContinuousClock.now
        let problems = Fixture.problems(Self.billionLaughs(flow: flow))
        #expect(ContinuousClock.now - start < .seconds(2))
        // Each anchor once; the walk never enters an anchored node, so the aliases inside are never expanded.
        #expect(problems.contains("sample.yaml:1:7: lol0: anchors (&lol0) are not allowed; write the value out"))
        #expect(problems.filter { $0.contains("anchors (&lol") }.count == 10)
        // Besides: 10 unknown keys lol0...lol9 and the 5 missing required keys; nothing from inside.
        #expect(problems.filter { $0.contains("unknown key 'lol") }.count == 10)
        #expect(problems.count == 25)
    }

    /// Used as a key, the expanded tree would be hashed by Yams' duplicate-key check: refused unparsed.
    @Test func aliasAsKeyIsRefusedBeforeParsing() {
        for key in ["? *lol9\n: x\n", "*lol9 : x\n", "x: {*lol9 : y}\n"] {
            let start = ContinuousClock.now
            let problems = Fixture.problems(Self.billionLaughs(flow: false) + key)
            #expect(ContinuousClock.now - start < .seconds(2))
            #expect(
                problems.contains(
                    "sample.yaml:101:1: anchors (&name), aliases (*name) and complex (?) keys are not allowed; write each value out"
                ))
        }
    }

    @Test func deepNestingIsRefusedBeforeParsing() {
        let text = "criteria: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "\n"
        #expect(Fixture.problems(text) == ["sample.yaml:1:1: brackets nest too deep (more than 32 levels)"])
        let dashes = "criteria:\n" + String(repeating: "- ", count: 5000) + "x\n"
        #expect(Fixture.problems(dashes) == ["sample.yaml:2:1: nesting is too deep (more than 32 levels)"])
    }

    @Test func byteOrderMarkAndWindowsLineEndingsAreAccepted() {
        let crlf = Fixture.valid.replacingOccurrences(of: "\n", with: "\r\n")
        let bytes = [0xEF, 0xBB, 0xBF] + Array(crlf.utf8)
        let (checklist, problems) = Checklist.read(bytes: bytes, path: "sample.yaml", domain: Fixture.domain)
        #expect(problems.isEmpty)
        #expect(checklist?.version == Fixture.checklist(Fixture.valid)?.version)
        let duplicate = crlf.replacingOccurrences(of: "status: draft", with: "status: draft\r\nname: Twice")
        #expect(Fixture.problems(duplicate) == ["sample.yaml:5:1: duplicate key 'name' (first at line 2, column 1)"])
    }

    @Test func structuralMistakes() {
        #expect(
            Fixture.problems("- id: a\n- id: b\n") == [
                "sample.yaml:1:1: expected a mapping of id, name, status…, found a list"
            ])
        #expect(
            Fixture.problems("id: a\n---\nid: b\n") == [
                "sample.yaml:2:1: YAML syntax: but found another document (expected a single document in the stream at line 1, column 1)"
            ])
        #expect(
            Fixture.problems("id: nul\nname: a\u{01}b\n") == [
                "sample.yaml:2:8: cannot read: control characters are not allowed"
            ])
        #expect(
            Fixture.problems(Fixture.valid + "{a: 1}: x\n") == [
                "sample.yaml:9:1: keys must be plain words, found a mapping",
                "sample.yaml:9:1: write lists and mappings in block style (one '- item' or 'key: value' a line), not [...] or {...}",
            ])
        #expect(
            Fixture.problems("%YAML 1.1\n---\n" + Fixture.valid).first
                == "sample.yaml:1:1: directives (%) are not allowed")
    }

    /// Criterion wording may start a line with `[`, `!`, `*` or `&`: inside text that is not structure.
    @Test func scalarTextIsNotMistakenForStructure() {
        let text = """
            id: sample
            name: Sample
            description: >-
              [Fitzpatrick V-VI] patches: {see notes}
              !important & *rare*
            status: draft
            criteria:
              - id: white
                dimension: color
                text: The patch is white
                  [not merely pale], with {sharp} edges & *no* scale.
                notes: |
                  ? Not to be confused with: [pityriasis alba]
                  *a : b

            """
        #expect(Fixture.problems(text) == [])
        #expect(
            Fixture.checklist(text)?.criteria[0].text
                == "The patch is white [not merely pale], with {sharp} edges & *no* scale.")
    }
}
