import Foundation
import RoundsCore
import RoundsDiffusion
import RoundsStore

/// A round's control arm: the parent finetuned with RFT's steps, learning rate, batch, seed, warm-up
/// and EMA on RFT's real term alone (the real images, filtered by the judge exactly as RFT's real term
/// is) with the plain denoising loss, then sampled and judged like the other arms.
///
/// Whatever the control gains came from the data and the judge's filter of it, which needs no
/// generator in the loop; what RFT or DPO gains beyond it is what feedback on the model's own samples
/// added. On data of which 85% breaks a criterion most of RFT's gain is the filter (issue 24).
public enum ControlArm {
    /// RFT's settings with every batch drawn from the real images, unweighted: with ρ = 1 and weights 1
    /// the RFT step is the plain training step bit for bit.
    public static func settings(from rft: FinetuneSettings) -> FinetuneSettings {
        FinetuneSettings(
            objective: .rft, steps: rft.steps, learningRate: rft.learningRate, seed: rft.seed,
            rft: RFTOptions(realWeight: 0, syntheticShare: 1, batch: rft.rft.batch),
            pairsPerStep: rft.pairsPerStep, warmupSteps: rft.warmupSteps, emaDecay: rft.emaDecay)
    }

    /// Finetunes a copy of `parent` on `real` and names the result a control in its lineage; the images
    /// are listed in `listing` (`image_id,condition,path`), the lineage's signal.
    public static func train(
        parent: DiffusionModel, parentDirectory: String, real: [RealExample], rft: FinetuneSettings, listing: String,
        progress: (FinetuneCurve) -> Void = { _ in }
    ) throws -> (model: DiffusionModel, curve: FinetuneCurve) {
        guard !real.isEmpty else {
            throw DiffusionError(.invalidArgument, "control arm: no real images to finetune on")
        }
        var text = "image_id,condition,path\n"
        for r in real {
            text += "\(r.record.id),\(r.record.condition?.description ?? ""),\(CSVText.field(r.record.path))\n"
        }
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: listing)) } catch {
            throw DiffusionError(.io, "\(listing): cannot write the control arm's image list", cause: error)
        }
        let settings = settings(from: rft)
        let job = FinetuneJob(settings: settings, parentPath: parentDirectory, signal: listing)
        let (model, curve) = try job.run(
            parent: parent, data: .rft(synthetic: real.map(\.example), real: []), progress: progress)
        var hyperparameters = settings.hyperparameters
        hyperparameters["objective"] = .string("control")
        hyperparameters["synthetic_share"] = nil
        hyperparameters["real_weight"] = nil
        hyperparameters["real_images"] = .number(Double(real.count))
        model.manifest.lineage = ModelLineage(
            parent: parentDirectory, objective: "control", signal: listing, hyperparameters: hyperparameters)
        return (model, curve)
    }
}

/// A CSV field as RFC 4180 writes it: quoted when it holds a comma, quote or line break.
enum CSVText {
    static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
