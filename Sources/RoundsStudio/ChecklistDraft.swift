import Foundation
import RoundsChecklists
import Yams

/// A condition's checklist as the editor's form holds it: every field as text, so a half-written
/// checklist (a TODO, a weight that is not a number yet) still round-trips and lint can say what is wrong.
///
/// Saving writes the file from these fields in the standard order (id, name, description, status,
/// reviewed_by, reviewed_on, criteria with id, dimension, text, notes, weight). Comments and any other
/// layout of the original file are not kept; the page says so before saving a file that had comments.
struct ChecklistDraft: Sendable, Equatable {
    struct CriterionDraft: Sendable, Equatable {
        var id = ""
        var dimension = ""
        var text = ""
        var notes = ""
        var weight = "1"
    }

    var id = ""
    var name = ""
    var description = ""
    var status = "draft"
    var reviewedBy = ""
    var reviewedOn = ""
    var criteria: [CriterionDraft] = []

    init() {}

    /// The editor's fields: `id`, `name`, `description`, `status`, `reviewed_by`, `reviewed_on`, and the
    /// criteria as repeated `c_id`, `c_dimension`, `c_text`, `c_notes`, `c_weight` in row order.
    init(form: FormData) {
        id = form.raw("id") ?? ""
        name = form.raw("name") ?? ""
        description = form.raw("description") ?? ""
        status = form.raw("status") ?? "draft"
        reviewedBy = form.raw("reviewed_by") ?? ""
        reviewedOn = form.raw("reviewed_on") ?? ""
        func column(_ name: String) -> [String] { form.fields.filter { $0.name == name }.map(\.value) }
        let ids = column("c_id"), dimensions = column("c_dimension"), texts = column("c_text")
        let notes = column("c_notes"), weights = column("c_weight")
        let count = [ids.count, dimensions.count, texts.count, notes.count, weights.count].max() ?? 0
        criteria = (0..<count).map { i in
            func at(_ a: [String]) -> String { i < a.count ? a[i] : "" }
            return CriterionDraft(
                id: at(ids), dimension: at(dimensions), text: at(texts), notes: at(notes), weight: at(weights))
        }
    }

    /// Reads a checklist file loosely (any value as text); nil when the YAML itself does not parse.
    init?(yaml text: String) {
        guard let root = (try? Yams.load(yaml: text)) as? [String: Any] else { return nil }
        id = Self.text(root["id"])
        name = Self.text(root["name"])
        description = Self.text(root["description"])
        status = Self.text(root["status"]).isEmpty ? "draft" : Self.text(root["status"])
        reviewedBy = Self.text(root["reviewed_by"])
        reviewedOn = Self.text(root["reviewed_on"])
        criteria = ((root["criteria"] as? [Any]) ?? []).map { item in
            let c = item as? [String: Any] ?? [:]
            let weight = Self.text(c["weight"])
            return CriterionDraft(
                id: Self.text(c["id"]), dimension: Self.text(c["dimension"]), text: Self.text(c["text"]),
                notes: Self.text(c["notes"]), weight: weight.isEmpty ? "1" : weight)
        }
    }

    static func text(_ value: Any?) -> String {
        switch value {
        case let s as String: s
        case let i as Int: String(i)
        case let d as Double: d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
        case let b as Bool: b ? "true" : "false"
        case let date as Date: Self.day(date)
        default: ""
        }
    }

    static func day(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: date)
    }

    /// The file text: block style, long texts folded at 96 columns as the shipped checklists are.
    var yaml: String {
        var out = "id: \(Self.scalar(id))\n"
        out += "name: \(Self.scalar(name))\n"
        out += "description:" + Self.folded(description, indent: 2)
        out += "status: \(Self.scalar(status))\n"
        out += "reviewed_by: \(reviewedBy.isEmpty ? "null" : Self.scalar(reviewedBy))\n"
        out += "reviewed_on: \(reviewedOn.isEmpty ? "null" : Self.scalar(reviewedOn))\n"
        out += "criteria:\n"
        for c in criteria {
            out += "  - id: \(Self.scalar(c.id))\n"
            out += "    dimension: \(Self.scalar(c.dimension))\n"
            out += "    text:" + Self.folded(c.text, indent: 6)
            if !Self.squeezed(c.notes).isEmpty { out += "    notes:" + Self.folded(c.notes, indent: 6) }
            let weight = c.weight.trimmingCharacters(in: .whitespaces)
            if !weight.isEmpty, weight != "1" {
                out += "    weight: \(Double(weight) != nil && weight.allSatisfy { "0123456789.-+eE".contains($0) } ? weight : Self.quoted(weight))\n"
            }
        }
        return out
    }

    /// One paragraph: runs of white space (a newline typed in a text box included) become one space.
    static func squeezed(_ s: String) -> String {
        s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// ` >-` and the text folded into lines of at most 96 columns, or ` ""` for an empty text. Folding
    /// joins lines with one space, so the squeezed text reads back exactly.
    static func folded(_ s: String, indent: Int) -> String {
        let text = squeezed(s)
        guard !text.isEmpty else { return " \"\"\n" }
        let pad = String(repeating: " ", count: indent)
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, indent + line.count + 1 + word.count > 96 {
                lines.append(line)
                line = String(word)
            } else {
                line += line.isEmpty ? String(word) : " " + word
            }
        }
        lines.append(line)
        return " >-\n" + lines.map { pad + $0 + "\n" }.joined()
    }

    /// A plain scalar when it reads back as the same string, otherwise a double-quoted one.
    static func scalar(_ s: String) -> String {
        let reserved: Set<String> = ["", "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n"]
        let plain = s.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) || " -_.,()'/".unicodeScalars.contains($0)
        }
        if plain, !reserved.contains(s.lowercased()), s.first?.isLetter == true, s.last != " ", Double(s) == nil {
            return s
        }
        return quoted(s)
    }

    /// A YAML double-quoted scalar (JSON's escapes are valid there).
    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if u.value < 0x20 || u.value == 0x7F { out += String(format: "\\x%02X", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    /// Lints the draft as the file it would become: the same checks `rounds checklist lint` runs.
    func lint(path: String, domain: Domain) -> (Checklist?, [ChecklistProblem]) {
        Checklist.read(bytes: Array(yaml.utf8), path: path, domain: domain)
    }
}
