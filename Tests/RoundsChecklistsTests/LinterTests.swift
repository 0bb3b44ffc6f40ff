import Foundation
import RoundsChecklists
import RoundsCore
import Testing

@Suite struct LinterTests {
    /// A scratch `Checklists/` tree with the fixture domain copied in.
    static func scratchTree() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("rounds-lint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("skin"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Fixture.checklists.appendingPathComponent("skin/domain.yaml"),
            to: root.appendingPathComponent("skin/domain.yaml"))
        return root
    }

    @Test func lintsFilesFoldersAndDomainFolders() throws {
        let root = try Self.scratchTree()
        defer { try? FileManager.default.removeItem(at: root) }
        try Fixture.valid.replacingOccurrences(of: "id: sample", with: "id: other")
            .write(to: root.appendingPathComponent("skin/other.yaml"), atomically: true, encoding: .utf8)
        let asFile = try ChecklistLinter.lint(["skin/other.yaml"], workingDirectory: root)
        #expect(asFile.fileCount == 1)
        #expect(asFile.isClean)
        try "id: stray\n".write(to: root.appendingPathComponent("stray.yaml"), atomically: true, encoding: .utf8)
        let asRoot = try ChecklistLinter.lint(["."], workingDirectory: root)
        #expect(
            asRoot.problems.map(\.description) == [
                "./stray.yaml:1:1: checklist files sit one level down, in Checklists/<domain>/; this one is not checked"
            ])
        let asDomain = try ChecklistLinter.lint(["skin"], workingDirectory: root)
        #expect(asDomain.isClean)
        #expect(asDomain.fileCount == 2)
        #expect(throws: ChecklistError.self) { try ChecklistLinter.lint(["missing.yaml"], workingDirectory: root) }
    }

    @Test func checklistWithoutDomainOrWithABrokenDomain() throws {
        let root = try Self.scratchTree()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("lonely"), withIntermediateDirectories: true)
        try Fixture.valid.write(
            to: root.appendingPathComponent("lonely/sample.yaml"), atomically: true, encoding: .utf8)
        let lonely = try ChecklistLinter.lint(["lonely/sample.yaml"], workingDirectory: root)
        #expect(
            lonely.problems.map(\.description) == [
                "lonely/sample.yaml:1:1: no domain.yaml beside this file; a checklist is checked against its domain"
            ])
        try Fixture.valid.write(to: root.appendingPathComponent("skin/sample.yaml"), atomically: true, encoding: .utf8)
        try "id: skin\nname: Skin\nmodality: photograph\n".write(
            to: root.appendingPathComponent("skin/domain.yaml"), atomically: true, encoding: .utf8)
        let broken = try ChecklistLinter.lint(["."], workingDirectory: root)
        #expect(
            broken.problems.map(\.description) == [
                "./lonely/sample.yaml:1:1: no domain.yaml in folder 'lonely'; a checklist is checked against its domain",
                "./skin/domain.yaml:1:1: description: missing required key 'description'",
                "./skin/domain.yaml:1:1: dimensions: missing required key 'dimensions'",
                "./skin/sample.yaml:1:1: not checked: its domain.yaml has problems",
            ])
    }

    @Test func fifoIsRefusedWithoutBlocking() throws {
        let root = try Self.scratchTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let fifo = root.appendingPathComponent("skin/pipe.yaml")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let report = try ChecklistLinter.lint(["skin"], workingDirectory: root)
        #expect(report.problems.map(\.description) == ["skin/pipe.yaml:1:1: not a regular file"])
    }

    @Test func jsonReportShape() throws {
        let report = LintReport(
            fileCount: 2,
            problems: [
                ChecklistProblem(InputLocation(path: "a.yaml", line: 3, column: 5), field: "criteria[0].id", "bad"),
                ChecklistProblem(InputLocation(path: "b.yaml"), "file is empty"),
            ])
        #expect(
            report.json.canonicalString
                == #"{"files":2,"problems":[{"column":5,"field":"criteria[0].id","file":"a.yaml","line":3,"message":"bad"},{"column":null,"field":"","file":"b.yaml","line":null,"message":"file is empty"}]}"#
        )
    }
}
