import ArgumentParser
import Foundation
import RoundsBroker
import RoundsCore
import RoundsStore

/// `rounds reward`: the learned reward model Γ(x, c) of Sun et al.
struct RewardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reward",
        abstract: "Train the learned reward model on plausibility labels and score stored images with it.",
        subcommands: [RewardTrain.self, RewardScore.self]
    )
}

/// `rounds reward train --classifier DIR --rater NAME --out REWARD_DIR [--include-judge RUN|latest] [--lambda-real 1]`.
struct RewardTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fit Γ(x, c) on a rater's plausibility labels (and judge verdicts) plus real images with swapped classes.",
        discussion: """
            Γ reads the classifier's penultimate features and the one-hot condition, each projected, then an MLP \
            with a sigmoid output, trained by MSE on 0/1 labels: the rater's latest plausible/implausible label per \
            image; with --include-judge, judge verdicts of the images the rater did not label (1 when every \
            criterion was met); and, weighted by λ_r, real images (split train or none) paired with their own \
            condition (1) or, with probability 0.5, a random other condition (0). A share of the labelled images \
            is held out for the reported AUC (Mann-Whitney, ties counted half). The model is recorded as a \
            checkpoint with objective 'reward'.
            """
    )

    @Option(help: "Classifier directory (rounds classifier train) whose features Γ reads.")
    var classifier: String

    @Option(help: "The rater whose plausible/implausible labels to learn from.")
    var rater: String

    @Option(help: "Reward model directory to write (created if needed).")
    var out: String

    @Option(help: ArgumentHelp("Also learn from judge verdicts (all criteria met = 1) of this run, or each image's latest.",
                               valueName: "run|latest"))
    var includeJudge: String?

    @Option(help: "λ_r, weight of the real images with true or swapped classes (0 leaves them out).")
    var lambdaReal: Double = 1

    @Option(help: "Share of the labelled images (per label) held out for the AUC.")
    var heldOut: Double = 0.2

    @Option(help: "Training epochs.")
    var epochs: Int = 100

    @Option(help: "Seed of the split, the swaps, initialisation and shuffling.")
    var seed: UInt64 = 0

    @Flag(help: "Print one JSON document on stdout.")
    var json = false

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var checklists: ChecklistOptions

    func validate() throws {
        if rater.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--rater must not be empty") }
        if let includeJudge, JudgeSelection(includeJudge) == nil {
            throw ValidationError("--include-judge: expected a judge run id ≥ 1 or 'latest', got '\(includeJudge)'")
        }
        guard lambdaReal >= 0, lambdaReal.isFinite else {
            throw ValidationError("--lambda-real: expected a number ≥ 0, got \(lambdaReal)")
        }
        guard heldOut >= 0, heldOut < 1 else { throw ValidationError("--held-out: expected 0 ≤ share < 1, got \(heldOut)") }
        guard epochs >= 1 else { throw ValidationError("--epochs: expected at least 1, got \(epochs)") }
    }

    func run() throws {
        do { try train() } catch let e as ValidationError { throw e } catch { throw StoreCommandFailure.exit(error) }
    }

    private func train() throws {
        try OutputFolder.refuseExistingModel(out, manifest: RewardModel.manifestFile)
        let store = try database.open()
        let job = RewardTrainJob(
            classifierDirectory: URL(fileURLWithPath: classifier), rater: rater,
            includeJudge: includeJudge.flatMap(JudgeSelection.init), lambdaReal: lambdaReal, heldOutFraction: heldOut,
            options: RewardTrainingOptions(epochs: epochs, seed: seed), out: URL(fileURLWithPath: out))
        let result = try job.run(store: store, catalog: includeJudge == nil ? nil : try checklists.catalog()) { epoch, loss in
            if epoch == 1 || epoch % 10 == 0 || epoch == epochs {
                Console.error("epoch \(epoch)/\(epochs): weighted MSE \(String(format: "%.4f", loss))")
            }
        }
        for (id, reason) in result.skipped.prefix(20) { Console.error("reward train: skipped \(id): \(reason)") }
        if result.skipped.count > 20 { Console.error("reward train: … and \(result.skipped.count - 20) more skipped") }
        if result.heldOutAUC == nil {
            Console.error("reward train: held-out AUC undefined (the held-out labels are all of one kind or none)")
        }
        let outPath = URL(fileURLWithPath: out).standardizedFileURL.path
        if json {
            print(
                JSONValue.object([
                    "reward": .string(outPath), "version": .string(result.model.version),
                    "checkpoint_id": .number(Double(result.checkpointID)),
                    "held_out_auc": result.heldOutAUC.map { .number($0) } ?? .null,
                    "training_auc": result.trainingAUC.map { .number($0) } ?? .null,
                    "held_out_images": .number(Double(result.heldOutImages)),
                    "training_examples": .object(Dictionary(uniqueKeysWithValues: RewardExample.Source.allCases.map {
                        ($0.rawValue, JSONValue.number(Double(result.counts[$0] ?? 0)))
                    })),
                    "lambda_real": .number(lambdaReal), "skipped": .number(Double(result.skipped.count)),
                ]).canonicalString)
        } else {
            print(outPath)
            Console.error(
                "rounds reward train: held-out AUC "
                    + (result.heldOutAUC.map { String(format: "%.3f", $0) } ?? "undefined")
                    + " on \(result.heldOutImages) image(s), checkpoint \(result.checkpointID), version \(result.model.version.prefix(12))")
        }
        if !result.skipped.isEmpty { throw ExitCode(1) }
    }
}

