import Foundation

/// Where the CLI writes: results to stdout, everything else to stderr (CLI.md conventions).
enum Console {
    /// Writes a line to stderr.
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Writes `text` to stdout as is, without adding a newline (exports stream large outputs in chunks).
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Prints `value` to stdout as one pretty-printed JSON document with sorted snake_case keys
    /// (CLI.md: every `--json` document uses snake_case, whatever the Swift property names are).
    static func json(_ value: some Encodable) {
        let data = (try? jsonData(value, pretty: true)) ?? Data("{}".utf8)
        print(String(decoding: data, as: UTF8.self))
    }

    /// `value` as JSON with sorted snake_case keys.
    static func jsonData(_ value: some Encodable, pretty: Bool) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(value)
    }
}

/// Progress of long work on stderr: a redrawn bar on a terminal, a plain line every few seconds
/// otherwise (so logs of nightly jobs stay readable).
final class ProgressLine: @unchecked Sendable {
    private let label: String
    private let total: Int
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let start = Date()
    private var lastPrint = Date.distantPast
    private let lock = NSLock()
    private let interval: TimeInterval

    init(_ label: String, total: Int, interval: TimeInterval = 5) {
        self.label = label
        self.total = total
        self.interval = interval
    }

    /// Reports `done` of `total`, with an optional detail (e.g. "3 failed").
    func update(_ done: Int, detail: String = "") {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        let finished = done >= total
        guard finished || now.timeIntervalSince(lastPrint) >= (isTerminal ? 0.1 : interval) else { return }
        lastPrint = now
        let elapsed = now.timeIntervalSince(start)
        // A line made when its first batch is already done has no meaningful rate yet.
        let rate = elapsed >= 0.5 ? Double(done) / elapsed : 0
        let eta = rate > 0 && !finished ? String(format: ", ETA %.0fs", Double(total - done) / rate) : ""
        let speed = rate > 0 ? " (\(String(format: "%.1f", rate))/s\(eta))" : ""
        let text = "\(label): \(done)/\(total)\(speed)\(detail.isEmpty ? "" : ", " + detail)"
        if isTerminal {
            let width = 24, filled = total > 0 ? width * min(done, total) / total : width
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            FileHandle.standardError.write(Data("\r[\(bar)] \(text)\u{1B}[K\(finished ? "\n" : "")".utf8))
        } else {
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }
}
