import Foundation
import RoundsCore
import RoundsTensor

/// A classifier directory: `classifier.safetensors` (F32 weights named `conv1.weight` … `head.bias`)
/// and `classifier.json` (conditions, image size and channels, architecture, training
/// hyper-parameters and outcome, held-out accuracy, and the weights' SHA-256).
extension ConditionClassifier {
    public static let weightsFile = "classifier.safetensors"
    public static let manifestFile = "classifier.json"
    static let format = "rounds-classifier"
    static let formatVersion = 1

    /// Writes the directory (created if needed); both files are replaced atomically.
    ///
    /// - Throws: `VisionError.io` naming the file that could not be written.
    public func save(to directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw VisionError(.io, "\(directory.path): cannot create the classifier directory", cause: error)
        }
        let bytes = weightsBytes()
        let weightsURL = directory.appendingPathComponent(Self.weightsFile)
        let manifestURL = directory.appendingPathComponent(Self.manifestFile)
        do { try Data(bytes).write(to: weightsURL, options: .atomic) } catch {
            throw VisionError(.io, "\(weightsURL.path): cannot write the weights", cause: error)
        }
        let text = manifest(sha256: SHA256.hex(bytes)).canonicalString + "\n"
        do { try Data(text.utf8).write(to: manifestURL, options: .atomic) } catch {
            throw VisionError(.io, "\(manifestURL.path): cannot write the manifest", cause: error)
        }
    }

    /// Everything `classifier.json` holds.
    public func manifest(sha256: String? = nil) -> JSONValue {
        let o = training.options
        return [
            "format": .string(Self.format), "format_version": .number(Double(Self.formatVersion)),
            "conditions": .array(conditions.map { .string($0) }),
            "size": .number(Double(size)), "channels": .number(Double(channels)),
            "feature_dimension": .number(Double(featureDimension)),
            "architecture": [
                "name": .string(ClassifierArchitecture.name), "widths": .array(architecture.widths.map { .number(Double($0)) }),
            ],
            "training": [
                "epochs": .number(Double(o.epochs)), "batch": .number(Double(o.batch)),
                "learning_rate": .number(Double(o.learningRate)), "weight_decay": .number(Double(o.weightDecay)),
                "seed": .string(String(o.seed)), "augment": .bool(o.augment), "optimizer": "adamw",
                "schedule": "warmup-cosine", "images": .number(Double(training.images)),
                "final_loss": .number(training.finalLoss), "final_accuracy": .number(training.finalAccuracy),
                "seconds": .number(training.seconds),
            ],
            "held_out": heldOut.map { ["images": .number(Double($0.images)), "accuracy": .number($0.accuracy)] } ?? .null,
            "weights": .string(Self.weightsFile),
            "sha256": .string(sha256 ?? version),
        ]
    }

    /// Loads a classifier directory written by `save(to:)`.
    ///
    /// - Throws: `VisionError` naming the file: `.io` (missing or unreadable), `.invalidFile` (a manifest
    ///   field missing or of the wrong type, with the field's name), `.weightsMismatch` (a tensor missing,
    ///   unexpected or of another shape, named with expected and actual shapes; a truncated file; or
    ///   weights whose SHA-256 differs from the manifest's).
    public convenience init(directory: URL) throws {
        let manifestURL = directory.appendingPathComponent(Self.manifestFile)
        let weightsURL = directory.appendingPathComponent(Self.weightsFile)
        guard let manifestData = FileManager.default.contents(atPath: manifestURL.path) else {
            throw VisionError(.io, "\(manifestURL.path): no classifier manifest (is \(directory.path) a classifier directory?)")
        }
        let m = try ManifestReader(data: manifestData, path: manifestURL.path)
        guard try m.string("format") == Self.format else {
            throw m.bad("format", expected: "\"\(Self.format)\"")
        }
        let version = try m.int("format_version")
        guard version == Self.formatVersion else {
            throw m.bad("format_version", expected: "\(Self.formatVersion) (this build's format)")
        }
        let conditions = try m.strings("conditions")
        guard try m.string("architecture.name") == ClassifierArchitecture.name else {
            throw m.bad("architecture.name", expected: "\"\(ClassifierArchitecture.name)\"")
        }
        let architecture = ClassifierArchitecture(
            channels: try m.int("channels"), size: try m.int("size"), widths: try m.ints("architecture.widths"),
            classes: conditions.count)
        try architecture.validate(manifestURL.path)
        let options = ClassifierTrainingOptions(
            epochs: try m.int("training.epochs"), batch: try m.int("training.batch"),
            learningRate: Float(try m.number("training.learning_rate")),
            weightDecay: Float(try m.number("training.weight_decay")),
            seed: try m.uint64("training.seed"), augment: try m.bool("training.augment"), widths: architecture.widths)
        let record = ClassifierTrainingRecord(
            options: options, images: try m.int("training.images"), finalLoss: try m.number("training.final_loss"),
            finalAccuracy: try m.number("training.final_accuracy"), seconds: try m.number("training.seconds"))
        var heldOut: HeldOutResult?
        if !m.isNull("held_out") {
            heldOut = HeldOutResult(images: try m.int("held_out.images"), accuracy: try m.number("held_out.accuracy"))
        }
        let expectedSHA = try m.string("sha256")

        guard let weightsData = FileManager.default.contents(atPath: weightsURL.path) else {
            throw VisionError(.io, "\(weightsURL.path): cannot read the classifier weights")
        }
        let bytes = [UInt8](weightsData)
        var rng = PCG32(seed: 0)
        let model = ConditionCNN(architecture: architecture, rng: &rng)
        do {
            let file = try SafetensorsFile(bytes: bytes, path: weightsURL.path)
            var tensors: [String: Tensor] = [:]
            for name in file.names { tensors[name] = try file.tensor(name) }
            try model.load(tensors, source: weightsURL.path)
        } catch {
            throw VisionError(.weightsMismatch, "\(weightsURL.path): weights do not fit \(manifestURL.lastPathComponent)",
                              cause: error)
        }
        let actualSHA = SHA256.hex(bytes)
        guard actualSHA == expectedSHA else {
            throw VisionError(
                .weightsMismatch,
                "\(weightsURL.path): SHA-256 \(actualSHA) differs from the manifest's sha256 \(expectedSHA) (weights replaced or damaged)")
        }
        self.init(conditions: conditions, model: model, training: record, heldOut: heldOut)
    }
}
