import Foundation
import HTTPTypes
import RoundsChecklists
import RoundsCore
import RoundsStore
import Testing

@testable import RoundsStudio

@Suite("Studio checklists: edit, live lint, save, stale tabs, history, review, new from skeleton")
struct StudioChecklistTests {
    static let c = "synthetic/scaly-plaque"

    /// The editor's fields for the file as it is, with `change` applied.
    func form(_ f: StudioFixture, base: String, _ change: (inout ChecklistDraft) -> Void = { _ in }) throws -> [(String, String)] {
        var draft = try #require(ChecklistDraft(yaml: String(contentsOf: f.checklistFile, encoding: .utf8)))
        change(&draft)
        var fields = [
            ("c", Self.c), ("base", base), ("id", draft.id), ("name", draft.name), ("description", draft.description),
            ("status", draft.status), ("reviewed_by", draft.reviewedBy), ("reviewed_on", draft.reviewedOn),
        ]
        for c in draft.criteria {
            fields += [("c_id", c.id), ("c_dimension", c.dimension), ("c_text", c.text), ("c_notes", c.notes), ("c_weight", c.weight)]
        }
        return fields
    }

    func base(of page: StudioResponse) throws -> String {
        let r = try #require(page.body.range(of: "name=\"base\" value=\""))
        return String(page.body[r.upperBound...].prefix(64))
    }

    @Test("the editor lists the file's fields; lint answers per field and clears when fixed; save writes the YAML and a new version")
    func editLintSave() async throws {
        let f = try StudioFixture()
        defer { f.remove() }
        let client = StudioClient(f.studio())
        let index = try await client.get("/checklists")
        #expect(index.body.contains("Scaly plaque"))
        let page = try await client.get("/checklists/edit?c=\(Self.c)")
        #expect(page.status == .ok)
        #expect(page.body.contains("white-scale"))
        let base = try base(of: page)
        let bad = try await client.post("/checklists/lint", try form(f, base: base) { $0.criteria[1].dimension = "smell" })
        #expect(bad.headers[.contentType]?.hasPrefix("application/json") == true)
        #expect(bad.body.contains("criteria[1].dimension"))
        let todo = try await client.post("/checklists/lint", try form(f, base: base) { $0.name = "TODO later" })
        #expect(todo.body.contains("\"field\":\"name\""))
        let clean = try await client.post("/checklists/lint", try form(f, base: base) { $0.criteria[1].text = "White scale covers part of it." })
        #expect(clean.body.contains("\"problems\":[]"))
        let old = f.checklist.version
        let saved = try await client.post("/checklists/save", try form(f, base: base) { $0.criteria[1].text = "White scale covers part of it." })
        #expect(saved.status == .seeOther)
        let text = try String(contentsOf: f.checklistFile, encoding: .utf8)
        #expect(text.contains("White scale covers part of it."))
        let new = f.checklist.version
        #expect(new != old)
        #expect(f.checklist.criteria[1].text == "White scale covers part of it.")
        let after = try await client.follow(saved)
        #expect(after.body.contains("New version <code id=\"new-version\">\(new)</code>"))
        // Both versions are in the store and the history shows what changed.
        #expect(Set(try f.store.checklistVersions(condition: f.condition).map(\.id)) == [old, new])
        let history = try await client.get("/checklists/history?c=\(Self.c)")
        #expect(history.body.contains("+       White scale covers part of it."))
        #expect(history.body.contains("- "))
    }

    @Test("a save with problems over a clean file is refused and the file is unchanged")
    func refusesProblems() async throws {
        let f = try StudioFixture()
        defer { f.remove() }
        let client = StudioClient(f.studio())
        let base = try base(of: try await client.get("/checklists/edit?c=\(Self.c)"))
        let before = try Data(contentsOf: f.checklistFile)
        let refused = try await client.post("/checklists/save", try form(f, base: base) { $0.criteria[0].weight = "heavy" })
        #expect(refused.status == .unprocessableContent)
        #expect(try Data(contentsOf: f.checklistFile) == before)
    }

    @Test("a save from a stale tab is refused with 409, showing the newer version; the newer file stays")
    func staleTab() async throws {
        let f = try StudioFixture()
        defer { f.remove() }
        let tab1 = StudioClient(f.studio())
        let page = try await tab1.get("/checklists/edit?c=\(Self.c)")
        let base = try base(of: page)
        let first = try await tab1.post("/checklists/save", try form(f, base: base) { $0.name = "Scaly plaque, first tab" })
        #expect(first.status == .seeOther)
        let second = try await tab1.post("/checklists/save", try form(f, base: base) { $0.name = "Scaly plaque, second tab" })
        #expect(second.status == .conflict)
        #expect(second.body.contains("Scaly plaque, first tab"))
        #expect(second.body.contains("id=\"conflict\""))
        #expect(f.checklist.name == "Scaly plaque, first tab")
    }

