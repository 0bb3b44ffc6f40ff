import Foundation
import RoundsCore
import Testing

@Suite struct ReadableCauseTests {
    /// Foundation's file errors read as a sentence, not as `Error Domain=… UserInfo={…}`.
    @Test func foundationFileErrorsReadAsASentence() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("rounds-none-\(UUID().uuidString).json")
        do {
            _ = try Data(contentsOf: missing)
            Issue.record("expected a read error")
        } catch {
            let text = readableCause(error)
            #expect(!text.contains("Error Domain") && !text.contains("UserInfo"), "\(text)")
            #expect(text.contains("doesn’t exist") || text.contains("No such file"), "\(text)")
        }
    }

    @Test func otherErrorsDescribeThemselves() {
        struct Plain: Error, CustomStringConvertible { var description: String { "plain reason" } }
        #expect(readableCause(Plain()) == "plain reason")
    }
}
