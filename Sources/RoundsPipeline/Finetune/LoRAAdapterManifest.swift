import Foundation
import RoundsCore
import RoundsDiffusion

/// `adapter.json` of an adapter folder written by `rounds finetune` on a Stable Diffusion pipeline: what
/// the adapters were trained on and how, so `rounds sample --lora` can check the base and the store can
/// record the lineage. Folders written by diffusers have no such file; they load all the same.
public struct LoRAAdapterManifest: Sendable, Equatable {
    public static let format = "rounds-lora/1"

    /// The pipeline folder trained on and its content hash (`StableDiffusionPipeline.contentHash`).
    public var basePipeline: String, basePipelineSHA256: String
    public var objective: String
    public var signal: String
    public var steps: Int
    /// Condition -> prompt used in training.
    public var prompts: [String: String]
    public var hyperparameters: [String: JSONValue]
    public var metrics: [String: JSONValue]

    public init(basePipeline: String, basePipelineSHA256: String, objective: String, signal: String, steps: Int,
                prompts: [String: String], hyperparameters: [String: JSONValue], metrics: [String: JSONValue]) {
        self.basePipeline = basePipeline
        self.basePipelineSHA256 = basePipelineSHA256
        self.objective = objective
        self.signal = signal
        self.steps = steps
        self.prompts = prompts
        self.hyperparameters = hyperparameters
        self.metrics = metrics
    }

    public var json: JSONValue {
        [
            "format": .string(Self.format), "base_pipeline": .string(basePipeline),
            "base_pipeline_sha256": .string(basePipelineSHA256), "objective": .string(objective), "signal": .string(signal),
            "steps": .number(Double(steps)), "prompts": .object(prompts.mapValues { .string($0) }),
            "hyperparameters": .object(hyperparameters), "metrics": .object(metrics),
        ]
    }

    /// Writes `adapter.json` into `directory` (atomically).
    public func write(to directory: String) throws(DiffusionError) {
        let path = directory + "/" + LoRAFinetuneJob.manifestFile
        do { try Data((json.prettyString + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw DiffusionError(.io, "\(path): cannot write", cause: error)
        }
    }

    /// The manifest of the adapter at `path` (a folder, or a weights file inside one), nil when there is
    /// none (an adapter from diffusers or kohya). A file that exists but does not parse is an error.
    public static func read(adapter path: String) throws(DiffusionError) -> LoRAAdapterManifest? {
        var isDirectory: ObjCBool = false
        FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        let folder = isDirectory.boolValue ? path : (path as NSString).deletingLastPathComponent
        let file = (folder.isEmpty ? "." : folder) + "/" + LoRAFinetuneJob.manifestFile
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        let json: JSONValue
        do { json = try JSONValue(parsing: data) } catch { throw DiffusionError(.invalidConfig, "\(file): not valid JSON", cause: error) }
        guard json["format"]?.stringValue == format else {
            throw DiffusionError(.invalidConfig, "\(file): format '\(json["format"]?.stringValue ?? "none")', expected '\(format)'")
        }
        guard let base = json["base_pipeline"]?.stringValue, let sha = json["base_pipeline_sha256"]?.stringValue,
              let objective = json["objective"]?.stringValue, let signal = json["signal"]?.stringValue,
              let steps = json["steps"]?.doubleValue, steps >= 0, steps == steps.rounded(), steps < 1e9 else {
            throw DiffusionError(.invalidConfig, "\(file): needs base_pipeline, base_pipeline_sha256, objective, signal and a whole number of steps")
        }
        let prompts = (json["prompts"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        return LoRAAdapterManifest(basePipeline: base, basePipelineSHA256: sha, objective: objective, signal: signal, steps: Int(steps),
                                   prompts: prompts, hyperparameters: json["hyperparameters"]?.objectValue ?? [:],
                                   metrics: json["metrics"]?.objectValue ?? [:])
    }
}
