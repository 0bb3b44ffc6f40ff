import ArgumentParser
import Foundation
import RoundsCore
import RoundsDiffusion

/// `rounds model`: inspect a model directory or a bare diffusers UNet folder.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Inspect a diffusion model directory: one forward pass on given tensors, or a summary.",
        subcommands: [ModelPredict.self, ModelInfoCommand.self]
    )
}

/// Prints `error` as `rounds: error: …` on stderr and exits with status 2.
func failWithError(_ error: any Error) -> ExitCode {
    FileHandle.standardError.write(Data("rounds: error: \(error)\n".utf8))
    return ExitCode(2)
}

/// `rounds model predict --model MODEL_DIR --input FILE.safetensors --out FILE.safetensors`.
struct ModelPredict: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Run the UNet once on sample/timestep/class_labels from a safetensors file; write noise_pred."
    )

    @Option(help: "Model directory (unet/, scheduler/, rounds.json) or a bare diffusers UNet folder.")
    var model: String

    @Option(help: "Safetensors input: sample F32 [N,C,H,W], timestep F32 or I64 [N], class_labels I64 or I32 [N].")
    var input: String

    @Option(help: "Safetensors output file; receives noise_pred F32 [N,C,H,W].")
    var out: String

    func run() throws {
        do {
            let m = try DiffusionModel(directory: URL(fileURLWithPath: model))
            let shape = try m.predict(inputFile: input, outputFile: out)
            FileHandle.standardError.write(Data("rounds model predict: wrote noise_pred \(shape) to \(out)\n".utf8))
        } catch {
            throw failWithError(error)
        }
    }
}

/// `rounds model info MODEL_DIR [--json]`.
struct ModelInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print a model's configuration, parameter count, conditions and lineage (or a Stable Diffusion pipeline's components)."
    )

    @Argument(help: "Model directory, bare diffusers UNet folder, or diffusers Stable Diffusion pipeline folder (model_index.json).")
    var modelDirectory: String

    @Flag(help: "Print one JSON document on stdout.")
    var json = false

    func run() throws {
        if PipelineIndex.isPipeline(modelDirectory) {
            let info: PipelineInfo
            do { info = PipelineInfo(try StableDiffusionPipeline(directory: modelDirectory)) } catch { throw failWithError(error) }
            print(json ? info.json.canonicalString : info.text)
            return
        }
        let info: ModelInfo
        do { info = ModelInfo(try DiffusionModel(directory: URL(fileURLWithPath: modelDirectory))) } catch {
            throw failWithError(error)
        }
        print(json ? info.json.canonicalString : info.text)
    }
}
