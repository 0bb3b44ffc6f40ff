import Foundation
import RoundsAlignment
import RoundsCore
import RoundsStore

/// The training curves of one finetuned checkpoint, read from its model directory.
///
/// The finetuner writes `loss.csv` (header `step,loss`) into every model directory and, for DPO,
/// `dpo.csv` (header `step,loss,implicit_accuracy,margin`). A missing file is a note, not an error
/// (a run still in progress, a directory moved); a malformed one is an error naming file and line.
public struct TrainingCurves: Sendable {
    public typealias Curve = [(step: Double, value: Double)]

    public var checkpointID: Int64
    /// `rft` or `dpo`.
    public var objective: String
    /// The model directory.
    public var path: String
    public var parentID: Int64?
    /// From `loss.csv`.
    public var loss: Curve
    /// From `dpo.csv`: the share of pairs where the model prefers the winner more than the reference does.
    public var implicitAccuracy: Curve
    /// From `dpo.csv`: the mean implicit reward margin.
    public var margin: Curve
    /// What could not be read, for the page (e.g. "loss.csv not found in /models/rft-1").
    public var notes: [String]

    /// Steps averaged into a "final" value: `rounds finetune` prints its final loss as the mean of the
    /// last 10 steps (`FinetuneCurve.recent`), and the report shows the same number.
    public static let finalWindow = 10

    /// The mean of the last `finalWindow` values of a curve, nil for an empty one.
    public static func final(_ curve: Curve) -> Double? {
        let tail = curve.suffix(finalWindow).map(\.value)
        return tail.isEmpty ? nil : tail.reduce(0, +) / Double(tail.count)
    }

    /// A short name for legends: `checkpoint 3 (rft-1)`.
    public var label: String {
        "checkpoint \(checkpointID) (\(URL(fileURLWithPath: path).lastPathComponent))"
    }

    /// Curves of every checkpoint whose objective is `rft` or `dpo`, oldest first.
    ///
    /// - Throws: `AlignmentError.invalidArgument` for a malformed `loss.csv` or `dpo.csv` (file:line,
    ///   expected vs found); `StoreError` from the store.
    public static func load(store: Store) throws -> [TrainingCurves] {
        let checkpoints = try store.checkpoints(objectives: [.rft, .dpo])
        return try checkpoints.map { try load($0) }
    }

    /// Curves of one checkpoint (see `load(store:)`).
    public static func load(_ checkpoint: CheckpointRecord) throws -> TrainingCurves {
        let directory = URL(fileURLWithPath: checkpoint.path)
        var curves = TrainingCurves(
            checkpointID: checkpoint.id ?? 0, objective: checkpoint.objective.rawValue, path: checkpoint.path,
            parentID: checkpoint.parentID, loss: [], implicitAccuracy: [], margin: [], notes: [])
        let loss = directory.appendingPathComponent("loss.csv").path
        if let columns = try read(loss, header: ["step", "loss"]) {
            curves.loss = columns[0]
        } else {
            curves.notes.append("loss.csv not found in \(checkpoint.path)")
        }
        if checkpoint.objective == .dpo {
            let dpo = directory.appendingPathComponent("dpo.csv").path
            if let columns = try read(dpo, header: ["step", "loss", "implicit_accuracy", "margin"]) {
                curves.implicitAccuracy = columns[1]
                curves.margin = columns[2]
                if curves.loss.isEmpty { curves.loss = columns[0] }
            } else {
                curves.notes.append("dpo.csv not found in \(checkpoint.path)")
            }
        }
        return curves
    }

    /// Reads a CSV of `step` and value columns; one curve per value column, or nil when the file is absent.
    static func read(_ path: String, header: [String]) throws -> [Curve]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        // "\r\n" is one Character in Swift, so it is a separator of its own.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard let first = lines.first else {
            throw AlignmentError(
                .invalidArgument, "\(path):1: expected the header \(header.joined(separator: ",")), found an empty file"
            )
        }
        let found = first.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard found == header else {
            throw AlignmentError(
                .invalidArgument, "\(path):1: expected the header \(header.joined(separator: ",")), found '\(first)'")
        }
        var curves = [Curve](repeating: [], count: header.count - 1)
        for (index, line) in lines.enumerated().dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard cells.count == header.count else {
                throw AlignmentError(
                    .invalidArgument,
                    "\(path):\(index + 1): expected \(header.count) values (\(header.joined(separator: ","))), "
                        + "found \(cells.count) in '\(line)'")
            }
            guard let step = Double(cells[0]), step.isFinite else {
                throw AlignmentError(
                    .invalidArgument, "\(path):\(index + 1): step: expected a number, found '\(cells[0])'")
            }
            for column in 1..<header.count {
                // A diverged step may be nan or inf: kept here, dropped by the chart.
                guard let value = Double(cells[column]) else {
                    throw AlignmentError(
                        .invalidArgument,
                        "\(path):\(index + 1): \(header[column]): expected a number, found '\(cells[column])'")
                }
                curves[column - 1].append((step, value))
            }
        }
        return curves
    }
}

extension TrainingCurves {
    /// The curves as JSON (`report.json`): `[[step, value], …]` per quantity; a non-finite value is null.
    public var json: JSONValue {
        func curve(_ c: Curve) -> JSONValue {
            .array(c.map { .array([.number($0.step), $0.value.isFinite ? .number($0.value) : .null]) })
        }
        return [
            "checkpoint": .number(Double(checkpointID)), "objective": .string(objective), "path": .string(path),
            "parent": parentID.map { .number(Double($0)) } ?? .null, "loss": curve(loss),
            "implicit_accuracy": curve(implicitAccuracy), "margin": curve(margin),
            "notes": .array(notes.map(JSONValue.string)),
        ]
    }
}