    @Test("mark reviewed writes status, reviewer and today's date; the skeleton makes a new condition that lint flags")
    func reviewAndNew() async throws {
        let f = try StudioFixture()
        defer { f.remove() }
        let client = StudioClient(f.studio(rater: "Dr Okafor"))
        let base = try base(of: try await client.get("/checklists/edit?c=\(Self.c)"))
        let reviewed = try await client.post("/checklists/review", [("c", Self.c), ("base", base)])
        #expect(reviewed.status == .seeOther)
        #expect(f.checklist.status == .reviewed)
        #expect(f.checklist.reviewedBy == "Dr Okafor")
        #expect(f.checklist.reviewedOn == ChecklistDraft.day(Date()))
        let made = try await client.post("/checklists/new", [("domain", "synthetic"), ("condition", "blue-nevus")])
        #expect(made.location == "/checklists/edit?c=synthetic/blue-nevus")
        let file = f.checklists.appendingPathComponent("synthetic/blue-nevus.yaml")
        #expect(FileManager.default.fileExists(atPath: file.path))
        let editor = try await client.follow(made)
        #expect(editor.status == .ok)
        #expect(editor.body.contains("comment line(s)"))
        let again = try await client.post("/checklists/new", [("domain", "synthetic"), ("condition", "blue-nevus")])
        #expect(again.status == .conflict)
        let traversal = try await client.post("/checklists/new", [("domain", "synthetic"), ("condition", "../../x")])
        #expect(traversal.status == .badRequest)
        let index = try await client.get("/checklists")
        #expect(index.body.contains("blue-nevus.yaml"))
        #expect(index.body.contains("TODO"))
    }

    @Test("the YAML the editor writes reads back as the same checklist (quotes, colons, hashes and unicode survive)")
    func roundTrip() throws {
        let f = try StudioFixture()
        defer { f.remove() }
        var draft = try #require(ChecklistDraft(yaml: String(contentsOf: f.checklistFile, encoding: .utf8)))
        draft.name = "Plaque: \"scaly\" # not a comment — ünïcode"
        draft.criteria[0].notes = "On darker skin: deeper, browner red.\nSecond line # kept"
        draft.criteria[2].weight = "2.5"
        let domain = f.catalog.domain("synthetic")!
        let (checklist, problems) = draft.lint(path: "synthetic/scaly-plaque.yaml", domain: domain)
        #expect(problems.isEmpty, "\(problems)")
        #expect(checklist?.name == draft.name)
        #expect(checklist?.criteria[0].notes == "On darker skin: deeper, browner red. Second line # kept")
        #expect(checklist?.criteria[2].weight == 2.5)
        let reread = try #require(ChecklistDraft(yaml: draft.yaml))
        #expect(reread.yaml == draft.yaml)
    }

    @Test("the line diff marks added and removed lines with context")
    func diff() {
        let lines = LineDiff.diff("a\nb\nc\nd", "a\nB\nc\nd\ne")
        #expect(lines == [.same("a"), .added("B"), .removed("b"), .same("c"), .same("d"), .added("e")] ||
                lines == [.same("a"), .removed("b"), .added("B"), .same("c"), .same("d"), .added("e")])
        let hunks = LineDiff.hunks(LineDiff.diff((1...20).map(String.init).joined(separator: "\n"),
                                                 (1...20).map { $0 == 10 ? "ten" : String($0) }.joined(separator: "\n")), context: 1)
        #expect(hunks.map(\.text) == ["  9", "+ ten", "- 10", "  11"] || hunks.map(\.text) == ["  9", "- 10", "+ ten", "  11"])
    }

    @Test("built-in checklists are read-only: the editor says so and saving is refused")
    func readOnly() async throws {
        let f = try StudioFixture()
        defer { f.remove() }
        let studio = Studio(configuration: StudioConfiguration(store: f.store, checklists: .bundled, rater: "dr-a"))
        let client = StudioClient(studio)
        let page = try await client.get("/checklists/edit?c=dermatology/vitiligo")
        #expect(page.status == .ok)
        #expect(page.body.contains("Read-only"))
        let refused = try await client.post("/checklists/save", [("c", "dermatology/vitiligo"), ("base", ""), ("id", "vitiligo")])
        #expect(refused.status == .forbidden)
    }
}
