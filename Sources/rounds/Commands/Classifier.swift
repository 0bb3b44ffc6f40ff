import ArgumentParser
import Foundation
import RoundsCore
import RoundsVision

/// `rounds classifier`: the condition classifier (RoundsVision) that CAS, the reward model and the
/// demo's recognisability check use.
struct ClassifierCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classifier",
        abstract: "Train and evaluate the condition classifier (a small CNN on one folder per condition).",
        subcommands: [ClassifierTrain.self, ClassifierEval.self]
    )
}

/// What `classifier train` and `classifier eval` print per condition.
enum ClassifierReport {
    static func perCondition(_ e: ClassifierEvaluation) -> JSONValue {
        .object(
            Dictionary(
                uniqueKeysWithValues: e.perCondition.map { name, v in
                    (name, JSONValue.object(["images": .number(Double(v.images)), "accuracy": .number(v.accuracy)]))
                }))
    }

    static func lines(_ e: ClassifierEvaluation) -> [String] {
        e.perCondition.sorted { $0.key < $1.key }.map { name, v in
            "  \(name): \(String(format: "%.3f", v.accuracy)) (\(v.images) image(s))"
        }
    }
}
