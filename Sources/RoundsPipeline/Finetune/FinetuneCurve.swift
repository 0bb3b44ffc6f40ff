import Foundation
import RoundsDiffusion

/// The per-step log of a finetuning run, written beside the model as `loss.csv` (`step,loss`) and, for
/// DPO, `dpo.csv` (`step,loss,implicit_accuracy,margin`), which `rounds report` charts.
public struct FinetuneCurve: Sendable, Equatable {
    public struct Point: Sendable, Equatable {
        public var step: Int
        public var loss: Float
        /// DPO only.
        public var implicitAccuracy: Float?, margin: Float?
    }

    public var objective: FinetuneObjective
    public var points: [Point] = []

    public init(objective: FinetuneObjective) { self.objective = objective }

    /// Mean of a value over the last `n` points (nan when there are none).
    public func recent(_ n: Int = 10, _ value: (Point) -> Float?) -> Float {
        let xs = points.suffix(n).compactMap(value)
        return xs.isEmpty ? .nan : xs.reduce(0, +) / Float(xs.count)
    }

    public static let lossFile = "loss.csv", dpoFile = "dpo.csv"

    /// Writes `loss.csv` (and `dpo.csv` for DPO) into `directory`.
    public func write(to directory: URL) throws(DiffusionError) {
        var files = [(Self.lossFile, "step,loss\n" + points.map { "\($0.step),\($0.loss)\n" }.joined())]
        if objective == .dpo {
            files.append((
                Self.dpoFile,
                "step,loss,implicit_accuracy,margin\n"
                    + points.map { "\($0.step),\($0.loss),\($0.implicitAccuracy ?? .nan),\($0.margin ?? .nan)\n" }
                    .joined()
            ))
        }
        for (name, text) in files {
            let url = directory.appendingPathComponent(name)
            do { try Data(text.utf8).write(to: url, options: .atomic) } catch {
                throw DiffusionError(.io, "\(url.path): cannot write", cause: error)
            }
        }
    }
}

extension FinetuneCurve {
    /// Every point as `step,loss,implicit_accuracy,margin` lines (empty fields where a value is absent),
    /// kept in a LoRA run's training state so a resumed run continues its curve.
    public var csv: String {
        points.map { p in
            "\(p.step),\(p.loss),\(p.implicitAccuracy.map { "\($0)" } ?? ""),\(p.margin.map { "\($0)" } ?? "")"
        }.joined(separator: "\n")
    }

    /// Reads `csv` back; a line that does not parse is an error naming `source` and the line.
    public init(csv: String, objective: FinetuneObjective, source: String) throws(DiffusionError) {
        self.init(objective: objective)
        for (i, line) in csv.split(separator: "\n").enumerated() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 4, let step = Int(f[0]), let loss = Float(f[1]) else {
                throw DiffusionError(.invalidArgument, "\(source): curve line \(i + 1) '\(line)' is not step,loss,accuracy,margin")
            }
            points.append(Point(step: step, loss: loss, implicitAccuracy: Float(f[2]), margin: Float(f[3])))
        }
    }
}
