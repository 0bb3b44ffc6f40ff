import ArgumentParser
import Foundation
import RoundsChecklists
import RoundsCore
import RoundsJudge
import RoundsStore

extension ProviderKind: ExpressibleByArgument {}

/// `rounds judge --pending|--pairs|IMAGE... (--endpoint NAME | --base-url URL --model M --provider P) ...` (CLI.md).
struct Judge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "judge",
        abstract: "Ask a multimodal LLM whether stored images meet each criterion of their condition's checklist.",
        discussion: """
            Each image is re-encoded without metadata, resized to the endpoint's long edge and sent with its \
            condition's checklist rendered from Prompts/judge-image.mustache; every criterion comes back \
            met, not_met or uncertain with evidence, and is stored with full provenance. --pending asks \
            about every stored image lacking a successful judgment for the current checklist version, \
            prompt version and model, so a nightly run is resumable and idempotent: a finished image is \
            never asked again and a failed one is retried next run (up to --max-failed-attempts, then it \
            waits for --retry-failed). Images of origin real go only to loopback endpoints or endpoints \
            that allow them (a refused image is reported with the reason and counted apart, never as a \
            request); an image purged while the run goes is not sent. A lock on the store file itself keeps \
            two runs off one store however its path is spelled, without blocking other writers; a run a \
            killed process left running is marked abandoned. Ctrl-C stops launching requests, \
            stores the ones in flight and exits; a second Ctrl-C exits at once. --pairs judges stored pair \
            candidates (rounds pairs make) side by side with Prompts/judge-pair.mustache, in both orders; each \
            pair stores its A-first (ab) and B-first (ba) comparisons and the combined outcome (a, b, tie, or \
            inconsistent when the orders disagree; indeterminate ones stay pending). --batch submit sends the \
            pending requests through the OpenAI Batch API (half price, answered within 24 hours): it writes \
            their JSONL (custom_id = request key), uploads it, creates the batch and records it; --batch \
            collect (the next night) stores the results of every finished batch, read as live answers.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var checklists: ChecklistOptions

    @Argument(help: ArgumentHelp("Stored image ids or paths to judge (instead of --pending).", valueName: "image"))
    var images: [String] = []

    @Flag(help: "Judge every stored image that lacks a verdict for the current checklist, prompt and model.")
    var pending = false

    @Flag(help: "Judge stored pair candidates side by side, in both orders, that lack a comparison for the current checklist, pair prompt and model.")
    var pairs = false

    @Flag(inversion: .prefixedNo,
          help: "With --pairs: a pair's outcome counts only when both orders agree (else inconsistent); --no-require-agreement takes the A-first order.")
    var requireAgreement = true

    @Option(help: "Only images of this condition (domain/condition or a unique bare name).")
    var condition: String?

    @Option(help: "An endpoint named in the endpoints file.")
    var endpoint: String?

    @Option(help: "The endpoints file (default: ./endpoints.yaml).")
    var endpoints = "endpoints.yaml"

    @Option(help: "API root including its version path, e.g. http://127.0.0.1:8000/v1 (instead of --endpoint).")
    var baseURL: String?

    @Option(help: "Model name (with --base-url).")
    var model: String?

    @Option(help: "Wire protocol (with --base-url).")
    var provider: ProviderKind?

    @Option(help: "Environment variable holding the API key (with --base-url).")
    var apiKeyEnv: String?

    @Option(help: "Ask each image N times with temperature above zero and keep the majority per criterion; a judgment needs more than N/2 samples answered, else it is stored as failed and retried (the answered samples are kept, not asked again).")
    var samples = 1

    @Option(help: "Ask about at most N images.")
    var limit: Int?

    @Option(help: "Stop launching requests once the run has cost this many US dollars.")
    var maxCost: Double?

    @Flag(help: "Only print how many requests would go out and their estimated cost.")
    var dryRun = false

    @Flag(help: "Allow images of origin real to go to the ad hoc --base-url endpoint even when it is not loopback.")
    var allowRealImages = false

    @Flag(help: "Also ask about images (or pairs) whose earlier attempts failed too often.")
    var retryFailed = false

    @Option(help: "Failed attempts after which an image (or a pair) waits for --retry-failed.")
    var maxFailedAttempts = 3

    @Option(help: "OpenAI Batch API: submit the pending requests as one batch, or collect the results of finished batches.")
    var batch: BatchMode?

    @Option(help: "With --batch collect: only the batch of this judge run id.")
    var run: Int64?

    @Option(help: "With --batch submit: folder for the batch's JSONL file (default: beside the store).")
    var batchDir: String?

    @Flag(help: "Print one JSON summary on stdout.")
    var json = false

    func validate() throws {
        if batch == .collect {
            if pending || pairs || !images.isEmpty {
                throw ValidationError("--batch collect reads finished batches; it takes no --pending, --pairs or images")
            }
        } else if [pending, pairs, !images.isEmpty].filter({ $0 }).count != 1 {
            throw ValidationError("give exactly one of --pending, --pairs or image ids/paths")
        }
        if pairs, samples != 1 || dryRun {
            throw ValidationError("--pairs asks each pair once per order; --samples and --dry-run do not apply")
        }
        if !pairs, !requireAgreement { throw ValidationError("--no-require-agreement goes with --pairs") }
        if (endpoint == nil) == (baseURL == nil) {
            throw ValidationError("give either --endpoint NAME or --base-url URL with --model and --provider")
        }
        if baseURL != nil, model == nil || provider == nil {
            throw ValidationError("--base-url needs --model and --provider")
        }
        if endpoint != nil, model != nil || provider != nil || apiKeyEnv != nil {
            throw ValidationError("--model, --provider and --api-key-env go with --base-url, not with --endpoint")
        }
        if batch != nil {
            if pairs { throw ValidationError("--batch judges images; --pairs runs live only") }
            if samples != 1 || dryRun || maxCost != nil {
                throw ValidationError("--batch sends one request per image; --samples, --dry-run and --max-cost do not apply")
            }
        }
        if run != nil, batch != .collect { throw ValidationError("--run goes with --batch collect") }
        if batch == .collect, limit != nil || condition != nil {
            throw ValidationError("--limit and --condition choose what to submit; --batch collect takes every open batch (or --run)")
        }
        if batchDir != nil, batch != .submit { throw ValidationError("--batch-dir goes with --batch submit") }
        try JudgeOptions.checkSamples(samples, flag: "--samples")
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if let maxCost, !(maxCost > 0 && maxCost.isFinite) { throw ValidationError("--max-cost must be a positive amount, got \(maxCost)") }
    }

    func run() async throws {
        do {
            let config = try endpointConfig()
            let key = try config.apiKey()
            let store = try database.open()
            let lock = try JudgeRunLock(store: store)
            if !lock.abandonedRuns.isEmpty {
                Console.error("rounds judge: marked \(lock.abandonedRuns.count) run(s) left running by a process that "
                    + "ended without closing them as abandoned (\(lock.abandonedRuns.map { "run \($0)" }.joined(separator: ", ")))")
            }
            let catalog = try checklists.catalog()
            let prompts = try PromptLibrary.load(from: checklists.promptsOrigin())
            let only = try condition.map { [try catalog.resolve($0).condition] }
            if batch == .collect {
                try await collectBatches(config: config, key: key, store: store)
                _ = lock
                return
            }
            if pairs {
                try await runPairs(config: config, key: key, store: store, catalog: catalog, prompts: prompts, only: only)
                _ = lock
                return
            }
            let plan = try JudgeRunPlan.make(
                store: store, catalog: catalog, prompts: prompts, model: config.model, imageIDs: pending ? nil : images,
                conditions: only, limit: limit, retryFailed: retryFailed, maxFailedAttempts: maxFailedAttempts)
            for problem in plan.problems { Console.error("rounds judge: \(problem)") }
            for (name, count) in plan.unknownConditions.sorted(by: { $0.key < $1.key }) {
                let broken = catalog.problems(about: name)
                Console.error("rounds judge: \(count) stored image(s) of \(name) have no checklist"
                    + (broken.isEmpty ? "" : " (\(ChecklistCatalog.didNotLoad(broken)))") + "; skipped")
            }
            if !plan.heldBack.isEmpty {
                Console.error("rounds judge: \(plan.heldBack.count) image(s) failed \(maxFailedAttempts)+ times; "
                    + "they wait for --retry-failed")
            }
            if !plan.inOpenBatches.isEmpty {
                Console.error("rounds judge: \(plan.inOpenBatches.count) image(s) wait in a submitted batch; "
                    + "collect it with --batch collect")
            }
            if batch == .submit {
                try await submitBatch(plan, config: config, key: key, store: store)
                _ = lock
                return
            }
            if dryRun {
                let refused = plan.refusals(endpoint: config)
                let sendable = plan.sendable(to: config)
                let e = sendable.estimate(endpoint: config, samples: samples)
                let doc = DryRun(requests: sendable.items.count * samples, images: sendable.items.count, heldBack: plan.heldBack.count,
                                 refused: refused.count, estimatedInputTokens: e.inputTokens, estimatedOutputTokens: e.outputTokens,
                                 estimatedCostUSD: e.cost)
                Self.reportRefusals(refused.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" })
                if json { Console.json(doc) } else {
                    print("\(doc.requests) request(s) for \(doc.images) image(s); estimated \(e.inputTokens) input and "
                        + "\(e.outputTokens) output tokens, about $\(String(format: "%.4f", e.cost)) (an estimate)"
                        + (refused.isEmpty ? "" : "; \(refused.count) real image(s) refused by the privacy guard, not counted"))
                }
                _ = lock
                return
            }
            let stop = StopSignal.install()
            let client = JudgeClient(endpoint: config, apiKey: key, options: JudgeOptions(samples: samples))
            let bar = ProgressLine("judging", total: plan.items.count)
            let summary = try await JudgeRunner(store: store, client: client, shouldStop: { stop.requested })
                .run(plan, maxCost: maxCost) { p in
                    bar.update(p.done, detail: "\(p.failed) failed, \(p.inputTokens + p.outputTokens) tokens, $"
                        + String(format: "%.4f", p.cost))
                }
            _ = lock
            Self.reportRefusals(summary.refusals)
            if summary.withdrawn > 0 {
                Console.error("rounds judge: \(summary.withdrawn) image(s) were purged from the store during the run; "
                    + "they were not sent (or their answers not stored)")
            }
            for failure in summary.failures.prefix(50) { Console.error("rounds judge: \(failure)") }
            if summary.failures.count > 50 { Console.error("rounds judge: … and \(summary.failures.count - 50) more failures") }
            if json { Console.json(summary) } else {
                print("run \(summary.runID.map(String.init) ?? "?"): \(summary.judged) judged, \(summary.failed) failed of "
                    + "\(summary.planned) planned (model \(summary.model)), \(summary.inputTokens + summary.outputTokens) "
                    + "tokens, $\(String(format: "%.4f", summary.cost)), \(String(format: "%.1f", summary.seconds)) s"
                    + (summary.alreadyJudged > 0 ? "; \(summary.alreadyJudged) not sent again (the store has their identical request's judgment)" : "")
                    + (summary.refused > 0 ? "; \(summary.refused) refused by the privacy guard (not sent)" : "")
                    + (summary.stoppedBecause.map { "; stopped early: \($0)" } ?? ""))
            }
            if summary.stoppedBecause == "repeated-failures" {
                Console.error("rounds judge: the same failure came back on \(client.circuit.threshold) images in a row, so the run "
                    + "stopped; check the endpoint (is it running, is the model name right?)")
            }
            if summary.stoppedBecause == "quota" || summary.stoppedBecause == "repeated-failures" { throw ExitCode(2) }
            // Refusals of images named on the command line are inputs not judged; with --pending they are policy.
            if summary.failed > 0 || !plan.problems.isEmpty || (!pending && summary.refused > 0) { throw ExitCode(1) }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw Console.fail(error)
        }
    }

    func endpointConfig() throws -> EndpointConfig {
        if let endpoint {
            return try EndpointsFile.find(endpoint, in: EndpointsFile.load(path: endpoints), path: endpoints)
        }
        return try EndpointConfig.adHoc(baseURL: baseURL!, model: model!, provider: provider!, apiKeyEnv: apiKeyEnv,
                                        allowRealImages: allowRealImages)
    }

    /// One stderr line per refused image (its id and the guard's reason), the first 50.
    static func reportRefusals(_ refusals: [String]) {
        for refusal in refusals.prefix(50) { Console.error("rounds judge: refused: \(refusal)") }
        if refusals.count > 50 { Console.error("rounds judge: … and \(refusals.count - 50) more refusals") }
    }

    struct DryRun: Encodable {
        var requests: Int
        var images: Int
        var heldBack: Int
        /// Real images the privacy guard keeps from this endpoint: not requests.
        var refused: Int
        var estimatedInputTokens: Int
        var estimatedOutputTokens: Int
        var estimatedCostUSD: Double
    }
}

/// Ctrl-C handling for long runs: the first SIGINT asks the run to stop launching work (what is in
/// flight finishes and is stored); a second one exits at once.
final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var source: (any DispatchSourceSignal)?

    var requested: Bool { lock.withLock { count > 0 } }

    static func install() -> StopSignal {
        let signal = StopSignal()
        Foundation.signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            let n = signal.lock.withLock { signal.count += 1; return signal.count }
            if n == 1 {
                Console.error("\nrounds: stopping after the requests in flight (Ctrl-C again to quit now)")
            } else {
                exit(130)
            }
        }
        source.resume()
        signal.source = source
        return signal
    }
}

extension JudgeOptions {
    /// The usage check of a sample-count flag (`judge`/`round --samples`, `demo --judge-samples`).
    static func checkSamples(_ n: Int, flag: String) throws {
        guard sampleRange.contains(n) else {
            throw ValidationError("\(flag) must be in \(sampleRange.lowerBound)...\(sampleRange.upperBound), got \(n)")
        }
    }
}
