import Foundation

/// Finds a model folder shipped in the repository's `Models/` (DESIGN: next to the repository, next to
/// the executable, or by an explicit path), so `rounds demo` works from any folder.
public enum ShippedModels {
    /// The demo's default checkpoint.
    public static let demoDefault = "defect85-scratch-unet"

    /// The folders searched for `Models/<name>`, in order: the working directory, the executable's
    /// folder and its ancestors (a `.build/release/rounds` sits three levels below the package), and the
    /// package the binary was built from.
    public static func candidates(
        name: String, workingDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        executable: URL? = executableURL(), packageRoot: URL? = buildPackageRoot()
    ) -> [URL] {
        var roots = [workingDirectory]
        if let executable {
            var folder = executable.resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<5 {
                roots.append(folder)
                roots.append(folder.appendingPathComponent("share/rounds"))
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
        }
        if let packageRoot { roots.append(packageRoot) }
        var seen = Set<String>()
        return roots.map { $0.appendingPathComponent("Models").appendingPathComponent(name).standardizedFileURL }
            .filter { seen.insert($0.path).inserted }
    }

    /// The first candidate holding a model (`unet/config.json`).
    ///
    /// - Throws: `ModelNotFound` listing every folder looked in and how to point `--pretrained` at one.
    public static func locate(_ name: String, candidates: [URL]) throws -> URL {
        if let found = candidates.first(where: {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent("unet/config.json").path)
        }) {
            return found
        }
        throw ModelNotFound(name: name, searched: candidates.map(\.path))
    }

    /// Why no shipped model was found: every folder looked in.
    public struct ModelNotFound: Error, CustomStringConvertible {
        public var name: String
        public var searched: [String]
        public var description: String {
            "no pretrained model Models/\(name) found; looked in:\n" + searched.map { "  " + $0 }.joined(separator: "\n")
                + "\npass --pretrained DIR with the Models/\(name) folder of a Rounds checkout "
                + "(its TRAINING.md has the commands that trained it)"
        }
    }

    /// This process's executable (`/proc/self/exe` on Linux).
    public static func executableURL() -> URL? {
        if FileManager.default.fileExists(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        }
        return Bundle.main.executableURL
    }

    /// The package this file was compiled in (three levels above Sources/RoundsPipeline/ShippedModels.swift),
    /// when that checkout still exists.
    public static func buildPackageRoot() -> URL? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) ? root : nil
    }
}
