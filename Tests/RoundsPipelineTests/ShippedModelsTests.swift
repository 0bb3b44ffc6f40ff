import Foundation
import RoundsPipeline
import Testing

/// `rounds demo` finds its default checkpoint from any folder, or says where it looked.
@Suite struct ShippedModelsTests {
    func temporary() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("shipped-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func makeModel(under root: URL, name: String) throws {
        let unet = root.appendingPathComponent("Models/\(name)/unet")
        try FileManager.default.createDirectory(at: unet, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: unet.appendingPathComponent("config.json"))
    }

    @Test func aBinaryRunFromElsewhereFindsTheModelsOfItsPackage() throws {
        let package = try temporary(), elsewhere = try temporary()
        defer { try? FileManager.default.removeItem(at: package); try? FileManager.default.removeItem(at: elsewhere) }
        try makeModel(under: package, name: "m")
        // The binary sits where `swift build -c release` puts it, three levels below the package.
        let executable = package.appendingPathComponent(".build/x86_64-unknown-linux-gnu/release/rounds")
        let candidates = ShippedModels.candidates(name: "m", workingDirectory: elsewhere, executable: executable, packageRoot: nil)
        #expect(candidates.first == elsewhere.appendingPathComponent("Models/m").standardizedFileURL)
        let found = try ShippedModels.locate("m", candidates: candidates)
        #expect(found.path == package.appendingPathComponent("Models/m").standardizedFileURL.path)
    }

    @Test func nextToTheExecutableAndTheBuildPackageCountToo() throws {
        let install = try temporary(), elsewhere = try temporary(), source = try temporary()
        defer { for u in [install, elsewhere, source] { try? FileManager.default.removeItem(at: u) } }
        try makeModel(under: install, name: "m")
        let nextTo = ShippedModels.candidates(
            name: "m", workingDirectory: elsewhere, executable: install.appendingPathComponent("rounds"), packageRoot: nil)
        #expect(try ShippedModels.locate("m", candidates: nextTo).path.hasPrefix(install.standardizedFileURL.path))
        try makeModel(under: source, name: "n")
        let fromPackage = ShippedModels.candidates(name: "n", workingDirectory: elsewhere, executable: nil, packageRoot: source)
        #expect(try ShippedModels.locate("n", candidates: fromPackage).path.hasPrefix(source.standardizedFileURL.path))
    }

    @Test func withoutAModelTheErrorListsEveryPlaceAndTheOption() throws {
        let elsewhere = try temporary()
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        let candidates = ShippedModels.candidates(
            name: "missing", workingDirectory: elsewhere, executable: elsewhere.appendingPathComponent("bin/rounds"), packageRoot: nil)
        let error = #expect(throws: ShippedModels.ModelNotFound.self) { try ShippedModels.locate("missing", candidates: candidates) }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains(elsewhere.appendingPathComponent("Models/missing").standardizedFileURL.path))
        #expect(text.contains(elsewhere.appendingPathComponent("bin/Models/missing").standardizedFileURL.path))
        #expect(text.contains("pass --pretrained DIR"))
    }

    @Test func theDefaultIsFoundFromThisCheckout() throws {
        // Run from a folder without Models/: the package this test was built from has the demo's checkpoint.
        let elsewhere = try temporary()
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        let found = try ShippedModels.locate(
            ShippedModels.demoDefault, candidates: ShippedModels.candidates(name: ShippedModels.demoDefault, workingDirectory: elsewhere))
        #expect(found.lastPathComponent == ShippedModels.demoDefault)
    }
}
