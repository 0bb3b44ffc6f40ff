import Foundation
import RoundsCore

/// Prompt templates in a lint: a broken template stops every `judge`, `round` and the nightly job
/// that loads it, so `checklist lint` reports it first, in the same `file:line:col: message` form.
extension ChecklistLinter {
    /// Lints the four templates of a prompts origin (a `Prompts/` folder or the copy in the binary).
    public static func lintPrompts(_ origin: ResourceOrigin) -> LintReport {
        do {
            _ = try PromptLibrary.load(from: origin)
            return LintReport(fileCount: PromptKind.allCases.count, problems: [])
        } catch {
            return LintReport(fileCount: PromptKind.allCases.count, problems: error.problems(orAt: "\(origin)"))
        }
    }

    /// Lints one `.mustache` file as the template its name says it is.
    static func lintTemplate(_ url: URL, display: String, into report: inout LintReport) {
        report.fileCount += 1
        let name = url.deletingPathExtension().lastPathComponent
        guard let kind = PromptKind(rawValue: name) else {
            let known = PromptKind.allCases.map(\.fileName).joined(separator: ", ")
            report.problems.append(ChecklistProblem(
                InputLocation(path: display), "not a prompt template Rounds loads (its templates are: \(known))"))
            return
        }
        do {
            _ = try PromptTemplate(kind: kind, bytes: try FileInput.read(url, displayPath: display), path: display)
        } catch {
            report.problems += error.problems(orAt: display)
        }
    }

    /// The `.mustache` files directly inside a folder (a `Prompts/` folder given to lint).
    static func templates(in url: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.filter { $0.lowercased().hasSuffix(".mustache") }.sorted()
    }
}
