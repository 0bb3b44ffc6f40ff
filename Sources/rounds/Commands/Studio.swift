import ArgumentParser
import Foundation
import RoundsStore
import RoundsStudio

/// `rounds studio`: the web application for clinicians, and its accounts.
struct StudioCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "studio",
        abstract: "Serve the studio: write checklists, label images, pick pairs and see the judge in a browser.",
        subcommands: [StudioServe.self, StudioUser.self],
        defaultSubcommand: StudioServe.self
    )
}

/// `rounds studio [--db] [--checklists] [--host] [--port] [--rater]`.
struct StudioServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the studio until interrupted (the default: `rounds studio` alone runs this).",
        discussion: """
            Prints its URL on stdout. It listens on 127.0.0.1 unless --host says otherwise; there the rater's \
            name comes from --rater or is asked once in the browser. Any other address needs accounts (add one \
            with `rounds studio user add NAME`): every page then asks for a login, and the rater is the \
            logged-in user. Checklists are edited in the --checklists folder; the copy built into rounds is \
            read-only.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var checklists: ChecklistOptions

    @Option(help: "The address to listen on; anything but loopback requires accounts.")
    var host = "127.0.0.1"

    @Option(help: "The TCP port (0 picks a free one).")
    var port = 8080

    @Option(help: "The rater's name on loopback (otherwise asked once in the browser).")
    var rater: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535, got \(port)") }
        if host.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--host must not be empty") }
        if let rater, rater.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--rater must not be empty")
        }
    }

    func run() async throws {
        do {
            let configuration = StudioConfiguration(
                store: try database.open(), checklists: try checklists.checklistsOrigin(), host: host, port: port,
                rater: rater)
            if !configuration.isLoopback, rater != nil {
                Console.error("studio: --rater is ignored off loopback; the rater is the logged-in user")
            }
            try await Studio(configuration: configuration).run { url in
                Console.out(url)
                Console.error("studio: serving \(configuration.store.path) on \(url) (Ctrl-C stops it)")
            }
        } catch let error as StudioStartError {
            Console.error("rounds: error: \(error.message)")
            throw ExitCode(2)
        } catch {
            throw StoreCommandFailure.exit(error)
        }
    }
}

/// `rounds studio user add NAME`.
struct StudioUser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage the accounts needed to serve the studio off loopback.",
        subcommands: [StudioUserAdd.self]
    )
}

struct StudioUserAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add an account (or set its password); asks for the password, stores only its bcrypt hash.",
        discussion: """
            On a terminal the password is asked twice without echo; otherwise the first line of standard input \
            is the password. At least 8 characters and at most 72 bytes (bcrypt's limit).
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The account's name; it is also the rater's name for the labels this user gives.")
    var name: String

    func validate() throws {
        if name.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("NAME must not be empty") }
        if name.count > 100 { throw ValidationError("NAME may have at most 100 characters") }
    }

    func run() async throws {
        let password: String
        if isatty(0) == 1 {
            guard let first = Self.ask("Password for \(name): "), let second = Self.ask("Again: ") else {
                Console.error("rounds: error: no password given")
                throw ExitCode(2)
            }
            guard first == second else {
                Console.error("rounds: error: the two passwords differ; nothing was stored")
                throw ExitCode(2)
            }
            password = first
        } else {
            guard let line = readLine(strippingNewline: true) else {
                Console.error("rounds: error: no password on standard input")
                throw ExitCode(2)
            }
            password = line
        }
        if let problem = PasswordHash.problem(with: password) {
            Console.error("rounds: error: \(problem); nothing was stored")
            throw ExitCode(2)
        }
        do {
            let store = try database.open()
            let isNew = try store.setStudioUser(name: name, passwordHash: PasswordHash.hash(password))
            Console.error("studio: \(isNew ? "added" : "changed the password of") user \(name) in \(store.path)")
        } catch {
            throw StoreCommandFailure.exit(error)
        }
    }

    /// Reads a line from the terminal without echo.
    static func ask(_ prompt: String) -> String? {
        guard let p = getpass(prompt) else { return nil }
        return String(cString: p)
    }
}
