import ArgumentParser
import Foundation
import RoundsCore
import RoundsStore
import RoundsVision

/// `rounds classifier train --data DIR --out CLASSIFIER_DIR [--epochs N] [--size S] [--json]`.
struct ClassifierTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the condition classifier on DIR/<condition>/*.png|jpg and record it in the store.",
        discussion: """
            A stratified share of each condition's images (--held-out) is kept out of training and its accuracy \
            is reported and saved in classifier.json. The directory gets classifier.safetensors and \
            classifier.json; the store gets a checkpoint row with objective 'classifier'.
            """
    )

    @Option(help: "Folder with one sub-folder of images per condition.")
    var data: String

    @Option(help: "Classifier directory to write (created if needed).")
    var out: String

    @Option(help: "Passes over the training images (default: 16, or more so that training takes at least 320 steps).")
    var epochs: Int?

    @Option(help: "Image side the classifier sees (images are resized; a multiple of 4).")
    var size: Int = 32

    @Option(help: "Image channels: 3 (RGB) or 1 (grey).")
    var channels: Int = 3

    @Option(help: "Images per optimisation step.")
    var batch: Int = 32

    @Option(help: "Peak AdamW learning rate.")
    var lr: Double = 3e-3

    @Option(help: "Seed of the split, initialisation, shuffling and flips.")
    var seed: UInt64 = 0

    @Option(help: "Share of each condition's images held out for the reported accuracy (0 for none).")
    var heldOut: Double = 0.2

    @Flag(help: "Train without random flips.")
    var noAugment = false

    @Option(help: "Domain of the conditions (domain/condition names from the folder names).")
    var domain = "synthetic"

    @Flag(help: "Print one JSON document on stdout.")
    var json = false

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs: expected at least 1, got \(epochs)") }
        guard batch >= 1 else { throw ValidationError("--batch: expected at least 1, got \(batch)") }
        guard size >= 4, size % 4 == 0, size <= 512 else {
            throw ValidationError("--size: expected a multiple of 4 in 4...512, got \(size)")
        }
        guard channels == 1 || channels == 3 else { throw ValidationError("--channels: expected 1 or 3, got \(channels)") }
        guard lr > 0, lr.isFinite else { throw ValidationError("--lr: expected a positive number, got \(lr)") }
        guard heldOut >= 0, heldOut < 1 else { throw ValidationError("--held-out: expected 0 ≤ share < 1, got \(heldOut)") }
    }

    func run() throws {
        do { try train() } catch let e as ValidationError { throw e } catch { throw failWithError(error) }
    }

    private func train() throws {
        try OutputFolder.refuseExistingModel(out, manifest: ConditionClassifier.manifestFile)
        let folder = try LabelledImageFolder.load(data, domain: domain, size: size, channels: channels)
        let (trainIndices, heldOutIndices) = folder.split(heldOutFraction: heldOut, seed: seed)
        let epochs = self.epochs ?? ClassifierTrainingOptions.automaticEpochs(images: trainIndices.count, batch: batch)
        let options = ClassifierTrainingOptions(
            epochs: epochs, batch: batch, learningRate: Float(lr), seed: seed, augment: !noAugment)
        Console.error(
            "rounds classifier train: \(folder.conditions.count) conditions, \(trainIndices.count) training and "
                + "\(heldOutIndices.count) held-out image(s), \(size)x\(size)x\(channels)")
        let classifier = try ConditionClassifier.train(
            images: trainIndices.map { folder.images[$0] }, labels: trainIndices.map { folder.labels[$0] },
            conditions: folder.conditions, channels: channels, size: size, options: options
        ) { epoch, loss, accuracy in
            Console.error(
                "epoch \(epoch)/\(epochs): loss \(String(format: "%.4f", loss)), training accuracy "
                    + String(format: "%.3f", accuracy))
        }
        var evaluation: ClassifierEvaluation?
        if !heldOutIndices.isEmpty {
            let e = try classifier.evaluate(
                images: heldOutIndices.map { folder.images[$0] }, labels: heldOutIndices.map { folder.labels[$0] })
            classifier.heldOut = HeldOutResult(images: e.images, accuracy: e.accuracy)
            evaluation = e
        }
        let outURL = URL(fileURLWithPath: out).standardizedFileURL
        try classifier.save(to: outURL)
        let manifest = classifier.manifest()
        let metrics: JSONValue = [
            "held_out_accuracy": evaluation.map { .number($0.accuracy) } ?? .null,
            "held_out_images": .number(Double(heldOutIndices.count)),
            "final_training_accuracy": .number(classifier.training.finalAccuracy),
            "final_loss": .number(classifier.training.finalLoss),
        ]
        var hyper = manifest["training"]?.objectValue ?? [:]
        hyper["data"] = .string(URL(fileURLWithPath: data).standardizedFileURL.path)
        hyper["held_out_share"] = .number(heldOut)
        hyper["size"] = .number(Double(size))
        hyper["channels"] = .number(Double(channels))
        let store = try database.open()
        let (record, _) = try store.recordModel(
            path: outURL.path, sha256: classifier.version, objective: .classifier,
            hyperParameters: JSONValue.object(hyper).canonicalString, metrics: metrics.canonicalString)
        if json {
            let summary: JSONValue = [
                "classifier": .string(outURL.path), "version": .string(classifier.version),
                "checkpoint_id": .number(Double(record.id ?? 0)),
                "conditions": .array(folder.conditions.map { .string($0) }),
                "training_images": .number(Double(trainIndices.count)),
                "held_out_images": .number(Double(heldOutIndices.count)),
                "held_out_accuracy": evaluation.map { .number($0.accuracy) } ?? .null,
                "per_condition": evaluation.map(ClassifierReport.perCondition) ?? .null,
                "final_training_accuracy": .number(classifier.training.finalAccuracy),
                "final_loss": .number(classifier.training.finalLoss),
                "epochs": .number(Double(epochs)),
                "seconds": .number((classifier.training.seconds * 1000).rounded() / 1000),
            ]
            print(summary.canonicalString)
        } else {
            print(outURL.path)
            if let evaluation {
                Console.error("held-out accuracy \(String(format: "%.3f", evaluation.accuracy)) on \(evaluation.images) image(s)")
                ClassifierReport.lines(evaluation).forEach(Console.error)
            }
            Console.error(
                "rounds classifier train: version \(classifier.version.prefix(12)), checkpoint \(record.id ?? 0), "
                    + String(format: "%.1fs", classifier.training.seconds))
        }
    }
}
