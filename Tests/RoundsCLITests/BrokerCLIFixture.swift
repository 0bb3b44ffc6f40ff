import Foundation
import RoundsStore
import Testing

/// A real store for the broker's CLI tests, built through the CLI: 16 synthetic images (4 per
/// condition, half with a broken criterion) judged by the built-in simulator judge.
struct BrokerFixture {
    let dir: URL
    var db: String { dir.appendingPathComponent("rounds.sqlite").path }

    /// Paints and adds the images; judges them unless `judge` is false.
    static func make(judge: Bool = true, samples: Int = 1) throws -> BrokerFixture {
        let fixture = BrokerFixture(dir: try CLIRunner.temporaryDirectory())
        try fixture.expectOK(["dataset", "synth", "--out", "D", "--per-condition", "4", "--defect-rate", "0.5"])
        try fixture.expectOK(["images", "add", "--manifest", "D/manifest.csv", "--origin", "synthetic"], db: true)
        if judge { try fixture.judge(samples: samples) }
        return fixture
    }

    func remove() { try? FileManager.default.removeItem(at: dir) }

    /// Runs `rounds` in the fixture's folder, with `--db` appended when `db` is true.
    func run(_ arguments: [String], db: Bool = true) throws -> CLIRunner.Result {
        try CLIRunner.run(arguments + (db ? ["--db", self.db] : []), in: dir)
    }

    @discardableResult
    func expectOK(_ arguments: [String], db: Bool = false) throws -> CLIRunner.Result {
        let result = try run(arguments, db: db)
        try #require(result.status == 0, "rounds \(arguments.joined(separator: " ")) failed: \(result.stderr)")
        return result
    }

    func store() throws -> Store { try Store(path: db) }

    /// Judges every pending image with `rounds simulator` as the endpoint (a subprocess on a free port).
    func judge(samples: Int = 1) throws {
        let simulator = try SimulatorProcess()
        defer { simulator.stop() }
        let url = simulator.baseURL
        try expectOK(
            [
                "judge", "--pending", "--base-url", url, "--model", "rounds-simulator", "--provider", "openai",
                "--samples", "\(samples)",
            ],
            db: true)
    }

    /// Writes a labels CSV for `condition` from `rounds labels template`, every criterion filled with
    /// `verdict(row, column)`, and imports it for `rater`.
    func label(condition: String, rater: String, verdict: (Int, Int) -> String) throws {
        let template = try expectOK(["labels", "template", "--condition", condition], db: true).stdout
        var lines = template.split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        let header = lines[0]
        for row in 1..<lines.count {
            for (column, name) in header.enumerated() where name.hasPrefix("criterion:") {
                lines[row][column] = verdict(row, column)
            }
        }
        let path = dir.appendingPathComponent("labels-\(rater).csv")
        try (lines.map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n").write(
            to: path, atomically: true, encoding: .utf8)
        try expectOK(["labels", "import", path.path, "--rater", rater], db: true)
    }
}
