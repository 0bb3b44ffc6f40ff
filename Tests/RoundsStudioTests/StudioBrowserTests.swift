import Foundation
import HTTPTypes
import RoundsChecklists
import RoundsCore
import RoundsStore
import Testing

@testable import RoundsStudio

/// The studio in a real browser: headless Chromium (Debian's `chromium`) driven by Playwright for
/// Python (`pip install playwright`, which `.ci/run` does), against the real server on a loopback port.
/// Skips, saying why, where either is missing.
@Suite("Studio in a real browser (headless Chromium)")
struct StudioBrowserTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    static let playwright: Bool = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import playwright.sync_api"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }()

    static var available: Bool {
        if chromium == nil { print("StudioBrowserTests: skipped: no chromium (apt-get install chromium)") }
        if !playwright { print("StudioBrowserTests: skipped: Playwright for Python is absent (pip install playwright)") }
        return chromium != nil && playwright
    }

    @Test(
        "edit a criterion (lint appears and clears, save changes the YAML), label three images by keyboard, pick a pair",
        .enabled(if: StudioBrowserTests.available, "needs Debian's chromium and Playwright for Python"),
        .timeLimit(.minutes(3)))
    func clinicianSession() async throws {
        let f = try StudioFixture(count: 5)
        defer { f.remove() }
        try f.judge(evidence: "the judge's evidence for this criterion")
        let pair = try f.store.addPair(
            PairCandidateRecord(imageA: f.images[0].id, imageB: f.images[1].id, condition: f.condition.description))
        let yamlBefore = try String(contentsOf: f.checklistFile, encoding: .utf8)
        let studio = f.studio(rater: "Dr Browser")
        let (urls, continuation) = AsyncStream.makeStream(of: String.self)
        let server = Task { try await studio.run { continuation.yield($0) } }
        defer { server.cancel() }
        var iterator = urls.makeAsyncIterator()
        let url = try #require(await iterator.next())

        let script = StudioFixture.repository.appendingPathComponent("Tests/RoundsStudioTests/Browser/studio_browser.py")
        var arguments = [script.path, url, f.condition.description, String(pair.id!), Self.chromium!]
        if let dir = ProcessInfo.processInfo.environment["ROUNDS_STUDIO_SCREENSHOTS"] { arguments += ["--screenshots", dir] }
        let (status, output) = try await Self.run("python3", arguments)
        #expect(status == 0, "the browser script failed:\n\(output)")

        let yamlAfter = try String(contentsOf: f.checklistFile, encoding: .utf8)
        #expect(yamlAfter != yamlBefore)
        #expect(yamlAfter.contains("The plaque is bright red, clearly redder than the skin around it."))
        let labels = try f.store.labels(rater: "Dr Browser")
        #expect(labels.count == 3)
        #expect(Set(labels.map(\.label.imageID)).count == 3)
        #expect(labels.allSatisfy { $0.label.plausible == true && !$0.criteria.isEmpty })
        let picks = try f.store.humanPairPreferences()
        #expect(picks.count == 1 && picks.first?.choice == .a && picks.first?.rater == "Dr Browser")
    }

    /// Runs a program off the cooperative pool and returns its status and combined output.
    static func run(_ program: String, _ arguments: [String]) async throws -> (Int32, String) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                p.arguments = [program] + arguments
                let pipe = Pipe()
                p.standardOutput = pipe
                p.standardError = pipe
                do {
                    try p.run()
                    let data = pipe.fileHandleForReading.readDataToEndOfFile()
                    p.waitUntilExit()
                    let text = String(decoding: data, as: UTF8.self)
                    print(text)
                    continuation.resume(returning: (p.terminationStatus, text))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