/// `rounds reward score --reward REWARD_DIR [--condition C] [--json]`.
struct RewardScore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Store Γ(x, c) of stored images for their own condition (alignmentScore, dimension 'reward').",
        discussion: """
            Scores are appended with computedBy = reward:<reward model SHA-256> and reference = \
            classifier:<classifier SHA-256>; rounds broker rft --rewards-from reward-model weighs by them.
            """
    )

    @Option(help: "Reward model directory (rounds reward train).")
    var reward: String

    @Option(help: "Classifier directory (default: the one recorded in reward.json; must be the same version).")
    var classifier: String?

    @Option(help: "Only images of this condition (domain/condition, or a unique bare name).")
    var condition: String?

    @Option(help: ArgumentHelp("Which images to score.", valueName: "synthetic|real|all"))
    var origin: String = "synthetic"

    @Flag(help: "Print one JSON document on stdout.")
    var json = false

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard ["synthetic", "real", "all"].contains(origin) else {
            throw ValidationError("--origin must be synthetic, real or all, got '\(origin)'")
        }
    }

    func run() throws {
        do { try score() } catch let e as ValidationError { throw e } catch { throw StoreCommandFailure.exit(error) }
    }

    private func score() throws {
        let store = try database.open()
        var conditionID: ConditionID?
        if let condition {
            let known = try store.imageCountsByCondition().map(\.condition).compactMap { try? ConditionID(parsing: $0) }
            conditionID = try ConditionID.resolve(condition, among: known)
        }
        let job = RewardScoreJob(
            rewardDirectory: URL(fileURLWithPath: reward), classifierDirectory: classifier.map { URL(fileURLWithPath: $0) },
            condition: conditionID, origin: origin == "all" ? nil : ImageOrigin(rawValue: origin))
        let result = try job.run(store: store)
        for (id, reason) in result.skipped { Console.error("reward score: skipped \(id): \(reason)") }
        var byCondition: [String: [Double]] = [:]
        for s in result.scores { byCondition[s.condition, default: []].append(s.reward) }
        let means = byCondition.mapValues { $0.reduce(0, +) / Double($0.count) }
        if json {
            print(
                JSONValue.object([
                    "version": .string(result.version), "scored": .number(Double(result.scores.count)),
                    "skipped": .number(Double(result.skipped.count)),
                    "mean_reward": .object(means.mapValues { .number($0) }),
                    "scores": .array(result.scores.map {
                        .object(["image_id": .string($0.imageID), "condition": .string($0.condition), "reward": .number($0.reward)])
                    }),
                ]).canonicalString)
        } else {
            print("stored \(result.scores.count) reward score(s) from reward:\(result.version.prefix(12))")
            for (c, m) in means.sorted(by: { $0.key < $1.key }) { print("  \(c): mean Γ \(String(format: "%.3f", m))") }
        }
        if !result.skipped.isEmpty { throw ExitCode(1) }
    }
}
