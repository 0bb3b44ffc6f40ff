import ArgumentParser
import Foundation
import RoundsBroker
import RoundsChecklists
import RoundsCore
import RoundsDiffusion
import RoundsJudge
import RoundsPipeline
import RoundsSimulator

/// `rounds demo [--quick] [--out DIR] [--json]`: the whole feedback loop offline, on built-in defaults.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the offline demo: one feedback round (control, RFT and DPO) on the procedural benchmark, judged by the simulator.",
        discussion: """
            No key, no network. 1. Lints the checklists. 2. Paints the procedural benchmark (four lesion \
            conditions over six skin-tone bands; the "real" images) into DIR/dataset and stores it in \
            DIR/rounds.sqlite. 3. Loads the pretrained checkpoint shipped in Models/defect85-scratch-unet \
            (trained from scratch to convergence on data of which 85% breaks a criterion; see its \
            TRAINING.md). 4. Serves the SIMULATOR judge (it measures the criteria from \
            pixels; not a clinical model) on loopback and asks it over real HTTP, exactly as `rounds judge` \
            does. 5. Samples the pretrained model, judges the samples, builds RFT weights and DPO pairs with \
            the broker, finetunes once with each, and finetunes the control arm (the same steps, learning \
            rate, batch and EMA on the judge-filtered real images alone). 6. Samples every model (before, \
            control, RFT, DPO) from evaluation seeds that never built the signal and judges them. 7. Trains \
            the condition classifier on the real images and measures how often it recognises each model's \
            samples. Prints the table (share of samples meeting every criterion with Wilson 95% intervals, \
            judged and measured from the pixels, per criterion, per skin-tone band; each objective's gain \
            over the control with Newcombe's interval) and writes DIR/summary.json. --seeds N runs N whole \
            rounds (DIR/seed-S/) and writes their spread to DIR/seeds.json. On the defect-data checkpoints \
            the control arm shows the judge's data-cleaning use: the filtered real images alone get most of \
            the gain.
            """
    )

    @OptionGroup var options: ChecklistOptions

    @Option(help: "Output folder (dataset, store, samples, models, summary.json).")
    var out = "rounds-demo"

    @Flag(help: "A small, fast run for CI (8 samples per condition, 10 sampling steps, short finetuning): checks that the loop runs, not the gain.")
    var quick = false

    @Option(help: "The pretrained model directory (default: Models/defect85-scratch-unet, looked for in the current folder, next to the executable and in the package rounds was built from; Models/clean64-scratch-unet: the clean, scarce benchmark (64 correct images per condition), trained to step 4000, provisional until its loss is flat (its TRAINING.md), run it with --defect-rate 0 --real-per-condition 80; Models/defect85-scratch-unet: trained from scratch on data of which 85% breaks a criterion, run it with --defect-rate 0.85; Models/defect85-unet: the clean model continued on that data; Models/demo-unet: 256 clean images per condition, run it with --real-per-condition 256).")
    var pretrained: String?

    @Option(help: "The parent's samples per condition that build the signal (default 64; 8 with --quick).")
    var perCondition: Int?

    @Option(help: "Samples per condition and model that every arm is evaluated on, from seeds disjoint from the signal's (default 128: 512 per arm; 8 with --quick).")
    var evalPerCondition: Int?

    @Option(help: "Share of the painted real images with a broken criterion; match the pretrained model's training data (0 for Models/clean64-scratch-unet and Models/demo-unet, 0.85 for Models/defect85-scratch-unet and Models/defect85-unet, 0.6 for Models/defect-unet).")
    var defectRate = 0.85

    @Option(help: "Real images painted per condition, 20% of them the test split; match the pretrained model's training data (default 80 with --defect-rate 0: the clean benchmark's 64 training images per condition; 256 otherwise).")
    var realPerCondition: Int?

    @Option(help: "Run the whole round this many times with different seeds (sampling, finetuning, evaluation), into DIR/seed-S/, and write the spread to DIR/seeds.json.")
    var seeds = 1

    @Flag(inversion: .prefixedNo, help: "Finetune the control arm: the same steps, learning rate, batch and EMA as RFT on the judge-filtered real images alone.")
    var control = true

    @Option(help: "Simulator: probability that a verdict is flipped.")
    var flipRate = 0.05

    @Option(help: "Judge requests per image, combined by majority vote per criterion (as rounds judge --samples); the broker averages their scores.")
    var judgeSamples = 3

    @Option(help: "RFT optimiser steps (default 600; 10 with --quick).")
    var rftSteps: Int?

    @Option(help: "DPO optimiser steps of 8 pairs (default 400; 8 with --quick).")
    var dpoSteps: Int?

    @Option(help: "RFT learning rate (AdamW, after a linear warm-up over a tenth of the steps).")
    var rftLR = 2e-4

    @Option(help: "DPO learning rate (AdamW, after a linear warm-up over a tenth of the steps).")
    var dpoLR = 1e-4

    @Option(help: "EMA decay of the saved finetuned weights, starting at the parent's (0: save the raw weights).")
    var emaDecay = 0.99

    @Option(help: "RFT: share ρ of each batch drawn from the weighted samples (the rest are real images).")
    var syntheticShare = 0.5

    @Option(help: "RFT: weight β_r of the plain loss on real images.")
    var realWeight: Float = 1

    @Option(help: "RFT weights: an image's weight is 1 when its share of criteria met (averaged over the judge's samples) is at least this, else 0; 0.85 admits at most 2 of 15 verdicts unmet with 3 samples of 5 criteria.")
    var rftThreshold = 0.85

    @Option(help: "DPO β (see docs/finetuning.md for the sweep).")
    var dpoBeta: Float = 500

    @Option(help: "DPO: weight λ of the winners' plain denoising loss added to the DPO loss (RPO; 0: plain Diffusion-DPO).")
    var dpoSftWeight: Float = 100

    @Option(help: "Sampler: ddpm (ancestral) or ddim.")
    var scheduler: SamplerName = .ddpm

    @Option(help: "Denoising steps when sampling (default 25; 10 with --quick).")
    var samplingSteps: Int?

    @Option(help: "DDIM's eta (with --scheduler ddim; 0 is deterministic).")
    var eta = 1.0

    @Option(help: "Classifier-free guidance scale when sampling (1: none).")
    var guidance = 1.0

    @Flag(inversion: .prefixedNo, help: "Judge the real training images too: RFT's real term keeps those meeting every criterion, DPO adds pairs of a compliant against a broken one.")
    var judgeReal = true

    @Flag(help: "Print summary.json on stdout.")
    var json = false

    func validate() throws {
        for (name, v) in [("--per-condition", perCondition), ("--eval-per-condition", evalPerCondition),
                          ("--rft-steps", rftSteps), ("--dpo-steps", dpoSteps), ("--sampling-steps", samplingSteps),
                          ("--real-per-condition", realPerCondition)] {
            if let v, v < 1 { throw ValidationError("\(name): expected at least 1, got \(v)") }
        }
        guard (1...10).contains(seeds) else { throw ValidationError("--seeds: expected 1 to 10, got \(seeds)") }
        if let n = realPerCondition, n > 100_000 { throw ValidationError("--real-per-condition: expected at most 100000, got \(n)") }
        guard dpoBeta > 0 else { throw ValidationError("--dpo-beta: expected a positive number, got \(dpoBeta)") }
        guard dpoSftWeight >= 0 else { throw ValidationError("--dpo-sft-weight: expected 0 or more, got \(dpoSftWeight)") }
        try JudgeOptions.checkSamples(judgeSamples, flag: "--judge-samples")
        guard guidance >= 1 else { throw ValidationError("--guidance: expected at least 1, got \(guidance)") }
        guard (0...1).contains(defectRate) else { throw ValidationError("--defect-rate: expected [0, 1], got \(defectRate)") }
        do { _ = try SimulatorSettings(flipRate: flipRate) } catch { throw ValidationError("--flip-rate: \(error.message)") }
    }

    func run() async throws {
        let catalog: ChecklistCatalog
        let prompts: PromptLibrary
        do {
            catalog = try options.catalog()
            prompts = try PromptLibrary.load(from: options.promptsOrigin())
        } catch {
            throw Console.fail(error)
        }
        lintSummary(catalog, prompts)
        if !catalog.problems.isEmpty {
            for problem in catalog.problems { Console.error(problem.description) }
            Console.error("\(catalog.problems.count) checklist problem(s); fix them first (rounds checklist lint)")
            throw ExitCode(2)  // nothing done
        }
        let missing = SyntheticCondition.allCases.filter { (try? catalog.resolve("synthetic/\($0.rawValue)")) == nil }
        guard missing.isEmpty else {
            Console.error("error: the demo needs the synthetic domain's checklists; \(catalog.origin) lacks "
                + missing.map { "synthetic/\($0.rawValue)" }.joined(separator: ", "))
            throw ExitCode(2)
        }
        let pretrained: String
        if let explicit = self.pretrained {
            guard FileManager.default.fileExists(atPath: explicit + "/unet/config.json") else {
                Console.error("error: --pretrained \(explicit): no pretrained model here (no unet/config.json); "
                    + "Models/defect85-scratch-unet/TRAINING.md has the commands that trained the default one")
                throw ExitCode(2)
            }
            pretrained = explicit
        } else {
            // The default checkpoint: in ./Models, next to the executable, or in the package it was built from.
            do {
                pretrained = try ShippedModels.locate(
                    ShippedModels.demoDefault, candidates: ShippedModels.candidates(name: ShippedModels.demoDefault)).path
            } catch {
                Console.error("error: \(error)")
                throw ExitCode(2)
            }
        }
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            var runs: [(seed: UInt64, summary: DemoSummary)] = []
            for k in 0..<seeds {
                let seed = Self.firstSeed &+ UInt64(k)
                let dir = seeds == 1 ? out : "\(out)/seed-\(seed)"
                if seeds > 1 { Console.error("rounds demo: seed \(seed) (\(k + 1) of \(seeds)) → \(dir)") }
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                let demo = OfflineRoundDemo(settings: try settings(outDir: dir, run: UInt64(k), pretrained: pretrained), catalog: catalog, prompts: prompts)
                let bars = ProgressBars()
                let summary = try await demo.run(log: { Console.error($0) }) { bars.update($0, $1, $2) }
                let data = Data((summary.json.prettyString + "\n").utf8)
                try data.write(to: URL(fileURLWithPath: dir).appendingPathComponent("summary.json"))
                runs.append((seed, summary))
                if seeds == 1 {
                    if json { print(String(decoding: data, as: UTF8.self), terminator: "") } else { printTable(summary, dir: dir) }
                } else if !json {
                    printTable(summary, dir: dir)
                    print("")
                }
            }
            if seeds > 1 {
                let spread = DemoSeeds.spread(runs)
                let text = spread.prettyString + "\n"
                try Data(text.utf8).write(to: URL(fileURLWithPath: out).appendingPathComponent("seeds.json"))
                if json { print(text, terminator: "") } else { DemoTable.printSpread(runs, path: "\(out)/seeds.json") }
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw Console.fail(error)
        }
    }

    /// The sampling seed of the first (or only) run; run k uses `firstSeed + k`.
    static let firstSeed: UInt64 = 2026

    /// Run `run`'s settings: its own sampling seed (the evaluation seeds are derived from it, offset by
    /// 2³²) and finetuning seeds; the same checkpoint, data and recipe.
    private func settings(outDir: String, run: UInt64, pretrained: String) throws -> OfflineRoundDemo.Settings {
        let options = GenerationOptions(
            scheduler: scheduler.kind, steps: samplingSteps ?? (quick ? 10 : 25), eta: eta, guidanceScale: guidance)
        let sampler = SampleWriter(perCondition: perCondition ?? (quick ? 8 : 64), options: options,
                                   seed: Self.firstSeed &+ run, batch: 32)
        let evaluation = RoundImages.sample(sampler).evaluation(perCondition: evalPerCondition ?? (quick ? 8 : 128))
        let rft = FinetuneSettings(objective: .rft, steps: rftSteps ?? (quick ? 10 : 600), learningRate: rftLR,
                                   seed: 5 &+ 100 &* run,
                                   rft: RFTOptions(realWeight: realWeight, syntheticShare: syntheticShare, batch: 32),
                                   emaDecay: emaDecay > 0 ? emaDecay : nil)
        let dpo = FinetuneSettings(
            objective: .dpo, steps: dpoSteps ?? (quick ? 8 : 400), learningRate: dpoLR, seed: 6 &+ 100 &* run,
            dpo: DPOOptions(beta: dpoBeta, sftWeight: dpoSftWeight), pairsPerStep: 8, emaDecay: emaDecay > 0 ? emaDecay : nil)
        let round = FeedbackRound.Settings(
            images: .sample(sampler), objectives: [.rft, .dpo], rft: rft, dpo: dpo,
            weighting: RFTWeighting(function: .threshold(tau: rftThreshold, low: 0)), generator: "rounds demo",
            judgeReal: judgeReal, evaluation: evaluation, control: control)
        return OfflineRoundDemo.Settings(
            outDir: outDir, pretrained: pretrained, simulator: try SimulatorSettings(flipRate: flipRate),
            realPerCondition: realPerCondition ?? (defectRate > 0 ? 256 : 80), defectRate: defectRate,
            judgeSamples: judgeSamples, round: round)
    }

    private func lintSummary(_ catalog: ChecklistCatalog, _ prompts: PromptLibrary) {
        Console.error("checklists: \(catalog.origin); prompts: \(prompts.origin)")
        for domain in catalog.domains {
            let checklists = catalog.checklists.values.filter { $0.condition.domain == domain.id }
            let criteria = checklists.reduce(0) { $0 + $1.criteria.count }
            Console.error("  \(domain.id): \(checklists.count) conditions, \(criteria) criteria")
        }
    }

    private func printTable(_ s: DemoSummary, dir: String) {
        let models = DemoSeeds.arms.filter { s.evaluations[$0] != nil }
        RoundTable.print(
            "Offline round (SIMULATOR judge, not a clinical model): share of samples meeting every criterion",
            models: models.compactMap { name in s.evaluations[name].map { (name, $0) } })
        DemoTable.printGainOverControl(s.evaluations)
        if !s.classifierAccuracy.isEmpty {
            print("classifier recognises the intended condition: "
                + models.map { "\($0) " + String(format: "%.1f%%", (s.classifierAccuracy[$0] ?? .nan) * 100) }
                .joined(separator: ", "))
        }
        print("simulator vs painting on \(s.judgeCheck.images) real test images: "
            + String(format: "%.1f%%", s.judgeCheck.verdictAgreement.rate * 100) + " of verdicts agree")
        print("store: \(s.storePath); summary: \(dir)/summary.json")
    }
}

/// One progress line per run of a phase of the demo (sampling, judging, finetuning). A phase that
/// runs again (the judge runs before and after each finetuning) starts a new line, so its count and
/// rate are its own and not the previous run's.
final class ProgressBars: @unchecked Sendable {
    private let lock = NSLock()
    private var bars: [String: (line: ProgressLine, total: Int, done: Int)] = [:]

    func update(_ phase: String, _ done: Int, _ total: Int) {
        lock.lock()
        defer { lock.unlock() }
        if let bar = bars[phase], bar.total == total, done >= bar.done {
            bars[phase]!.done = done
        } else {
            bars[phase] = (ProgressLine(phase, total: total), total, done)
        }
        bars[phase]!.line.update(done)
    }
}
