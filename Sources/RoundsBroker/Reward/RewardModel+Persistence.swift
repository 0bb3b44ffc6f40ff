import Foundation
import RoundsCore
import RoundsTensor
import RoundsVision

/// A reward directory: `reward.safetensors` (F32: `image_proj`, `class_proj`, `fc`, `out`, and the
/// fixed `normalizer.mean` / `normalizer.inverse_std`) and `reward.json` (conditions, the classifier's
/// version, widths, training options, provenance, the weights' SHA-256).
extension RewardModel {
    public static let weightsFile = "reward.safetensors"
    public static let manifestFile = "reward.json"
    static let format = "rounds-reward"

    public func manifest(sha256: String? = nil) -> JSONValue {
        [
            "format": .string(Self.format), "format_version": 1,
            "conditions": .array(conditions.map { .string($0) }),
            "classifier_version": .string(classifierVersion),
            "feature_dimension": .number(Double(featureDimension)),
            "architecture": ["name": "sun2023-gamma", "hidden": .number(Double(options.hidden))],
            "training": [
                "epochs": .number(Double(options.epochs)), "batch": .number(Double(options.batch)),
                "learning_rate": .number(Double(options.learningRate)),
                "weight_decay": .number(Double(options.weightDecay)), "seed": .string(String(options.seed)),
                "loss": "weighted-mse", "optimizer": "adamw",
            ],
            "provenance": .object(provenance),
            "weights": .string(Self.weightsFile),
            "sha256": .string(sha256 ?? version),
        ]
    }

    /// Writes the directory (created if needed).
    public func save(to directory: URL) throws {
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw BrokerError(.io, "\(directory.path): cannot create the reward model directory", cause: error)
        }
        let bytes = weightsBytes()
        let weightsURL = directory.appendingPathComponent(Self.weightsFile)
        do { try Data(bytes).write(to: weightsURL, options: .atomic) } catch {
            throw BrokerError(.io, "\(weightsURL.path): cannot write the weights", cause: error)
        }
        let manifestURL = directory.appendingPathComponent(Self.manifestFile)
        let text = manifest(sha256: SHA256.hex(bytes)).canonicalString + "\n"
        do { try Data(text.utf8).write(to: manifestURL, options: .atomic) } catch {
            throw BrokerError(.io, "\(manifestURL.path): cannot write the manifest", cause: error)
        }
    }

    /// Loads a reward directory.
    ///
    /// - Throws: `BrokerError` naming the file: `.io` when missing, `.invalidFile` for a bad manifest field
    ///   or weights that do not fit (tensor named with expected and actual shape) or whose SHA-256 differs.
    public convenience init(directory: URL) throws {
        let manifestURL = directory.appendingPathComponent(Self.manifestFile)
        let weightsURL = directory.appendingPathComponent(Self.weightsFile)
        guard let manifestData = FileManager.default.contents(atPath: manifestURL.path) else {
            throw BrokerError(.io, "\(manifestURL.path): no reward manifest (is \(directory.path) a reward model directory?)")
        }
        do {
            let m = try ManifestReader(data: manifestData, path: manifestURL.path)
            guard try m.string("format") == Self.format else { throw m.bad("format", expected: "\"\(Self.format)\"") }
            guard try m.int("format_version") == 1 else { throw m.bad("format_version", expected: "1") }
            let conditions = try m.strings("conditions")
            guard !conditions.isEmpty else { throw m.bad("conditions", expected: "at least one condition") }
            let dimension = try m.int("feature_dimension")
            let options = RewardTrainingOptions(
                epochs: try m.int("training.epochs"), batch: try m.int("training.batch"),
                learningRate: Float(try m.number("training.learning_rate")),
                weightDecay: Float(try m.number("training.weight_decay")), hidden: try m.int("architecture.hidden"),
                seed: try m.uint64("training.seed"))
            guard dimension >= 1, dimension <= 65536 else { throw m.bad("feature_dimension", expected: "1...65536") }
            try options.validate()
            let classifierVersion = try m.string("classifier_version")
            let expectedSHA = try m.string("sha256")
            guard let weightsData = FileManager.default.contents(atPath: weightsURL.path) else {
                throw BrokerError(.io, "\(weightsURL.path): cannot read the reward model weights")
            }
            let bytes = [UInt8](weightsData)
            var rng = PCG32(seed: 0)
            let network = RewardNetwork(featureDimension: dimension, classes: conditions.count, hidden: options.hidden,
                                        rng: &rng)
            do {
                let file = try SafetensorsFile(bytes: bytes, path: weightsURL.path)
                var tensors: [String: Tensor] = [:]
                for name in file.names { tensors[name] = try file.tensor(name) }
                try network.load(tensors, source: weightsURL.path)
            } catch {
                throw BrokerError(.invalidFile, "\(weightsURL.path): weights do not fit \(Self.manifestFile)", cause: error)
            }
            let actual = SHA256.hex(bytes)
            guard actual == expectedSHA else {
                throw BrokerError(
                    .invalidFile,
                    "\(weightsURL.path): SHA-256 \(actual) differs from the manifest's sha256 \(expectedSHA) (weights replaced or damaged)")
            }
            self.init(conditions: conditions, classifierVersion: classifierVersion, options: options, network: network,
                      provenance: m.value("provenance")?.objectValue ?? [:])
        } catch let error as VisionError {
            throw BrokerError(.invalidFile, error.message, cause: error.cause)
        }
    }
}
