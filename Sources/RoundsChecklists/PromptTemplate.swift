import Foundation
import Mustache
import RoundsCore

/// A loaded, checked prompt template.
public struct PromptTemplate: Sendable {
    public var kind: PromptKind
    /// How messages name the file.
    public var path: String
    /// The prompt version (CLI.md "Identities"): lowercase hex SHA-256 of the template file's bytes.
    public var version: String
    /// The template's text, as stored with the prompt version for provenance.
    public var text: String
    let template: MustacheTemplate

    /// Parses and checks a template.
    ///
    /// - Throws: `ChecklistError.invalidTemplate` with a problem (file:line:col) for every unknown
    ///   variable, unbalanced section, unsupported tag, or Mustache syntax error.
    public init(kind: PromptKind, bytes: [UInt8], path: String) throws(ChecklistError) {
        if let bad = YAMLPrecheck.firstInvalidUTF8(bytes) {
            let (line, column) = YAMLPrecheck.position(ofByte: bad, in: bytes)
            throw ChecklistError(
                .invalidTemplate, "\(path): invalid UTF-8",
                problems: [
                    ChecklistProblem(
                        InputLocation(path: path, line: line, column: column), "invalid UTF-8; save the file as UTF-8")
                ])
        }
        let text = String(decoding: bytes, as: UTF8.self)
        var problems = PromptTemplateScanner.problems(in: text, path: path, variables: kind.variables)
        let required = kind.requiredVariable
        // checked once the tags themselves are sound, so a broken tag is reported as what it is
        if problems.isEmpty, text.range(of: "\\{\\{[#^]?\\s*\(required)\\b", options: .regularExpression) == nil {
            problems.append(ChecklistProblem(
                InputLocation(path: path, line: 1, column: 1),
                "the template never uses {{\(kind == .repairJSON ? "" : "#")\(required)}}, so the model would not see "
                    + (kind == .repairJSON ? "the answer to repair" : "what it is asked about")))
        }
        guard problems.isEmpty else {
            throw ChecklistError(.invalidTemplate, "\(path): \(problems.count) problem(s)", problems: problems)
        }
        do {
            // The pragma makes {{name}} insert text unescaped: prompts are not HTML. It shares line 1
            // with the template's first line, so the parser's line numbers stay the file's.
            template = try MustacheTemplate(string: "{{%CONTENT_TYPE:TEXT}}" + text)
        } catch let error as MustacheTemplate.ParserError {
            // swift-mustache counts columns from 0; on line 1 the 22 characters of the pragma come first.
            let column = error.context.columnNumber + 1 - (error.context.lineNumber == 1 ? 22 : 0)
            throw ChecklistError(
                .invalidTemplate, "\(path): Mustache syntax error",
                problems: [
                    ChecklistProblem(
                        InputLocation(path: path, line: error.context.lineNumber, column: max(1, column)),
                        "Mustache syntax: \(error.error)")
                ], cause: error)
        } catch {
            throw ChecklistError(.invalidTemplate, "\(path): \(error)", cause: error)
        }
        self.kind = kind
        self.path = path
        self.version = SHA256.hex(bytes)
        self.text = text
    }

    /// Renders with an already-built context (see `PromptRenderer` for the typed entry points).
    func render(_ context: [String: Any]) -> String {
        template.render(context)
    }
}

/// The four prompt templates of a `Prompts/` folder or of the copy embedded in the binary.
public struct PromptLibrary: Sendable {
    public var origin: ResourceOrigin
    public var templates: [PromptKind: PromptTemplate]

    public func template(_ kind: PromptKind) -> PromptTemplate { templates[kind]! }

    /// Loads and checks every template.
    ///
    /// - Throws: `ChecklistError` with every problem of every template, or naming missing files.
    public static func load(from origin: ResourceOrigin) throws(ChecklistError) -> PromptLibrary {
        var templates: [PromptKind: PromptTemplate] = [:]
        var problems: [ChecklistProblem] = []
        let bundled = origin == .bundled ? BundledResources.files(in: "Prompts") : [:]
        for kind in PromptKind.allCases {
            do {
                switch origin {
                case .directory(let url, _):
                    let file = url.appendingPathComponent(kind.fileName)
                    let path = file.path
                    templates[kind] = try PromptTemplate(
                        kind: kind, bytes: try FileInput.read(file, displayPath: path), path: path)
                case .bundled:
                    let path = "<bundled>/Prompts/\(kind.fileName)"
                    guard let bytes = bundled[kind.fileName] else {
                        throw ChecklistError(.notFound, "\(path): missing")
                    }
                    templates[kind] = try PromptTemplate(kind: kind, bytes: bytes, path: path)
                }
            } catch let error as ChecklistError {
                problems += error.problems(orAt: kind.fileName)
            } catch {
                problems.append(ChecklistProblem(InputLocation(path: kind.fileName), "\(error)"))
            }
        }
        guard problems.isEmpty else {
            throw ChecklistError(
                .invalidTemplate, "prompts from \(origin): \(problems.count) problem(s)", problems: problems)
        }
        return PromptLibrary(origin: origin, templates: templates)
    }
}
