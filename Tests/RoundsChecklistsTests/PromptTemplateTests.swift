import Foundation
import RoundsChecklists
import RoundsCore
import Testing

@Suite struct PromptTemplateTests {
    static func problems(_ text: String, kind: PromptKind = .judgeImage) -> [String] {
        do {
            _ = try PromptTemplate(kind: kind, bytes: Array(text.utf8), path: "t.mustache")
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func repoTemplatesLoad() throws {
        let library = try PromptLibrary.load(from: .directory(Fixture.prompts, reason: "test"))
        #expect(library.templates.count == PromptKind.allCases.count)
        let bytes = try Data(contentsOf: Fixture.prompts.appendingPathComponent("judge-image.mustache"))
        #expect(library.template(.judgeImage).version == SHA256.hex(Array(bytes)))
    }

    @Test func unknownVariablesFailWithPosition() {
        #expect(
            Self.problems("Hello {{condition.nam}}\n{{#criteria}}\n  {{txt}}\n{{/criteria}}\n{{{answer}}}") == [
                "t.mustache:1:7: unknown variable 'condition.nam' (known here: answer_shape, condition, criteria, criteria_count, domain)",
                "t.mustache:3:3: unknown variable 'txt' (did you mean 'text'?)",
                "t.mustache:5:1: unknown variable 'answer' (known here: answer_shape, condition, criteria, criteria_count, domain)",
            ])
        // Criterion fields exist only inside the criteria section.
        #expect(
            Self.problems("{{text}}") == [
                "t.mustache:1:1: unknown variable 'text' (known here: answer_shape, condition, criteria, criteria_count, domain)"
            ])
        // Each kind has its own variables.
        #expect(Self.problems("{{criteria_count}}", kind: .repairJSON).count == 1)
        #expect(Self.problems("{{previous_answer}} {{problem}} {{answer_shape}}", kind: .repairJSON).isEmpty)
    }

