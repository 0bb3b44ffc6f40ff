import ArgumentParser
import Foundation
import RoundsCore
import RoundsVision

/// `rounds classifier eval --classifier DIR --data DIR [--json]`.
struct ClassifierEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure a trained classifier's accuracy on DIR/<condition>/*.png|jpg.",
        discussion: """
            Every folder must name a condition the classifier knows (it may cover only some of them). Images are \
            resized to the classifier's size.
            """
    )

    @Option(help: "Classifier directory (classifier.json + classifier.safetensors).")
    var classifier: String

    @Option(help: "Folder with one sub-folder of images per condition.")
    var data: String

    @Option(help: "Domain of the folder names (domain/condition).")
    var domain = "synthetic"

    @Flag(help: "Print one JSON document on stdout.")
    var json = false

    func run() throws {
        do { try evaluate() } catch let e as ValidationError { throw e } catch { throw failWithError(error) }
    }

    private func evaluate() throws {
        let model = try ConditionClassifier(directory: URL(fileURLWithPath: classifier))
        let folder = try LabelledImageFolder.load(data, domain: domain, size: model.size, channels: model.channels)
        // The folder's class indices follow its own sorted folders; map them onto the classifier's.
        var mapping: [Int] = []
        for name in folder.conditions {
            guard let k = model.conditions.firstIndex(of: name) else {
                throw VisionError(
                    .invalidInput,
                    "\(data): folder for \(name): the classifier in \(classifier) does not know this condition "
                        + "(it knows \(model.conditions.joined(separator: ", ")))")
            }
            mapping.append(k)
        }
        let e = try model.evaluate(images: folder.images, labels: folder.labels.map { mapping[$0] })
        if json {
            print(
                JSONValue.object([
                    "classifier": .string(URL(fileURLWithPath: classifier).standardizedFileURL.path),
                    "version": .string(model.version), "images": .number(Double(e.images)),
                    "accuracy": .number(e.accuracy), "per_condition": ClassifierReport.perCondition(e),
                    "confusion": .array(e.confusion.map { .array($0.map { .number(Double($0)) }) }),
                    "conditions": .array(e.conditions.map { .string($0) }),
                ]).canonicalString)
        } else {
            print("accuracy \(String(format: "%.4f", e.accuracy)) on \(e.images) image(s)")
            ClassifierReport.lines(e).forEach { print($0) }
        }
    }
}
