import Foundation
import RoundsCore
import RoundsStore
import Testing

/// `rounds classifier train|eval` and `rounds reward train|score` from the command line: a tiny
/// two-condition folder trains in a moment; every bad input gets its exit code and a message naming it.
@Suite struct ClassifierCLITests {
    struct Workspace {
        let dir: URL
        var db: String { path("rounds.sqlite") }
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

        init() throws {
            dir = try CLIRunner.temporaryDirectory()
            for (folder, colour) in [("red-spot", (220, 30, 30)), ("blue-spot", (30, 30, 220))] {
                let url = dir.appendingPathComponent("data/\(folder)")
                try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
                for i in 0..<6 {
                    try TinyPNG.write(url.appendingPathComponent("\(i).png"), width: 8, height: 8) { x, y in
                        abs(x - 3 - i % 2) + abs(y - 4) < 3 ? (UInt8(colour.0), UInt8(colour.1), UInt8(colour.2)) : (40, 40, 40)
                    }
                }
            }
        }

        func run(_ arguments: [String]) throws -> CLIRunner.Result { try CLIRunner.run(arguments + ["--db", db], in: dir) }
        /// `classifier eval` touches no store.
        func eval(_ arguments: [String]) throws -> CLIRunner.Result { try CLIRunner.run(["classifier", "eval"] + arguments, in: dir) }

        func train(_ extra: [String] = []) throws -> CLIRunner.Result {
            try run(["classifier", "train", "--data", path("data"), "--out", path("cls"), "--size", "8", "--epochs", "3",
                     "--held-out", "0.34", "--json"] + extra)
        }
    }

    @Test func trainsEvaluatesAndRecordsTheClassifier() throws {
        let w = try Workspace()
        let r = try w.train()
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try JSONValue(parsing: r.stdout)
        let version = try #require(summary["version"]?.stringValue)
        #expect(version.count == 64)
        #expect(summary["held_out_images"]?.doubleValue == 4 && summary["training_images"]?.doubleValue == 8)
        #expect(summary["conditions"] == ["synthetic/blue-spot", "synthetic/red-spot"])
        #expect(r.stderr.contains("epoch 3/3: loss"))
        #expect(FileManager.default.fileExists(atPath: w.path("cls/classifier.json")))
        let store = try Store(path: w.db)
        let rows = try store.rawRecords(CheckpointRecord.self, "SELECT * FROM checkpoint")
        #expect(rows.count == 1 && rows[0].objective == .classifier && rows[0].sha256 == version)
        #expect(rows[0].path == w.path("cls"))

        let e = try w.eval(["--classifier", w.path("cls"), "--data", w.path("data"), "--json"])
        #expect(e.status == 0, "\(e.stderr)")
        let eval = try JSONValue(parsing: e.stdout)
        #expect(eval["images"]?.doubleValue == 12 && eval["version"]?.stringValue == version)
        let accuracy = try #require(eval["accuracy"]?.doubleValue)
        #expect(accuracy >= 0 && accuracy <= 1)
        let text = try w.eval(["--classifier", w.path("cls"), "--data", w.path("data")])
        #expect(text.status == 0 && text.stdout.hasPrefix("accuracy ") && text.stdout.contains("synthetic/red-spot:"))
    }

