import Foundation
import GRDB
import RoundsCore
import Testing

@testable import RoundsStore

/// A temporary folder with a migrated store in it; each test gets its own.
struct TempStore {
    let folder: URL
    let path: String
    let store: Store

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("rounds-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("rounds.sqlite").path
        store = try Store(path: path)
    }

    func file(_ name: String) -> String { folder.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) throws -> String {
        let p = file(name)
        try FileManager.default.createDirectory(
            atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: p))
        return p
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}

enum Fixtures {
    static let vitiligo = try! ConditionID(parsing: "dermatology/vitiligo")
    static let psoriasis = try! ConditionID(parsing: "dermatology/psoriasis")

    /// A made-up image record whose id is derived from `n`.
    static func image(
        _ n: Int, condition: ConditionID? = vitiligo, origin: ImageOrigin = .synthetic, path: String? = nil
    ) -> ImageRecord {
        ImageRecord(
            id: SHA256.hex("pixels \(n)"), fileSHA256: SHA256.hex("file \(n)"), path: path ?? "/data/img\(n).png",
            format: .png, width: 64, height: 64, byteCount: 1000 + n, condition: condition, origin: origin
        )
    }

    static let checklist = ChecklistVersionRecord(
        id: SHA256.hex("checklist v1"), condition: "dermatology/vitiligo", yaml: "criteria: []")
    static let prompt = PromptVersionRecord(
        id: SHA256.hex("prompt v1"), name: "judge.mustache", body: "Judge {{image}}")

    /// Stores the checklist, prompt and a run for `model`; returns the run id.
    static func run(in store: Store, model: String = "gpt-x") throws -> Int64 {
        try store.addChecklistVersion(checklist)
        try store.addPromptVersion(prompt)
        return try store.beginRun(
            JudgeRunRecord(endpoint: "local", baseURL: "http://127.0.0.1:1/v1", model: model, provider: .openai)
        ).id!
    }

    static func judgment(run: Int64, image: String, error: String? = nil) -> JudgmentRecord {
        JudgmentRecord(
            runID: run, imageID: image, checklistVersionID: checklist.id, promptVersionID: prompt.id,
            requestKey: SHA256.hex("request \(image) \(run)"), canonicalRequest: "{}",
            responseText: error == nil ? "{}" : nil, error: error
        )
    }

    static func verdicts(_ pairs: [(String, Verdict)]) -> [CriterionVerdictRecord] {
        pairs.map { CriterionVerdictRecord(judgmentID: 0, criterionID: $0.0, verdict: $0.1, evidence: "seen") }
    }

    /// A loader for test "image" files: text `FAKE <w>x<h> <anything>`; the id hashes the text after the size
    /// so the same picture under two names is one image. Anything else is unreadable.
    static let fakeLoader: ImageFileLoader = { path in
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError(.io, "\(path): no such file")
        }
        let text = String(decoding: data, as: UTF8.self)
        let parts = text.split(separator: " ", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[0] == "FAKE" else { throw StoreError(.io, "\(path): not a PNG or JPEG file") }
        let size = parts[1].split(separator: "x").compactMap { Int($0) }
        guard size.count == 2 else { throw StoreError(.io, "\(path): bad size") }
        return ImageFileFacts(
            imageID: SHA256.hex(parts[2]), fileSHA256: SHA256.hex(text), format: .png, width: size[0], height: size[1])
    }
}

/// The built `rounds` executable (SwiftPM builds it because this test target depends on it).
enum RoundsBinary {
    static var url: URL {
        var dir = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("rounds")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
            "rounds")
    }

    struct Result { var stdout: String; var stderr: String; var status: Int32 }

    /// Starts `rounds` with stdout and stderr sent to files in `folder` (no pipes to drain).
    static func start(_ arguments: [String], in folder: URL, tag: String, environment: [String: String] = [:]) throws
        -> (Process, URL, URL)
    {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["ROUNDS_DB"] = nil
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.currentDirectoryURL = folder
        let out = folder.appendingPathComponent("\(tag).out"), err = folder.appendingPathComponent("\(tag).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, out, err)
    }

    static func run(_ arguments: [String], in folder: URL, environment: [String: String] = [:]) throws -> Result {
        let (process, out, err) = try start(
            arguments, in: folder, tag: "run-\(UUID().uuidString)", environment: environment)
        process.waitUntilExit()
        return Result(
            stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "",
            status: process.terminationStatus
        )
    }
}
