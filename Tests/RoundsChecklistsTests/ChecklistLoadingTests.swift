import Foundation
import RoundsChecklists
import RoundsCore
import Testing

@Suite struct ChecklistLoadingTests {
    @Test func validFileLoadsWithDefaultsAndLocations() throws {
        let checklist = try #require(Fixture.checklist(Fixture.valid))
        #expect(checklist.condition.description == "skin/sample")
        #expect(checklist.kind == .condition)
        #expect(checklist.status == .draft)
        #expect(checklist.criteria.count == 1)
        #expect(checklist.criteria[0].weight == 1)
        #expect(checklist.criteria[0].notes == nil)
        #expect(checklist.criteria[0].location.description == "sample.yaml:6:5")
        #expect(checklist.criteria[0].fieldLocations["text"]?.description == "sample.yaml:8:11")
        #expect(checklist.fieldLocations["status"]?.description == "sample.yaml:4:9")
    }

    @Test func everyProblemIsReportedAtOnceWithPositionAndField() {
        let text = """
            id: sample
            name: Sample
            description: A sample.
            status: draft
            colour: red
            criteria:
              - id: white
                dimension: colour
                text: The patch is white.
              - id: white
                dimension: color
                text: ""
                weight: -1
              - id: Bad_Id
                dimension: location
                text:
                  nested: mapping
                wieght: 2

            """
        #expect(
            Fixture.problems(text) == [
                "sample.yaml:5:1: colour: unknown key 'colour' (allowed: id, name, description, status, reviewed_by, reviewed_on, kind, criteria, prompt)",
                "sample.yaml:8:16: criteria[0].dimension: 'colour' is not a dimension of domain 'skin' (location, lesion-type, color); did you mean 'color'?",
                "sample.yaml:10:9: criteria[1].id: duplicate criterion id 'white' (first at line 7)",
                "sample.yaml:12:11: criteria[1].text: is empty; expected text",
                "sample.yaml:13:13: criteria[1].weight: must be greater than 0, found -1",
                "sample.yaml:14:9: criteria[2].id: 'Bad_Id' is not a slug (lowercase letters and digits joined by '-')",
                "sample.yaml:17:7: criteria[2].text: expected text, found a mapping",
                "sample.yaml:18:5: criteria[2].wieght: unknown key 'wieght' (did you mean 'weight'?)",
            ])
    }

    @Test func missingRequiredKeysPointAtTheMapping() {
        let text = "id: sample\nstatus: draft\ncriteria:\n  - id: a\n    text: The patch is white.\n"
        #expect(
            Fixture.problems(text) == [
                "sample.yaml:1:1: description: missing required key 'description'",
                "sample.yaml:1:1: name: missing required key 'name'",
                "sample.yaml:4:5: criteria[0].dimension: missing required key 'dimension'",
            ])
    }

    @Test func idMustMatchTheFileName() {
        #expect(
            Fixture.problems(Fixture.valid, name: "other") == [
                "other.yaml:1:5: id: 'sample' does not match the file name 'other'; rename one of them"
            ])
    }

    @Test func reviewedNeedsReviewerAndDate() {
        let base = Fixture.valid.replacingOccurrences(
            of: "status: draft", with: "status: reviewed\nreviewed_by: null\nreviewed_on: 2026-02-30")
        #expect(
            Fixture.problems(base) == [
                "sample.yaml:5:14: reviewed_by: status is reviewed: name who reviewed it",
                "sample.yaml:6:14: reviewed_on: '2026-02-30' is not a date written YYYY-MM-DD",
            ])
        let draft = Fixture.valid.replacingOccurrences(of: "status: draft", with: "status: draft\nreviewed_by: Dr X")
        #expect(
            Fixture.problems(draft) == [
                "sample.yaml:5:14: reviewed_by: status is draft: leave it null until the review"
            ])
        let good = Fixture.valid.replacingOccurrences(
            of: "status: draft", with: "status: reviewed\nreviewed_by: Dr X\nreviewed_on: 2024-02-29")
        #expect(Fixture.problems(good).isEmpty)
    }

    @Test func wrongTypesAndValues() {
        let text = """
            id: sample
            name: [a, b]
            description: A sample.
            status: done
            criteria: none

            """
        #expect(
            Fixture.problems(text) == [
                "sample.yaml:2:7: write lists and mappings in block style (one '- item' or 'key: value' a line), not [...] or {...}",
                "sample.yaml:2:7: name: expected text, found a list",
                "sample.yaml:4:9: status: 'done' is not one of draft, reviewed",
                "sample.yaml:5:11: criteria: expected a list ('- ' items), found 'none'",
            ])
        let quotedWeight = Fixture.valid + "    weight: \"2\"\n"
        #expect(
            Fixture.problems(quotedWeight) == [
                "sample.yaml:9:13: criteria[0].weight: expected a number greater than 0, found the string \"2\""
            ])
    }

    @Test func todoPlaceholdersFailLint() {
        let text = Fixture.valid.replacingOccurrences(of: "The patch is white.", with: "TODO one visual fact.")
        #expect(
            Fixture.problems(text) == [
                "sample.yaml:8:11: criteria[0].text: still holds a TODO placeholder; write the criterion"
            ])
    }

    @Test func textLengthLimits() {
        let long = String(repeating: "a", count: 401)
        let text = Fixture.valid.replacingOccurrences(of: "The patch is white.", with: long)
        #expect(Fixture.problems(text) == ["sample.yaml:8:11: criteria[0].text: is 401 characters; the limit is 400"])
    }

    @Test func artefactsKindRules() {
        let artefacts = """
            id: artefacts
            name: Artefacts
            kind: artefacts
            status: draft
            criteria:
              - id: no-text
                dimension: artefact
                text: No text or ruler.

            """
        #expect(Fixture.problems(artefacts, name: "artefacts").isEmpty)
        #expect(Fixture.checklist(artefacts, name: "artefacts")?.kind == .artefacts)
        let withoutKind = artefacts.replacingOccurrences(of: "kind: artefacts\n", with: "")
        #expect(
            Fixture.problems(withoutKind, name: "artefacts") == [
                "artefacts.yaml:1:1: kind: artefacts.yaml must say kind: artefacts"
            ])
        let artefactInCondition = Fixture.valid.replacingOccurrences(
            of: "dimension: color", with: "dimension: artefact")
        #expect(Fixture.problems(artefactInCondition).count == 1)
    }
}
