import Foundation
import RoundsAlignment
import RoundsImaging
import RoundsPipeline
import Testing

/// Renders the report page in headless Chromium (when installed): the screenshot must not be blank and
/// the console must stay silent (a blocked request or script error would log there).
@Suite("report in headless Chromium")
struct ReportChromiumTests {
    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test("the page renders: screenshot not blank, no console messages")
    func renders() throws {
        guard let chromium = Self.chromium else {
            print("ReportChromiumTests: skipped — chromium is not installed (apt-get install -y chromium)")
            return
        }
        let f = try CASReportTests.scored()
        defer { f.remove() }
        let data = try CASReportData.load(store: f.store, catalog: f.catalog, examples: 1, embedReal: true, replicates: 200)
        let page = f.folder.appendingPathComponent("report.html")
        try Data(try data.html().utf8).write(to: page)
        let shot = f.folder.appendingPathComponent("shot.png").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1200,1600",
            "--user-data-dir=\(f.folder.appendingPathComponent("profile").path)", "--enable-logging=stderr", "--v=0",
            "--screenshot=\(shot)", page.absoluteString,
        ]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "chromium failed: \(log)")
        let console = log.split(separator: "\n").filter { $0.contains("CONSOLE") }
        #expect(console.isEmpty, "console: \(console.joined(separator: "\n"))")
        let image = try ImageFile.load(path: shot).image
        #expect(image.width == 1200)
        var nonWhite = 0
        var colours = Set<Int>()
        for i in stride(from: 0, to: image.pixels.count, by: 3) {
            let (r, g, b) = (Int(image.pixels[i]), Int(image.pixels[i + 1]), Int(image.pixels[i + 2]))
            if r + g + b < 740 { nonWhite += 1 }
            colours.insert(r << 16 | g << 8 | b)
        }
        #expect(Double(nonWhite) / Double(image.width * image.height) > 0.01)
        #expect(colours.count > 20)
    }
}
