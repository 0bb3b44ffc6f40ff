import Foundation
import RoundsCore
import RoundsStore

/// One weighted synthetic image of an RFT weights file (CLI.md "RFT weights CSV", or its JSONL).
public struct WeightedImageEntry: Sendable, Hashable {
    public var path: String
    public var imageID: String
    public var condition: String
    public var weight: Double
    /// Where it was read: `file:line`.
    public var origin: String
}

/// Image bytes of one side of a preference pair: encoded bytes (Parquet) or a file path (JSONL).
public enum PairImage: Sendable, Hashable {
    case bytes([UInt8])
    case path(String)
}

/// One one-winner pair of a DPO signal (Pick-a-Pic Parquet or JSONL), winner first.
public struct PreferencePairEntry: Sendable, Hashable {
    public var winner: PairImage, loser: PairImage
    public var winnerID: String, loserID: String
    public var condition: String
    /// Where it was read: `file:line` (JSONL) or `file: row N` (Parquet).
    public var origin: String
}

/// Reads the files the broker writes back, for `rounds finetune`: every problem names the file and its
/// line or row, and the field.
public enum TrainingSignal {
    /// An RFT weights file: `.csv` (header `path,image_id,condition,weight`) or `.jsonl`.
    public static func readWeights(path: String) throws -> [WeightedImageEntry] {
        let bytes = try BrokerFile.read(path)
        switch (path as NSString).pathExtension.lowercased() {
        case "csv": return try weightsCSV(Array(bytes), path: path)
        case "jsonl": return try jsonLines(Array(bytes), path: path).map { line, o in
                try WeightedImageEntry(
                    path: o.string("path"), imageID: o.string("image_id"), condition: o.string("condition"),
                    weight: o.weight("weight"), origin: "\(path):\(line)")
            }
        default:
            throw BrokerError(.invalidParameter, "\(path): an RFT signal is a .csv or .jsonl weights file")
        }
    }

    /// A DPO pairs file: Pick-a-Pic `.parquet` or `.jsonl`; tied rows (`label_0` 0.5) are skipped.
    public static func readPairs(path: String) throws -> [PreferencePairEntry] {
        switch (path as NSString).pathExtension.lowercased() {
        case "parquet":
            return try PickAPicFile.read(path: path).enumerated().compactMap { i, r in
                try pair(
                    label0: r.label0, images: (.bytes(r.jpg0), .bytes(r.jpg1)), ids: (r.imageID0, r.imageID1),
                    condition: r.condition, origin: "\(path): row \(i + 1)")
            }
        case "jsonl":
            return try jsonLines(Array(try BrokerFile.read(path)), path: path).compactMap { line, o in
                try pair(
                    label0: o.weight("label_0"), images: (.path(o.string("path_0")), .path(o.string("path_1"))),
                    ids: (o.string("image_id_0"), o.string("image_id_1")), condition: o.string("condition"),
                    origin: "\(path):\(line)")
            }
        default:
            throw BrokerError(.invalidParameter, "\(path): a DPO signal is a .parquet or .jsonl pairs file")
        }
    }

    private static func pair(
        label0: Double, images: (PairImage, PairImage), ids: (String, String), condition: String, origin: String
    ) throws -> PreferencePairEntry? {
        switch label0 {
        case 1: return PreferencePairEntry(
                winner: images.0, loser: images.1, winnerID: ids.0, loserID: ids.1, condition: condition,
                origin: origin)
        case 0: return PreferencePairEntry(
                winner: images.1, loser: images.0, winnerID: ids.1, loserID: ids.0, condition: condition,
                origin: origin)
        case 0.5: return nil
        default:
            throw BrokerError(.invalidFile, "\(origin): label_0: expected 1, 0 or 0.5, got \(label0)")
        }
    }

    private static func weightsCSV(_ bytes: [UInt8], path: String) throws -> [WeightedImageEntry] {
        let records = try CSVReader(bytes: bytes, path: path).records
        let header = ["path", "image_id", "condition", "weight"]
        guard let first = records.first, first.fields.map(\.value) == header else {
            throw BrokerError(.invalidFile, "\(path):1: expected the header \(header.joined(separator: ","))")
        }
        return try records.dropFirst().map { r in
            guard r.fields.count == 4 else {
                throw BrokerError(.invalidFile, "\(path):\(r.line): expected 4 fields, got \(r.fields.count)")
            }
            let f = r.fields.map(\.value)
            guard let w = Double(f[3]), w.isFinite, w >= 0 else {
                throw BrokerError(.invalidFile, "\(path):\(r.line): weight: expected a number ≥ 0, got '\(f[3])'")
            }
            return WeightedImageEntry(path: f[0], imageID: f[1], condition: f[2], weight: w, origin: "\(path):\(r.line)")
        }
    }

    /// Non-empty lines as JSON objects, with their line numbers.
    private static func jsonLines(_ bytes: [UInt8], path: String) throws -> [(Int, SignalObject)] {
        var out: [(Int, SignalObject)] = []
        for (i, line) in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty
        {
            let value: JSONValue
            do { value = try JSONValue(parsing: String(line)) } catch {
                throw BrokerError(.invalidFile, "\(path):\(i + 1): not JSON: \(error)")
            }
            guard case .object(let o) = value else {
                throw BrokerError(.invalidFile, "\(path):\(i + 1): expected a JSON object")
            }
            out.append((i + 1, SignalObject(fields: o, origin: "\(path):\(i + 1)")))
        }
        return out
    }
}

/// A JSONL line's fields, with errors that name the line and the field.
struct SignalObject {
    var fields: [String: JSONValue]
    var origin: String

    func string(_ key: String) throws -> String {
        guard case .string(let s)? = fields[key], !s.isEmpty else {
            throw BrokerError(.invalidFile, "\(origin): \(key): expected a non-empty string")
        }
        return s
    }

    func weight(_ key: String) throws -> Double {
        guard case .number(let v)? = fields[key], v.isFinite, v >= 0 else {
            throw BrokerError(.invalidFile, "\(origin): \(key): expected a number ≥ 0")
        }
        return v
    }
}
