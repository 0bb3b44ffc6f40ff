import RoundsCore
import RoundsDiffusion

/// Which feedback objective a finetuning run optimises.
public enum FinetuneObjective: String, Sendable, CaseIterable, Codable {
    /// Reward-weighted finetuning (Sun et al. 2023; MAGIC's RFT route).
    case rft
    /// Diffusion-DPO (Wallace et al. 2023; MAGIC's DPO route).
    case dpo
}

/// Everything that decides a finetuning run, recorded in the new model's lineage.
public struct FinetuneSettings: Sendable, Equatable {
    public var objective: FinetuneObjective
    public var steps: Int
    public var learningRate: Double
    public var seed: UInt64
    /// RFT: β_r, ρ and the batch size.
    public var rft: RFTOptions
    /// DPO: β and the timestep range.
    public var dpo: DPOOptions
    /// DPO: pairs per optimiser step (MAGIC: 8).
    public var pairsPerStep: Int
    /// Linear learning-rate warm-up. Adam's first steps move every weight by about the full learning
    /// rate whatever its gradient, which shifts a converged model's colours; warming up avoids that.
    public var warmupSteps: Int
    /// EMA of the finetuned weights (saved instead of the raw ones), starting at the parent's weights
    /// without warm-up so the saved model moves away from the parent smoothly; nil for none.
    public var emaDecay: Double?

    /// Defaults from the papers: RFT β_r 0.3, ρ 0.2; DPO 8 pairs per step, AdamW lr 1e-4 (MAGIC).
    public init(
        objective: FinetuneObjective, steps: Int, learningRate: Double = 1e-4, seed: UInt64 = 0,
        rft: RFTOptions = RFTOptions(), dpo: DPOOptions = DPOOptions(), pairsPerStep: Int = 8,
        warmupSteps: Int? = nil, emaDecay: Double? = 0.999
    ) {
        self.warmupSteps = warmupSteps ?? max(1, steps / 10)
        self.emaDecay = emaDecay
        self.objective = objective
        self.steps = steps
        self.learningRate = learningRate
        self.seed = seed
        self.rft = rft
        self.dpo = dpo
        self.pairsPerStep = pairsPerStep
    }

    /// Checks ranges; messages name the setting.
    public func validate() throws(DiffusionError) {
        guard steps >= 1 else { throw DiffusionError(.invalidArgument, "steps: expected at least 1, got \(steps)") }
        guard learningRate > 0, learningRate.isFinite else {
            throw DiffusionError(.invalidArgument, "learning rate: expected a positive number, got \(learningRate)")
        }
        guard pairsPerStep >= 1 else {
            throw DiffusionError(.invalidArgument, "pairs per step: expected at least 1, got \(pairsPerStep)")
        }
        guard warmupSteps >= 0 else {
            throw DiffusionError(.invalidArgument, "warm-up steps: expected at least 0, got \(warmupSteps)")
        }
        if let emaDecay, !(emaDecay >= 0 && emaDecay < 1) {
            throw DiffusionError(.invalidArgument, "EMA decay: expected 0 ≤ decay < 1, got \(emaDecay)")
        }
    }

    /// The AdamW/EMA settings of the run: no label dropout for DPO (a pair is about its condition), the
    /// usual 10% for RFT so guidance keeps working.
    public var training: TrainingOptions {
        var t = TrainingOptions()
        t.learningRate = Float(learningRate)
        t.seed = seed
        t.emaMaxDecay = emaDecay.map(Float.init)
        t.emaWarmup = false
        t.emaConstantDecay = true
        t.labelDropout = objective == .dpo ? 0 : 0.1
        return t
    }

    /// The hyper-parameters written to `rounds.json` and the store.
    public var hyperparameters: [String: JSONValue] {
        var h: [String: JSONValue] = [
            "objective": .string(objective.rawValue), "steps": .number(Double(steps)),
            "learning_rate": .number(learningRate), "seed": .number(Double(seed)),
            "label_dropout": .number(training.labelDropout), "ema_decay": emaDecay.map(JSONValue.number) ?? .null,
            "warmup_steps": .number(Double(warmupSteps)),
        ]
        switch objective {
        case .rft:
            h["real_weight"] = .number(Double(rft.realWeight))
            h["synthetic_share"] = .number(rft.syntheticShare)
            h["batch"] = .number(Double(rft.batch))
        case .dpo:
            h["beta"] = .number(Double(dpo.beta))
            h["pairs_per_step"] = .number(Double(pairsPerStep))
            h["max_timestep"] = dpo.maxTimestep.map { .number(Double($0)) } ?? .null
            h["sft_weight"] = .number(Double(dpo.sftWeight))
        }
        return h
    }

    /// The learning rate of step `step` (1-based): linear warm-up, then constant.
    public func learningRate(at step: Int) -> Float {
        Float(learningRate * min(1, Double(step) / Double(max(1, warmupSteps))))
    }
}
