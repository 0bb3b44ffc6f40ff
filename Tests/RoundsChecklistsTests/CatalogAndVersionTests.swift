import Foundation
import RoundsChecklists
import RoundsCore
import Testing

@Suite struct CatalogAndVersionTests {
    @Test func fixtureTreeLoadsCleanly() throws {
        let catalog = try ChecklistCatalog.load(from: .directory(Fixture.checklists, reason: "test"))
        #expect(catalog.problems.isEmpty)
        #expect(catalog.domains.map(\.id) == ["skin"])
        #expect(catalog.conditions.map(\.description) == ["skin/acne", "skin/psoriasis", "skin/vitiligo"])
        #expect(catalog.artefacts["skin"]?.criteria.count == 2)
        #expect(catalog.fileCount == 5)
    }

    @Test func resolvesFullAndBareNamesWithSuggestions() throws {
        let catalog = try ChecklistCatalog.load(from: .directory(Fixture.checklists, reason: "test"))
        #expect(try catalog.resolve("skin/vitiligo").name == "Vitiligo")
        #expect(try catalog.resolve("psoriasis").condition.description == "skin/psoriasis")
        #expect(throws: ChecklistError.self) { try catalog.resolve("artefacts") }
        #expect(try catalog.resolve("skin/artefacts").kind == .artefacts)
        do {
            _ = try catalog.resolve("vitiligoo")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .unknownCondition)
            #expect(error.message == "unknown condition 'vitiligoo' (did you mean skin/vitiligo?)")
        }
    }

    /// A condition whose file did not load is unknown, and the error says why, with the file and line.
    @Test func anUnknownConditionNamesItsBrokenFile() throws {
        let catalog = try ChecklistCatalog.load(from: .directory(Fixture.directory.appendingPathComponent("Broken"), reason: "test"))
        let scabies = catalog.problems(about: "skin/scabies")
        #expect(!scabies.isEmpty && scabies.allSatisfy { $0.location.path.hasSuffix("skin/scabies.yaml") }, "\(scabies)")
        #expect(catalog.problems(about: "scabies") == scabies)
        #expect(catalog.problems(about: "other/scabies").isEmpty)
        do {
            _ = try catalog.resolve("skin/scabies")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .unknownCondition)
            #expect(error.message.contains("its file did not load: ") && error.message.contains("scabies.yaml:3:1: tab character"),
                    "\(error.message)")
        }
    }

    /// Two files for one condition (`.yaml` beside `.yml`) are a problem, not a silent choice.
    @Test func aConditionDefinedTwiceIsAProblem() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("rounds-twice-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        try FileManager.default.copyItem(at: Fixture.checklists, to: work)
        try FileManager.default.copyItem(at: work.appendingPathComponent("skin/vitiligo.yaml"),
                                         to: work.appendingPathComponent("skin/vitiligo.yml"))
        let catalog = try ChecklistCatalog.load(from: .directory(work, reason: "test"))
        #expect(catalog.problems.map(\.description).contains { $0.hasSuffix("skin/vitiligo.yml:1:1: skin/vitiligo is defined again (already by "
            + work.appendingPathComponent("skin/vitiligo.yaml").path + "); keep one file per condition") }, "\(catalog.problems)")
        #expect(try catalog.resolve("skin/vitiligo").location.path.hasSuffix("vitiligo.yaml"))
    }

    @Test func searchPathOrder() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("rounds-search-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: work.appendingPathComponent("Checklists"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let fixture = Fixture.checklists.path
        #expect(
            try ResourceSearchPath.checklists(
                option: fixture, environment: ["ROUNDS_CHECKLISTS": "/nope"], workingDirectory: work)
                == .directory(URL(fileURLWithPath: fixture).standardizedFileURL, reason: "--checklists"))
        #expect(
            try ResourceSearchPath.checklists(
                option: nil, environment: ["ROUNDS_CHECKLISTS": fixture], workingDirectory: work)
                == .directory(URL(fileURLWithPath: fixture).standardizedFileURL, reason: "ROUNDS_CHECKLISTS"))
        #expect(
            try ResourceSearchPath.checklists(option: nil, environment: [:], workingDirectory: work)
                == .directory(work.appendingPathComponent("Checklists").standardizedFileURL, reason: "./Checklists"))
        #expect(try ResourceSearchPath.prompts(option: nil, environment: [:], workingDirectory: work) == .bundled)
        #expect(throws: ChecklistError.self) {
            try ResourceSearchPath.checklists(
                option: nil, environment: ["ROUNDS_CHECKLISTS": "/no/such"], workingDirectory: work)
        }
    }

    @Test func bundledCopyHoldsTheRepoPrompts() throws {
        let library = try PromptLibrary.load(from: .bundled)
        for kind in PromptKind.allCases {
            let onDisk = try Data(contentsOf: Fixture.prompts.appendingPathComponent(kind.fileName))
            #expect(library.template(kind).version == SHA256.hex(Array(onDisk)))
        }
        // The bundled checklists load without throwing (they may be empty until the real ones land).
        let catalog = try ChecklistCatalog.load(from: .bundled)
        #expect(catalog.problems.isEmpty)
    }

    /// The checklists the project ships (repo-root `Checklists/`) must lint clean.
    @Test func shippedChecklistsLintClean() throws {
        let catalog = try ChecklistCatalog.load(
            from: .directory(Fixture.repoRoot.appendingPathComponent("Checklists"), reason: "test"))
        #expect(catalog.problems.map(\.description) == [])
    }

    @Test func versionIgnoresFormattingButNotContent() throws {
        let base = try #require(Fixture.checklist(Fixture.valid))
        let reformatted = """
            # a comment
            status:   "draft"
            criteria:
            - text: >-
                The patch
                is white.
              dimension: color   # trailing comment
              weight: 1.0
              id: 'white'
            description: 'A sample condition.'
            name: Sample
            id: sample

            """
        let other = try #require(Fixture.checklist(reformatted))
        #expect(other.version == base.version)
        #expect(base.version.count == 64)
        #expect(base.version.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        let edited = try #require(
            Fixture.checklist(Fixture.valid.replacingOccurrences(of: "is white.", with: "is chalk-white.")))
        #expect(edited.version != base.version)
        let weighted = try #require(Fixture.checklist(Fixture.valid + "    weight: 2\n"))
        #expect(weighted.version != base.version)
        #expect(
            base.canonicalJSON.canonicalString
                == #"{"condition":"skin/sample","criteria":[{"dimension":"color","id":"white","notes":null,"text":"The patch is white.","weight":1}],"description":"A sample condition.","format":"rounds.checklist/1","kind":"condition","name":"Sample","reviewed_by":null,"reviewed_on":null,"status":"draft"}"#
        )
    }

    @Test func domainProblems() {
        let text = """
            id: skin
            name: Skin
            modality: photo
            description: Skin.
            dimensions:
              - id: color
                name: Color
                description: Colour.
              - id: color
                name: Colour again

            """
        let problems = Domain.read(bytes: Array(text.utf8), path: "skin/domain.yaml", expectedID: "derm").1.map(
            \.description)
        #expect(
            problems == [
                "skin/domain.yaml:1:5: id: 'skin' does not match its folder name 'derm'",
                "skin/domain.yaml:3:11: modality: 'photo' is not one of photograph, dermoscopy, microscopy, radiograph, procedural",
                "skin/domain.yaml:9:5: dimensions[1].description: missing required key 'description'",
                "skin/domain.yaml:9:9: dimensions[1].id: duplicate dimension id 'color' (first at line 6)",
            ])
    }

    @Test func skeletonHasOneTodoPerDimensionAndFailsLintUntilFilled() throws {
        let yaml = ChecklistSkeleton.yaml(condition: "sample", domain: Fixture.domain)
        let problems = Fixture.problems(yaml)
        #expect(problems.count == 2 + Fixture.domain.dimensions.count)
        #expect(problems.allSatisfy { $0.contains("TODO") })
        let filled = yaml.replacingOccurrences(of: "TODO display name, e.g. Sample", with: "Sample")
            .replacingOccurrences(of: "TODO one or two sentences", with: "Two sentences")
            .replacingOccurrences(of: "TODO one visual fact", with: "A visual fact")
        #expect(Fixture.problems(filled).isEmpty)
    }
}
