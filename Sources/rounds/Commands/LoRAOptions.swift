import Foundation
import ArgumentParser
import RoundsDiffusion

/// `rounds finetune`'s options for LoRA on a Stable Diffusion pipeline folder.
struct LoRAOptions: ParsableArguments {
    @Option(help: "Stable Diffusion: LoRA rank r (MAGIC: 32).")
    var loraRank = 32

    @Option(help: "Stable Diffusion: LoRA alpha; the adapters' output is scaled by alpha/r (default: the rank).")
    var loraAlpha: Float?

    @Option(help: "Stable Diffusion: layers to adapt: attention (to_q, to_k, to_v, to_out.0), or attention,feed-forward.")
    var loraTargets = "attention"

    @Option(help: "Stable Diffusion: training resolution in pixels (default: the pipeline's own).")
    var resolution: Int?

    @Option(name: .customLong("checklists"), help: "Stable Diffusion: checklists folder whose prompts the conditions use (default: $ROUNDS_CHECKLISTS, else ./Checklists, else built in).")
    var checklistsPath: String?

    @Option(help: "Stable Diffusion: write the adapter and training state every N steps.")
    var saveEvery = 50

    @Flag(help: "Stable Diffusion: continue the run stopped in --out (same options and signal).")
    var resume = false

    /// The adapter shape asked for; errors name the option.
    func config() throws -> LoRAConfig {
        var targets: [String] = []
        for part in loraTargets.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            switch part {
            case "attention": targets += LoRAConfig.attentionTargets
            case "feed-forward": targets += LoRAConfig.feedForwardTargets
            default: throw ValidationError("--lora-targets: unknown group '\(part)' (expected attention, feed-forward or both, comma-separated)")
            }
        }
        let c = LoRAConfig(rank: loraRank, alpha: loraAlpha ?? Float(loraRank), targets: targets)
        do { try c.validate() } catch { throw ValidationError("--lora-rank/--lora-alpha/--lora-targets: \(error.message)") }
        return c
    }

    /// Pixel models have no adapters: any LoRA option given is an error naming it.
    func refuseOnPixelModel(_ model: String) throws {
        var given: [String] = []
        if loraRank != 32 { given.append("--lora-rank") }
        if loraAlpha != nil { given.append("--lora-alpha") }
        if loraTargets != "attention" { given.append("--lora-targets") }
        if resolution != nil { given.append("--resolution") }
        if checklistsPath != nil { given.append("--checklists") }
        if saveEvery != 50 { given.append("--save-every") }
        if resume { given.append("--resume") }
        guard given.isEmpty else {
            throw ValidationError("\(given.joined(separator: ", ")) need a Stable Diffusion pipeline folder (model_index.json); \(model) is a pixel model")
        }
    }
}
