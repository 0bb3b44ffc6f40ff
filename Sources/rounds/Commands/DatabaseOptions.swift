import ArgumentParser
import Foundation
import RoundsStore

/// `--db PATH`, else `ROUNDS_DB`, else `./rounds.sqlite` (CLI.md), shared by every command that uses the store.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("db"),
        help: ArgumentHelp("The store's SQLite file (default: $ROUNDS_DB, else ./rounds.sqlite).", valueName: "path"))
    var db: String?

    /// The path after applying the fallbacks.
    var path: String {
        if let db, !db.isEmpty { return db }
        if let env = ProcessInfo.processInfo.environment["ROUNDS_DB"], !env.isEmpty { return env }
        return "rounds.sqlite"
    }

    /// Opens (and migrates) the store.
    func open(readOnly: Bool = false) throws -> Store {
        try Store(path: path, options: .init(readOnly: readOnly))
    }

    /// Opens (and migrates) a store that must exist already: for commands that only read it, where a
    /// mistyped path would otherwise create an empty store and report nothing as if all were well.
    func openExisting() throws -> Store {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(.cannotOpen, "\(path): no such database (this command reads a store; it does not create one)")
        }
        return try open()
    }
}

/// How store commands report a failure: the message on stderr, then exit code 2 (CLI.md).
enum StoreCommandFailure {
    static func exit(_ error: any Error) -> any Error {
        if error is ExitCode || error is ValidationError || error is CleanExit { return error }
        let message = (error as? StoreError)?.detailedDescription() ?? "\(error)"
        Console.error("rounds: error: \(message)")
        return ExitCode(2)
    }
}

/// Progress on stderr for long store work: a rewritten line on a terminal, else a line every few seconds.
struct StoreProgress {
    let what: String
    private let isTerminal = isatty(2) == 1
    private var last = Date.distantPast

    init(_ what: String) { self.what = what }

    mutating func update(_ done: Int, _ total: Int) {
        let now = Date()
        let finished = done == total
        guard finished || now.timeIntervalSince(last) >= (isTerminal ? 0.1 : 3) else { return }
        last = now
        if isTerminal {
            FileHandle.standardError.write(Data("\r\(what): \(done)/\(total)\(finished ? "\n" : "")".utf8))
        } else if !finished || total > 0 {
            Console.error("\(what): \(done)/\(total)")
        }
    }
}
