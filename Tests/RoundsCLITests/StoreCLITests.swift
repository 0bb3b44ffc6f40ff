import Foundation
import Testing

/// Commands that only read the store refuse a store that is not there instead of creating an empty one.
@Suite struct StoreCLITests {
    @Test func readingCommandsDoNotCreateAMissingStore() throws {
        let work = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        for args in [["export", "images"], ["agreement", "--rater", "a"]] {
            let r = try CLIRunner.run(args + ["--db", "mistyped.sqlite"], in: work)
            #expect(r.status == 2, "\(args): \(r.stderr)")
            #expect(r.stderr.contains("mistyped.sqlite: no such database"), "\(args): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("mistyped.sqlite").path))
        }
    }
}
