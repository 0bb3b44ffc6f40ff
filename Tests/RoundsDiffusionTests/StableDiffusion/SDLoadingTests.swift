import Foundation
import RoundsCore
import RoundsTensor
import Testing

@testable import RoundsDiffusion

/// Loading pipeline folders as transformers 4/5 and diffusers write them, and the errors for broken ones:
/// each names the file and the tensor or key.
@Suite struct SDLoadingTests {
    /// A scratch copy of a fixture pipeline, removed by `cleanup`.
    static func copy(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sd-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: SDParityTests.sd.appendingPathComponent(name), to: dir)
        return dir
    }

    static func editJSON(_ url: URL, _ edit: (inout [String: JSONValue]) -> Void) throws {
        var object = try #require(try JSONValue(parsing: Data(contentsOf: url)).objectValue)
        edit(&object)
        try JSONValue.object(object).canonicalString.write(to: url, atomically: true, encoding: .utf8)
    }

    @Test func readsWhatEachFolderHolds() throws {
        let sd1 = try SDParityTests.pipeline("sd1")
        #expect(sd1.weightFiles.first { $0.component == "unet" }!.files.count == 7)  // the index and six shards
        #expect(sd1.schedulerNotice?.contains("PNDMScheduler") == true)
        #expect(sd1.index.ignored.isEmpty)
        #expect(sd1.defaultResolution == 16)
        let sd2 = try SDParityTests.pipeline("sd2")
        #expect(sd2.weightFiles.allSatisfy { $0.dtype == "F16" && $0.files.allSatisfy { $0.contains(".fp16.") } })
        #expect(sd2.scheduler.predictionType == .vPrediction)
        #expect(sd2.schedulerNotice == nil)
        #expect(sd2.unet.config.heads == [2, 4, 4] && sd2.unet.config.useLinearProjection && sd2.unet.config.upcastAttention)
    }

    /// transformers 4 saved the text encoder's tensors under `text_model.` (and some versions a
    /// `position_ids` buffer); both load to the same model.
    @Test func textModelPrefix() throws {
        let dir = try Self.copy("sd1")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("text_encoder/model.safetensors").path
        let f = try SafetensorsFile(contentsOfFile: path)
        var tensors: [String: Tensor] = [:]
        for name in f.names { tensors["text_model." + name] = try f.tensor(name) }
        tensors["text_model.embeddings.position_ids"] = Tensor(shape: [1, 77], scalars: (0..<77).map(Float.init))
        try Safetensors.write(tensors, to: path)
        try Self.editJSON(dir.appendingPathComponent("text_encoder/config.json")) {
            $0["torch_dtype"] = "float32"
            $0["dtype"] = nil
            $0["transformers_version"] = "4.44.2"
        }
        let p = try StableDiffusionPipeline(directory: dir.path)
        let reference = try SDParityTests.pipeline("sd1")
        let ids = [reference.tokenizer.encodePadded("a photo of vitiligo")]
        #expect(withoutGradients { p.textEncoder(ids) }.scalars == withoutGradients { reference.textEncoder(ids) }.scalars)
    }

    @Test func missingComponent() throws {
        let dir = try Self.copy("sd1")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.removeItem(at: dir.appendingPathComponent("vae"))
        expectDiffusionError(.io, mentioning: ["vae", "missing component folder"]) {
            _ = try StableDiffusionPipeline(directory: dir.path)
        }
        try Self.editJSON(dir.appendingPathComponent("model_index.json")) { $0["vae"] = nil }
        expectDiffusionError(.invalidConfig, mentioning: ["model_index.json", "vae: missing"]) {
            _ = try StableDiffusionPipeline(directory: dir.path)
        }
    }

    @Test func missingWeights() throws {
        let dir = try Self.copy("sd1")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.removeItem(at: dir.appendingPathComponent("vae/diffusion_pytorch_model.safetensors"))
        try Data([0]).write(to: dir.appendingPathComponent("vae/diffusion_pytorch_model.bin"))
        expectDiffusionError(.io, mentioning: ["vae", "diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.bin"]) {
            _ = try StableDiffusionPipeline(directory: dir.path)
        }
    }

    @Test func mismatchedTensorShape() throws {
        let dir = try Self.copy("sd1")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("vae/diffusion_pytorch_model.safetensors").path
        let f = try SafetensorsFile(contentsOfFile: path)
        var tensors: [String: Tensor] = [:]
        for name in f.names { tensors[name] = try f.tensor(name) }
        tensors["decoder.conv_in.bias"] = Tensor.zeros([17])
        try Safetensors.write(tensors, to: path)
        expectDiffusionError(.shapeMismatch, mentioning: ["vae/diffusion_pytorch_model.safetensors", "decoder.conv_in.bias", "[16]", "[17]"]) {
            _ = try StableDiffusionPipeline(directory: dir.path)
        }
    }

    @Test func configKeys() throws {
        let dir = try Self.copy("sd1")
        defer { try? FileManager.default.removeItem(at: dir) }
        let unet = dir.appendingPathComponent("unet/config.json")
        // an unsupported key at diffusers' default is accepted
        try Self.editJSON(unet) { $0["dual_cross_attention"] = false; $0["class_embed_type"] = .null }
        _ = try StableDiffusionPipeline(directory: dir.path)
        try Self.editJSON(unet) { $0["dual_cross_attention"] = true }
        expectDiffusionError(.unsupported, mentioning: ["unet/config.json", "dual_cross_attention", "true"]) {
            _ = try StableDiffusionPipeline(directory: dir.path)
        }
        try Self.editJSON(unet) { $0["dual_cross_attention"] = false; $0["frobnication_level"] = 3 }
        expectDiffusionError(.unsupported, mentioning: ["unet/config.json", "frobnication_level", "unknown"]) {
            _ = try StableDiffusionPipeline(directory: dir.path)
        }
        try Self.editJSON(unet) { $0["frobnication_level"] = nil; $0["down_block_types"] = ["CrossAttnDownBlock2D", "SimpleDownBlock"] }
        expectDiffusionError(.unsupported, mentioning: ["unet/config.json", "down_block_types[1]", "SimpleDownBlock"]) {
            _ = try StableDiffusionPipeline(directory: dir.path)
        }
        let text = dir.appendingPathComponent("text_encoder/config.json")
        try Self.editJSON(unet) { $0["down_block_types"] = ["CrossAttnDownBlock2D", "DownBlock2D"] }
        try Self.editJSON(text) { $0["hidden_act"] = "relu" }
        expectDiffusionError(.unsupported, mentioning: ["text_encoder/config.json", "hidden_act", "relu"]) {
            _ = try StableDiffusionPipeline(directory: dir.path)
        }
    }
}
