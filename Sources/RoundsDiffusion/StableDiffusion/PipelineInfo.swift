import Foundation
import RoundsCore
import RoundsTensor

/// What `rounds model info SD_DIR` prints for a Stable Diffusion pipeline folder: its class, the weight
/// files and parameter count of each component, the UNet's shape, the scheduler and the tokenizer.
public struct PipelineInfo {
    public let pipeline: StableDiffusionPipeline

    public init(_ pipeline: StableDiffusionPipeline) { self.pipeline = pipeline }

    private func parameters(_ m: any Module) -> Int { m.namedParameters().reduce(0) { $0 + $1.parameter.value.count } }

    private var components: [(name: String, module: any Module)] {
        [("text_encoder", pipeline.textEncoder), ("unet", pipeline.unet), ("vae", pipeline.vae)]
    }

    /// `{"layout": "stable-diffusion", "pipeline_class", "resolution", "parameters", "components": {name:
    /// {"files", "dtype", "parameters"}}, "unet": {...}, "text_encoder": {...}, "scheduler": {...},
    /// "tokenizer": {...}, "ignored"}`.
    public var json: JSONValue {
        let u = pipeline.unet.config, t = pipeline.textEncoder.config
        var parts: [String: JSONValue] = [:]
        for (name, module) in components {
            let files = pipeline.weightFiles.first { $0.component == name }
            parts[name] = [
                "files": .array((files?.files ?? []).map { .string($0) }), "dtype": files.map { .string($0.dtype) } ?? .null,
                "parameters": .number(Double(parameters(module))),
            ]
        }
        return [
            "layout": "stable-diffusion", "pipeline_class": .string(pipeline.index.pipelineClass),
            "resolution": .number(Double(pipeline.defaultResolution)),
            "parameters": .number(Double(components.reduce(0) { $0 + parameters($1.module) })),
            "components": .object(parts),
            "unet": [
                "block_out_channels": .array(u.blockOutChannels.map { .number(Double($0)) }),
                "cross_attention_dim": .number(Double(u.crossAttentionDim)), "heads": .array(u.heads.map { .number(Double($0)) }),
                "sample_size": .number(Double(u.sampleSize)), "use_linear_projection": .bool(u.useLinearProjection),
            ],
            "text_encoder": ["hidden_size": .number(Double(t.hiddenSize)), "layers": .number(Double(t.layers)),
                             "activation": .string(t.activation)],
            "scheduler": ["class": .string(pipeline.index.schedulerClass),
                          "prediction_type": .string(pipeline.scheduler.predictionType.rawValue),
                          "notice": pipeline.schedulerNotice.map(JSONValue.string) ?? .null],
            "tokenizer": ["vocabulary": .number(Double(pipeline.tokenizer.vocabulary.count)),
                          "max_length": .number(Double(pipeline.tokenizer.maxLength))],
            "ignored": .array(pipeline.index.ignored.map { .string($0) }),
        ]
    }

    public var text: String {
        let u = pipeline.unet.config
        var lines = [
            "layout: stable-diffusion (\(pipeline.index.pipelineClass)), native resolution \(pipeline.defaultResolution)x\(pipeline.defaultResolution)",
        ]
        for (name, module) in components {
            let files = pipeline.weightFiles.first { $0.component == name }
            let n = parameters(module)
            lines.append("\(name): \(String(format: "%.2f", Double(n) / 1e6)) M parameters, \(files?.files.count ?? 0) file(s) (\(files?.dtype ?? "?"))")
        }
        lines.append("unet: channels \(u.blockOutChannels.map(String.init).joined(separator: ", ")); cross-attention \(u.crossAttentionDim); heads \(u.heads.map(String.init).joined(separator: ", "))")
        lines.append("scheduler: \(pipeline.index.schedulerClass), \(pipeline.scheduler.predictionType.rawValue) prediction"
                     + (pipeline.schedulerNotice != nil ? " (sampled with DDIM or DPM-Solver++ on its schedule)" : ""))
        lines.append("tokenizer: \(pipeline.tokenizer.vocabulary.count) tokens, \(pipeline.tokenizer.maxLength) per prompt")
        if !pipeline.index.ignored.isEmpty { lines.append("not used: \(pipeline.index.ignored.joined(separator: ", "))") }
        return lines.joined(separator: "\n")
    }
}
