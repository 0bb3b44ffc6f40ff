import Foundation
import RoundsCore
import Testing

@Suite struct ChecklistCLITests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("RoundsChecklistsTests/Fixtures")
    static let prompts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Prompts")

    @Test func lintCleanFolderExitsZero() throws {
        let result = try CLIRunner.run(["checklist", "lint", "Checklists"], in: Self.fixtures)
        #expect(result.status == 0)
        #expect(result.stdout == "")
        #expect(result.stderr == "checked 5 file(s): no problems\n")
    }

    @Test func lintPrintsEveryProblemAsFileLineColumn() throws {
        let result = try CLIRunner.run(["checklist", "lint", "Broken"], in: Self.fixtures)
        #expect(result.status == 1)
        #expect(
            result.stdout == """
                Broken/skin/eczema.yaml:1:1: reviewed_by: status is reviewed: name who reviewed it
                Broken/skin/eczema.yaml:1:1: reviewed_on: status is reviewed: give the review date (YYYY-MM-DD)
                Broken/skin/eczema.yaml:7:16: criteria[0].dimension: 'texture' is not a dimension of domain 'skin' (location, lesion-type, color)
                Broken/skin/eczema.yaml:9:5: criteria[1].text: missing required key 'text'
                Broken/skin/eczema.yaml:9:9: criteria[1].id: duplicate criterion id 'dry' (first at line 6)
                Broken/skin/eczema.yaml:11:5: criteria[1].txt: unknown key 'txt' (did you mean 'text'?)
                Broken/skin/scabies.yaml:3:1: tab character in indentation; YAML indents with spaces only

                """)
        #expect(result.stderr == "checked 7 file(s): 7 problem(s)\n")
    }

    @Test func lintJSONIsOneDocument() throws {
        let result = try CLIRunner.run(["checklist", "lint", "--json", "Broken/skin/scabies.yaml"], in: Self.fixtures)
        #expect(result.status == 1)
        let json = try JSONValue(parsing: result.stdout)
        #expect(json["files"]?.doubleValue == 1)
        let problem = try #require(json["problems"]?.arrayValue?.first)
        #expect(problem["file"]?.stringValue == "Broken/skin/scabies.yaml")
        #expect(problem["line"]?.doubleValue == 3)
        #expect(problem["column"]?.doubleValue == 1)
    }

    @Test func lintUsesTheSearchPathAndRefusesMissingPaths() throws {
        let viaEnvironment = try CLIRunner.run(
            ["checklist", "lint"],
            environment: ["ROUNDS_CHECKLISTS": Self.fixtures.appendingPathComponent("Broken").path])
        #expect(viaEnvironment.status == 1)
        #expect(viaEnvironment.stdout.contains("/Broken/skin/scabies.yaml:3:1: tab character"))
        let missing = try CLIRunner.run(["checklist", "lint", "no-such-folder"], in: Self.fixtures)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no-such-folder: no such file or folder"))
    }

    @Test func lintChecksThePromptTemplatesToo() throws {
        let dir = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for kind in ["judge-image", "judge-pair", "identify-condition", "repair-json"] {
            try FileManager.default.copyItem(
                at: Self.prompts.appendingPathComponent("\(kind).mustache"), to: dir.appendingPathComponent("\(kind).mustache"))
        }
        let clean = try CLIRunner.run(
            ["checklist", "lint"], in: Self.fixtures.appendingPathComponent("Checklists"),
            environment: ["ROUNDS_CHECKLISTS": Self.fixtures.appendingPathComponent("Checklists").path, "ROUNDS_PROMPTS": dir.path])
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        let cleanChecked = try #require(clean.stderr.split(separator: "\n").last { $0.hasPrefix("checked ") })
        // A typo in a variable, on line 2, column 4.
        let broken = dir.appendingPathComponent("judge-pair.mustache")
        try Data("Compare the two images.\n{{#criterias}}- {{text}}\n{{/criterias}}\n".utf8).write(to: broken)
        try Data("Hello {{name}}\n".utf8).write(to: dir.appendingPathComponent("greeting.mustache"))
        let viaSearchPath = try CLIRunner.run(
            ["checklist", "lint"],
            environment: ["ROUNDS_CHECKLISTS": Self.fixtures.appendingPathComponent("Checklists").path, "ROUNDS_PROMPTS": dir.path])
        #expect(viaSearchPath.status == 1)
        #expect(viaSearchPath.stdout.contains("\(broken.path):2:1:"), "\(viaSearchPath.stdout)")
        #expect(cleanChecked.contains("file(s)") && viaSearchPath.stderr.contains("problem(s)"))
        let folder = try CLIRunner.run(["checklist", "lint", dir.path])
        #expect(folder.status == 1)
        #expect(folder.stdout.contains("\(broken.path):2:1:"))
        #expect(folder.stdout.contains("greeting.mustache:1:1: not a prompt template Rounds loads (its templates are: judge-image.mustache"))
        #expect(folder.stderr.contains("checked 5 file(s)"))
        let one = try CLIRunner.run(["checklist", "lint", Self.prompts.appendingPathComponent("judge-image.mustache").path])
        #expect(one.status == 0 && one.stderr.contains("checked 1 file(s): no problems"))
    }

    @Test func showPrintsTextAndJSON() throws {
        let text = try CLIRunner.run(
            ["checklist", "show", "vitiligo", "--checklists", "Checklists"], in: Self.fixtures)
        #expect(text.status == 0)
        #expect(
            text.stdout.hasPrefix(
                "Vitiligo (skin/vitiligo)\nstatus: reviewed, reviewed by Dr Test on 2026-01-15\nversion: "))
        #expect(
            text.stdout.contains(
                "Lesion type:\n  - [sharp-border] The patch has a sharp, well-defined border. (weight 2)\n"))
        let json = try CLIRunner.run(
            ["checklist", "show", "skin/vitiligo", "--json", "--checklists", "Checklists"], in: Self.fixtures)
        #expect(json.status == 0)
        let value = try JSONValue(parsing: json.stdout)
        #expect(value["condition"]?.stringValue == "skin/vitiligo")
        #expect(value["criteria"]?.arrayValue?.count == 3)
        let version = try #require(value["version"]?.stringValue)
        #expect(text.stdout.contains("version: \(version)\n"))
        let unknown = try CLIRunner.run(
            ["checklist", "show", "vitilgo", "--checklists", "Checklists"], in: Self.fixtures)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown condition 'vitilgo' (did you mean skin/vitiligo?)"))
    }

    @Test func newWritesASkeletonThatFailsLintAndNeverOverwrites() throws {
        let work = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let out = work.appendingPathComponent("lichen-planus.yaml").path
        let checklists = Self.fixtures.appendingPathComponent("Checklists").path
        let made = try CLIRunner.run(
            ["checklist", "new", "lichen-planus", "--domain", "skin", "--out", out, "--checklists", checklists],
            in: work)
        #expect(made.status == 0)
        #expect(made.stdout == out + "\n")
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.contains("status: draft"))
        #expect(text.components(separatedBy: "dimension: ").count == 4)
        let again = try CLIRunner.run(
            ["checklist", "new", "lichen-planus", "--domain", "skin", "--out", out, "--checklists", checklists],
            in: work)
        #expect(again.status == 2)
        #expect(again.stderr.contains("exists already"))
        // Linted beside the fixture domain, every TODO is a problem.
        let domainDir = work.appendingPathComponent("skin")
        try FileManager.default.createDirectory(at: domainDir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: checklists + "/skin/domain.yaml", toPath: domainDir.appendingPathComponent("domain.yaml").path)
        try FileManager.default.moveItem(
            atPath: out, toPath: domainDir.appendingPathComponent("lichen-planus.yaml").path)
        let lint = try CLIRunner.run(["checklist", "lint", "skin/lichen-planus.yaml"], in: work)
        #expect(lint.status == 1)
        #expect(lint.stdout.split(separator: "\n").count == 5)
        #expect(lint.stdout.split(separator: "\n").allSatisfy { $0.contains("TODO") })
        let badDomain = try CLIRunner.run(
            ["checklist", "new", "x", "--domain", "nope", "--out", out, "--checklists", checklists], in: work)
        #expect(badDomain.status == 2)
        #expect(badDomain.stderr.contains("unknown domain 'nope'"))
        let badName = try CLIRunner.run(["checklist", "new", "Not A Slug", "--domain", "skin", "--out", out], in: work)
        #expect(badName.status == 64)
    }

    @Test func demoRefusesBrokenChecklistsAndNamesTheProblem() throws {
        let broken = try CLIRunner.run(
            ["demo", "--checklists", "Broken", "--prompts", Self.prompts.path], in: Self.fixtures)
        #expect(broken.status == 2, "nothing done: \(broken.stderr)")
        #expect(broken.stderr.contains("Broken/skin/scabies.yaml:3:1: tab character"))
        let noSynthetic = try CLIRunner.run(
            ["demo", "--checklists", "Checklists", "--prompts", Self.prompts.path, "--out", NSTemporaryDirectory()],
            in: Self.fixtures)
        #expect(noSynthetic.status == 2)
        #expect(noSynthetic.stderr.contains("the demo needs the synthetic domain's checklists"))
        #expect(noSynthetic.stderr.contains("domain skin: 3 conditions, 7 criteria") || noSynthetic.stderr.contains("skin: 3 conditions, 7 criteria"))
    }

    @Test func helpDocumentsTheOptions() throws {
        let result = try CLIRunner.run(["checklist", "lint", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("--checklists <checklists>"))
        #expect(result.stdout.contains("$ROUNDS_CHECKLISTS"))
        #expect(result.stdout.contains("--json"))
    }
}
