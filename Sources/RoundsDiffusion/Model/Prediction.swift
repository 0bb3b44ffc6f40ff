import Foundation
import RoundsTensor

/// One forward pass on tensors from a file (`rounds model predict`, CLI.md "`model predict` input"):
/// `sample` F32 `[N, C, H, W]`, `timestep` F32 or I64 `[N]`, `class_labels` I64 or I32 `[N]` (absent for an
/// unconditional model) -> `noise_pred` F32 `[N, out_channels, H, W]`.
public struct PredictionInput: Sendable {
    public var sample: Tensor
    public var timesteps: [Float]
    public var classLabels: [Int]?

    public init(sample: Tensor, timesteps: [Float], classLabels: [Int]?) {
        self.sample = sample
        self.timesteps = timesteps
        self.classLabels = classLabels
    }

    /// Reads and checks the tensors' presence, dtypes and ranks; errors name the file and tensor with
    /// expected vs actual.
    public init(contentsOfFile path: String) throws(DiffusionError) {
        let file: SafetensorsFile
        do { file = try SafetensorsFile(contentsOfFile: path) } catch {
            throw DiffusionError(error.code == .io ? .io : .invalidArgument, error.message)
        }
        func entry(_ name: String, _ dtypes: [SafetensorsDType]) throws(DiffusionError) -> SafetensorsFile.Entry {
            guard let e = file.entries[name] else {
                throw DiffusionError(
                    .invalidArgument,
                    "\(path): no tensor '\(name)' (the file has: \(file.names.joined(separator: ", ")))")
            }
            guard dtypes.contains(e.dtype) else {
                throw DiffusionError(
                    .invalidArgument,
                    "\(path): tensor '\(name)': expected dtype "
                        + dtypes.map { $0.rawValue }.joined(separator: " or ") + ", got \(e.dtype.rawValue)")
            }
            return e
        }
        let s = try entry("sample", [.f32])
        guard s.shape.count == 4 else {
            throw DiffusionError(
                .shapeMismatch, "\(path): tensor 'sample': expected shape [N, C, H, W], got \(s.shape)")
        }
        let n = s.shape[0]
        let t = try entry("timestep", [.f32, .i64])
        guard t.shape == [n] else {
            throw DiffusionError(.shapeMismatch, "\(path): tensor 'timestep': expected shape [\(n)], got \(t.shape)")
        }
        var labels: [Int]?
        if file.entries["class_labels"] != nil {
            let l = try entry("class_labels", [.i64, .i32])
            guard l.shape == [n] else {
                throw DiffusionError(
                    .shapeMismatch, "\(path): tensor 'class_labels': expected shape [\(n)], got \(l.shape)")
            }
            do { labels = try file.integers("class_labels").map { Int($0) } } catch {
                throw DiffusionError(.invalidArgument, error.message)
            }
        }
        do {
            self.init(
                sample: try file.tensor("sample"), timesteps: try file.tensor("timestep").scalars, classLabels: labels)
        } catch { throw DiffusionError(.invalidArgument, error.message) }
        if let bad = timesteps.firstIndex(where: { !$0.isFinite }) {
            throw DiffusionError(
                .invalidArgument, "\(path): tensor 'timestep'[\(bad)]: expected a finite number, got \(timesteps[bad])")
        }
    }
}

extension DiffusionModel {
    /// The UNet's output for `input`, checked first (errors name `source` and the tensor).
    public func predict(_ input: PredictionInput, source: String) throws(DiffusionError) -> Tensor {
        do {
            try unet.checkInputs(
                sampleShape: input.sample.shape, timesteps: input.timesteps.count, classLabels: input.classLabels)
        } catch {
            throw DiffusionError(error.code, "\(source): \(error.message)")
        }
        let needed = unet.forwardMemoryEstimate(sampleShape: input.sample.shape)
        let physical = Double(ProcessInfo.processInfo.physicalMemory)
        if needed > physical {
            throw DiffusionError(
                .invalidArgument,
                String(format: "%@: tensor 'sample' %@ needs at least %.1f GB of memory for one forward pass; this machine "
                    + "has %.1f GB (the model was trained at %@); use a smaller sample or fewer at once",
                       source, "\(input.sample.shape)", needed / 1e9, physical / 1e9,
                       unet.config.sampleSize.map { "\($0)x\($0)" } ?? "an unstated size"))
        }
        return withoutGradients {
            unet.forward(input.sample, timesteps: input.timesteps, classLabels: input.classLabels)
        }
    }

    /// Reads `inputPath`, runs the UNet, writes `noise_pred` to `outputPath`; returns the output shape.
    @discardableResult
    public func predict(inputFile inputPath: String, outputFile outputPath: String) throws(DiffusionError) -> [Int] {
        let input = try PredictionInput(contentsOfFile: inputPath)
        let out = try predict(input, source: inputPath)
        do { try Safetensors.write(["noise_pred": out], metadata: ["format": "pt"], to: outputPath) } catch {
            throw DiffusionError(.io, "\(outputPath): cannot write", cause: error)
        }
        return out.shape
    }
}
