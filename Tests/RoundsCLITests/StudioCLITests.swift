import Foundation
import RoundsStore
import Testing

@Suite("rounds studio: refusing to serve off loopback without accounts, and adding accounts")
struct StudioCLITests {
    @Test("off loopback with no account it exits 2 naming `rounds studio user add`; user add stores only a bcrypt hash")
    func accounts() throws {
        let dir = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("s.sqlite").path
        let refused = try CLIRunner.run(["studio", "--db", db, "--host", "0.0.0.0", "--port", "0"], in: dir)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("rounds studio user add NAME"))
        #expect(refused.stdout.isEmpty)

        let short = try CLIRunner.run(["studio", "user", "add", "dr-x", "--db", db], in: dir, stdin: Data("short\n".utf8))
        #expect(short.status == 2)
        #expect(short.stderr.contains("at least 8 characters"))
        #expect(try Store(path: db).studioUser(name: "dr-x") == nil)

        let added = try CLIRunner.run(
            ["studio", "user", "add", "dr-x", "--db", db], in: dir, stdin: Data("correct horse battery\n".utf8))
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stderr.contains("added user dr-x"))
        let user = try #require(try Store(path: db).studioUser(name: "dr-x"))
        #expect(user.passwordHash.hasPrefix("$2b$12$"))
        #expect(!user.passwordHash.contains("correct horse"))
        let raw = try Data(contentsOf: URL(fileURLWithPath: db))
        #expect(raw.range(of: Data("correct horse".utf8)) == nil)
    }

    @Test("bad options are usage errors (exit 64)")
    func usage() throws {
        let dir = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try CLIRunner.run(["studio", "--port", "70000"], in: dir).status == 64)
        #expect(try CLIRunner.run(["studio", "--rater", " "], in: dir).status == 64)
        #expect(try CLIRunner.run(["studio", "user", "add", ""], in: dir).status == 64)
    }
}