    @Test func rejectsBadClassifierInputs() throws {
        let w = try Workspace()
        let first = try w.train(["--epochs", "1"])
        #expect(first.status == 0, "\(first.stderr)")
        let again = try w.train(["--epochs", "1"])
        #expect(again.status == 64 && again.stderr.contains("cls/classifier.json: a model is already there"), "\(again.stderr)")
        try FileManager.default.removeItem(atPath: w.path("cls"))
        let size = try w.train(["--size", "6"])
        #expect(size.status == 64 && size.stderr.contains("--size: expected a multiple of 4"), "\(size.stderr)")
        let epochs = try w.train(["--epochs", "0"])
        #expect(epochs.status == 64 && epochs.stderr.contains("--epochs: expected at least 1, got 0"))
        let channels = try w.train(["--channels", "2"])
        #expect(channels.status == 64 && channels.stderr.contains("--channels: expected 1 or 3, got 2"))
        let missing = try w.run(["classifier", "train", "--data", w.path("nope"), "--out", w.path("cls")])
        #expect(missing.status == 2 && missing.stderr.contains("\(w.path("nope")): no such data folder"), "\(missing.stderr)")
        try Data("not a png".utf8).write(to: w.dir.appendingPathComponent("data/red-spot/broken.png"))
        let broken = try w.train()
        #expect(broken.status == 2 && broken.stderr.contains("broken.png"), "\(broken.stderr)")
        try FileManager.default.removeItem(at: w.dir.appendingPathComponent("data/red-spot/broken.png"))

        let noClassifier = try w.eval(["--classifier", w.path("none"), "--data", w.path("data")])
        #expect(noClassifier.status == 2 && noClassifier.stderr.contains("\(w.path("none"))/classifier.json: no classifier manifest"),
                "\(noClassifier.stderr)")
        #expect(try w.train().status == 0)
        let other = w.dir.appendingPathComponent("other/green-spot")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try TinyPNG.write(other.appendingPathComponent("0.png"), width: 8, height: 8) { _, _ in (20, 200, 20) }
        let unknown = try w.eval(["--classifier", w.path("cls"), "--data", w.path("other")])
        #expect(unknown.status == 2 && unknown.stderr.contains("does not know this condition"), "\(unknown.stderr)")
        let weights = w.dir.appendingPathComponent("cls/classifier.safetensors")
        let bytes = try Data(contentsOf: weights)
        try bytes.prefix(bytes.count / 2).write(to: weights)
        let truncated = try w.eval(["--classifier", w.path("cls"), "--data", w.path("data")])
        #expect(truncated.status == 2 && truncated.stderr.contains(weights.path) && truncated.stderr.contains("tensor '"),
                "\(truncated.stderr)")
    }

    @Test func rejectsBadRewardInputs() throws {
        let w = try Workspace()
        #expect(try w.train().status == 0)
        let noLabels = try w.run(["reward", "train", "--classifier", w.path("cls"), "--rater", "nobody", "--out", w.path("r")])
        #expect(noLabels.status == 2, "\(noLabels.stderr)")
        #expect(noLabels.stderr.contains("rater 'nobody' has no plausible/implausible labels"), "\(noLabels.stderr)")
        let judge = try w.run(["reward", "train", "--classifier", w.path("cls"), "--rater", "a", "--out", w.path("r"),
                               "--include-judge", "yesterday"])
        #expect(judge.status == 64 && judge.stderr.contains("--include-judge: expected a judge run id ≥ 1 or 'latest'"))
        let lambda = try w.run(["reward", "train", "--classifier", w.path("cls"), "--rater", "a", "--out", w.path("r"),
                                "--lambda-real", "-1"])
        #expect(lambda.status == 64 && lambda.stderr.contains("--lambda-real"))
        let score = try w.run(["reward", "score", "--reward", w.path("none")])
        #expect(score.status == 2 && score.stderr.contains("\(w.path("none"))/reward.json: no reward manifest"), "\(score.stderr)")
        let origin = try w.run(["reward", "score", "--reward", w.path("none"), "--origin", "fake"])
        #expect(origin.status == 64 && origin.stderr.contains("--origin must be synthetic, real or all"))
        let source = try w.run(["broker", "rft", "--out", w.path("w.csv"), "--rewards-from", "vibes"])
        #expect(source.status == 64 && source.stderr.contains("--rewards-from must be checklist or reward-model"))
        let version = try w.run(["broker", "rft", "--out", w.path("w.csv"), "--reward-model", "abc"])
        #expect(version.status == 64 && version.stderr.contains("--reward-model needs --rewards-from reward-model"))
        let none = try w.run(["broker", "rft", "--out", w.path("w.csv"), "--rewards-from", "reward-model"])
        #expect(none.status == 2 && none.stderr.contains("run rounds reward score first"), "\(none.stderr)")
    }
}