    @Test func unbalancedSectionsFail() {
        #expect(
            Self.problems("{{#criteria}}\n{{text}}\n") == [
                "t.mustache:1:1: section 'criteria' is never closed with {{/criteria}}"
            ])
        #expect(
            Self.problems("{{#criteria}}{{#has_notes}}{{/criteria}}{{/has_notes}}") == [
                "t.mustache:1:28: '{{/criteria}}' closes 'has_notes', opened at line 1, column 14",
                "t.mustache:1:41: '{{/has_notes}}' closes 'criteria', opened at line 1, column 1",
            ])
        #expect(
            Self.problems("x\n{{/criteria}}") == [
                "t.mustache:2:1: '{{/criteria}}' closes a section that was never opened"
            ])
    }

    @Test func unsupportedTagsAndMisuseFail() {
        #expect(
            Self.problems("{{> header}}") == [
                "t.mustache:1:1: '{{>…}}' tags (partials, blocks, delimiters, pragmas) are not supported in Rounds prompts"
            ])
        #expect(
            Self.problems("{{criteria}}") == [
                "t.mustache:1:1: 'criteria' is a list or group; use it as a section {{#criteria}}…{{/criteria}}"
            ])
        #expect(Self.problems("{{domain.name") == ["t.mustache:1:1: tag is not closed with }}"])
        #expect(Self.problems("{{! a comment }}{{domain.name}}{{#criteria}}{{text}}{{/criteria}}").isEmpty)
    }

    /// A template that never shows the model what it is asked about (an empty file, say) does not load.
    @Test func aTemplateMustUseItsKindsContent() {
        let judge = "t.mustache:1:1: the template never uses {{#criteria}}, so the model would not see what it is asked about"
        #expect(Self.problems("") == [judge])
        #expect(Self.problems("Look at {{domain.name}}.") == [judge])
        #expect(Self.problems("", kind: .identifyCondition) == [
            "t.mustache:1:1: the template never uses {{#conditions}}, so the model would not see what it is asked about"])
        #expect(Self.problems("{{problem}}", kind: .repairJSON) == [
            "t.mustache:1:1: the template never uses {{previous_answer}}, so the model would not see the answer to repair"])
    }

    @Test func judgeImageRendersGolden() throws {
        let library = try PromptLibrary.load(from: .directory(Fixture.prompts, reason: "test"))
        let catalog = try ChecklistCatalog.load(from: .directory(Fixture.checklists, reason: "test"))
        let checklist = try catalog.resolve("vitiligo")
        let domain = try #require(catalog.domain("skin"))
        let prompt = PromptRenderer.judgeImage(
            library.template(.judgeImage), checklist: checklist, domain: domain,
            answerShape: AnswerShape.judgeImage(checklist))
        #expect(
            prompt == """
                You are checking one photograph from the domain "Skin" against a clinical checklist.
                The image is meant to show: Vitiligo (skin/vitiligo).
                About this condition: Acquired loss of melanocytes giving sharply bordered depigmented patches.

                Judge only what is visible in the image. Do not guess from the condition's name, from what would be
                typical, or from anything outside the image. For each of the 3 criteria below answer:
                - "met" when the image clearly shows it,
                - "not_met" when the image clearly does not show it or shows something contradicting it,
                - "uncertain" when the image is too unclear, cropped or ambiguous to tell.
                If the image is not a plausible photograph at all (noise, a blank or an unrelated picture),
                every criterion is "not_met".

                Criteria:
                1. [depigmented-color] (Color) The patch is milk-white (depigmented), clearly lighter than the surrounding skin.
                   Note: On darker skin the contrast is stark, chalk-white against brown.
                2. [sharp-border] (Lesion type) The patch has a sharp, well-defined border.
                3. [typical-site] (Location) The patch is around the mouth or eyes, on the hands or on the feet.

                For each criterion give a short piece of evidence: what in the image made you decide (at most 25 words).
                Answer with JSON only, no prose before or after it, in exactly this shape, with one entry per criterion
                in the order above:
                {
                  "criteria": [
                    {"id": "depigmented-color", "verdict": "met | not_met | uncertain", "evidence": "<at most 25 words>"},
                    {"id": "sharp-border", "verdict": "met | not_met | uncertain", "evidence": "<at most 25 words>"},
                    {"id": "typical-site", "verdict": "met | not_met | uncertain", "evidence": "<at most 25 words>"}
                  ]
                }

                """)
    }

    @Test func otherTemplatesRenderTheirContext() throws {
        let library = try PromptLibrary.load(from: .directory(Fixture.prompts, reason: "test"))
        let catalog = try ChecklistCatalog.load(from: .directory(Fixture.checklists, reason: "test"))
        let domain = try #require(catalog.domain("skin"))
        let psoriasis = try catalog.resolve("psoriasis")
        let pair = PromptRenderer.judgePair(
            library.template(.judgePair), checklist: psoriasis, domain: domain,
            answerShape: AnswerShape.judgePair(psoriasis))
        #expect(
            pair.contains(
                "the first image is A, the second image is B. Both are meant to show: Psoriasis (skin/psoriasis)."))
        #expect(
            pair.contains(
                "2. [scale-color] (Color) The plaque is pink-red and covered by silvery-white scale.\n   Note: On darker skin"
            ))
        #expect(pair.contains(#""overall": "A | B | tie""#))
        let conditions = catalog.conditions.map { catalog.checklists[$0]! }
        let identify = PromptRenderer.identifyCondition(
            library.template(.identifyCondition), conditions: conditions,
            domain: domain, answerShape: AnswerShape.identifyCondition)
        #expect(identify.contains("Which one of these 3 conditions does it show?\n\n- skin/acne: Acne. Comedones"))
        let repair = PromptRenderer.repairJSON(
            library.template(.repairJSON), previousAnswer: "{\"criteria\": [",
            problem: "unexpected end of input at line 1, column 15",
            answerShape: AnswerShape.identifyCondition)
        #expect(
            repair.hasPrefix("Your previous answer could not be used: unexpected end of input at line 1, column 15\n"))
        #expect(repair.contains("<<<\n{\"criteria\": [\n>>>"))
    }
}
