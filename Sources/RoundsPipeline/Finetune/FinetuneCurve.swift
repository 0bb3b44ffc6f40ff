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
