import RoundsChecklists
import Testing

/// The optional `prompt` a text-conditioned model (Stable Diffusion) is given for a condition.
@Suite struct PromptFieldTests {
    @Test func defaultsToAPhotoOfTheName() throws {
        let c = try #require(Fixture.checklist(Fixture.valid))
        #expect(c.prompt == nil)
        #expect(c.generationPrompt == "a photo of Sample")
    }

    /// Adding a prompt keeps the checklist's version, so judged images do not become pending again.
    @Test func promptIsNotPartOfTheVersion() throws {
        let plain = try #require(Fixture.checklist(Fixture.valid))
        let prompted = try #require(Fixture.checklist(Fixture.valid + "prompt: a clinical photograph of {condition} on dark skin\n"))
        #expect(prompted.generationPrompt == "a clinical photograph of Sample on dark skin")
        #expect(prompted.version == plain.version)
        let null = try #require(Fixture.checklist(Fixture.valid + "prompt: null\n"))
        #expect(null.prompt == nil)
    }

    @Test func unknownPlaceholderNamesTheLine() {
        let problems = Fixture.problems(Fixture.valid + "prompt: a photo of {condition} on {skin_tone} skin\n")
        #expect(problems.count == 1)
        #expect(problems.first?.contains("sample.yaml:9") == true, "\(problems)")
        #expect(problems.first?.contains("{skin_tone}") == true, "\(problems)")
        let unclosed = Fixture.problems(Fixture.valid + "prompt: a photo of {condition\n")
        #expect(unclosed.first?.contains("unclosed") == true, "\(unclosed)")
    }
}
