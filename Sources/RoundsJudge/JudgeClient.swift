import Foundation
import RoundsCore
import Synchronization

/// Options for one client: self-consistency sampling and the repair request.
public struct JudgeOptions: Sendable, Hashable {
    /// Requests per image; above 1, each uses `sampleTemperature` and seed `baseSeed + i`.
    public var samples: Int
    public var sampleTemperature: Double
    /// Seed of the first request (single-sample requests use temperature 0 and this seed).
    public var baseSeed: Int
    /// Whether an unreadable answer gets one repair request.
    public var repair: Bool
    /// The sample counts the CLI accepts (`--samples`, the demo's `--judge-samples`): beyond 15 the
    /// majority barely changes while the cost keeps growing.
    public static let sampleRange = 1...15

    public init(samples: Int = 1, sampleTemperature: Double = 0.7, baseSeed: Int = 0, repair: Bool = true) {
        self.samples = max(1, samples)
        self.sampleTemperature = sampleTemperature
        self.baseSeed = baseSeed
        self.repair = repair
    }
}

/// Judges images against checklists through one endpoint: builds the request, sends it with retries and
/// rate limits, reads the verdicts, repairs once, votes over samples.
///
/// A batch runner calls `judge(image:checklist:prompt:)` for each image, concurrently; the outcome holds
/// everything to store (request key, canonical request, answer, tokens, cost, attempts, error,
/// per-criterion verdicts). `judge` never throws: every failure is an outcome with its error.
public final class JudgeClient: Sendable {
    public let endpoint: EndpointConfig
    public let options: JudgeOptions
    public let retryPolicy: RetryPolicy
    public let limiter: RateLimiter
    public let circuit: FailureCircuit
    private let apiKey: APIKey?
    let provider: any JudgeProvider
    private let transport: any HTTPTransport
    private let clock: any JudgeClock
    let redaction: Redaction
    /// Set once the endpoint refused structured output (a forced tool or `response_format`): the rest
    /// of the run asks with instructions only instead of collecting one 400 per image.
    private let structuredOutputRefused = Mutex<String?>(nil)

    /// - Parameters:
    ///   - apiKey: from `endpoint.apiKey(from:)`; used only in request headers.
    ///   - limiter: shared by every client of the same endpoint; a new one from the endpoint's limits if nil.
    public init(
        endpoint: EndpointConfig, apiKey: APIKey?, transport: any HTTPTransport = CurlTransport(),
        options: JudgeOptions = JudgeOptions(), retryPolicy: RetryPolicy = RetryPolicy(),
        limiter: RateLimiter? = nil, circuit: FailureCircuit = FailureCircuit(), clock: any JudgeClock = SystemClock()
    ) {
        self.endpoint = endpoint
        self.apiKey = apiKey
        self.provider = endpoint.provider.implementation
        self.transport = transport
        self.options = options
        self.retryPolicy = retryPolicy
        self.limiter = limiter ?? RateLimiter(endpoint: endpoint, clock: clock)
        self.circuit = circuit
        self.clock = clock
        self.redaction = Redaction([apiKey?.value])
    }

    /// Judges one image against its checklist.
    ///
    /// - Parameter prompt: the rendered prompt; `VerdictSchema.standardPrompt(for:)` when nil.
    public func judge(image: JudgeImage, checklist: JudgeChecklist, prompt: JudgePrompt? = nil) async -> JudgeOutcome {
        await judge(prepare(image: image, checklist: checklist, prompt: prompt))
    }

    /// Judges one image with the requests `prepare` built (its request key is the one stored).
    ///
    /// - Parameters:
    ///   - earlier: self-consistency samples (by 0-based index) that already succeeded in an earlier run
    ///     and are stored: they are counted again, not sent again (a succeeded request key never goes out twice).
    ///   - beforeSend: asked right before every HTTP attempt (retries and the repair included); an error
    ///     stops that sample unsent (an image purged while the run waited must not be uploaded).
    public func judge(_ prepared: PreparedJudgment, earlier: [Int: SampleOutcome] = [:],
                      beforeSend: (@Sendable () -> JudgeError?)? = nil) async -> JudgeOutcome {
        let image = prepared.image, checklist = prepared.checklist
        if case .refused(let reason) = PrivacyGuard.decide(origin: image.origin, endpoint: endpoint) {
            let error = JudgeError(.privacyRefused, reason)
            let sample = SampleOutcome(
                status: .blocked, requestKey: "", canonicalRequest: "", verdicts: checklist.criteria.map {
                    .indeterminate($0.id, "not sent: privacy guard")
                }, problems: [], usage: TokenUsage(), attempts: 0, latency: 0, repaired: false, error: error)
            return aggregate([sample], checklist: checklist, stopsRun: false)
        }
        let n = prepared.samples.count
        var samples: [SampleOutcome] = []
        await withTaskGroup(of: (Int, SampleOutcome).self) { group in
            for (i, sample) in prepared.samples.enumerated() {
                if let stored = earlier[i] {
                    group.addTask { (i, stored) }
                    continue
                }
                group.addTask { (i, await self.judgeOnce(sample, checklist: checklist, beforeSend: beforeSend)) }
            }
            var byIndex: [Int: SampleOutcome] = [:]
            for await (i, s) in group { byIndex[i] = s }
            samples = (0..<n).map { byIndex[$0]! }
        }
        let stops = samples.contains { $0.error.map { RetryPolicy.disposition(of: $0) == .stopsRun } ?? false }
        let firstError = samples.first(where: { $0.error != nil })?.error
        // A purged image says nothing about the endpoint: it neither trips nor resets the circuit.
        var tripped = false
        if firstError?.code != .imageWithdrawn { tripped = await circuit.record(firstError) }
        return aggregate(samples, checklist: checklist, stopsRun: stops || tripped)
    }

    /// One sampling per `options.samples`: temperature 0 for a single sample, else the sampling
    /// temperature with seeds counting up from the base seed; of those, only what the endpoint sends
    /// (without sampling parameters, the endpoint's own sampling varies the samples).
    var samplingParameters: [SamplingParameters] {
        let n = options.samples
        return (0..<n).map {
            endpoint.sampling(temperature: n > 1 ? options.sampleTemperature : 0, seed: options.baseSeed + $0)
        }
    }

    /// The request key of a judgment: its one sample's, or a hash over its samples' in order.
    static func outcomeKey(_ sampleKeys: [String]) -> String {
        sampleKeys.count == 1 ? sampleKeys[0] : SHA256.hex(sampleKeys.joined(separator: "\n"))
    }

    /// The request key of each self-consistency sample, in order (one key without sampling).
    public func sampleKeys(image: JudgeImage, checklist: JudgeChecklist, prompt: JudgePrompt? = nil) -> [String] {
        prepare(image: image, checklist: checklist, prompt: prompt).sampleKeys
    }

    /// The request key `judge(image:checklist:prompt:)` would store for this image, computed without
    /// sending anything: a run looks it up to send no request twice once it has succeeded.
    public func requestKey(image: JudgeImage, checklist: JudgeChecklist, prompt: JudgePrompt? = nil) -> String {
        prepare(image: image, checklist: checklist, prompt: prompt).requestKey
    }

    /// Combines the samples of one judgment.
    ///
    /// With `--samples N` above 1, a judgment needs a majority of its samples answered (`judged` or
    /// `incomplete`): more than N/2, so 2 of 3, 3 of 4 or 5. Below that it is stored as failed, with
    /// the first failed sample's status and a `noMajority` error, and asked again next run (the samples
    /// that did answer are kept and not sent again). Each criterion's verdict is then the one most
    /// samples gave, its agreement the votes over N (`MajorityVote`).
    func aggregate(_ samples: [SampleOutcome], checklist: JudgeChecklist, stopsRun: Bool) -> JudgeOutcome {
        let usable = samples.filter { [.judged, .incomplete].contains($0.status) }
        let verdicts: [CriterionVerdict]
        var status: JudgeStatus
        var error = samples.first { $0.error != nil }?.error
        if samples.count == 1 {
            verdicts = samples[0].verdicts
            status = samples[0].status
        } else {
            verdicts = MajorityVote.combine(samples.map(\.verdicts), criteria: checklist.criteria)
            status = verdicts.contains { $0.verdict == .indeterminate } ? .incomplete : .judged
            let needed = Self.majority(of: samples.count)
            if usable.count < needed {
                let failed = samples.first { ![.judged, .incomplete].contains($0.status) }
                status = failed?.status ?? .failed
                let why = failed.map { $0.error?.message ?? $0.status.rawValue } ?? "no answer"
                error = JudgeError(
                    error?.code == .imageWithdrawn ? .imageWithdrawn : .noMajority,
                    "only \(usable.count) of \(samples.count) samples answered; a majority needs \(needed) "
                        + "(first failure: \(why))", cause: error)
            }
        }
        let key = Self.outcomeKey(samples.map(\.requestKey))
        let canonical = samples.count == 1 ? samples[0].canonicalRequest : "[" + samples.map(\.canonicalRequest).joined(separator: ",") + "]"
        let usage = samples.reduce(TokenUsage()) { $0 + $1.usage }
        return JudgeOutcome(
            status: status, requestKey: key, canonicalRequest: canonical, verdicts: verdicts, samples: samples,
            endpointName: endpoint.name, model: endpoint.model, usage: usage, cost: endpoint.cost(of: usage),
            attempts: samples.reduce(0) { $0 + $1.attempts }, latency: samples.map(\.latency).max() ?? 0,
            error: error, stopsRun: stopsRun)
    }

    /// Samples a judgment of `n` samples needs answered: more than half.
    public static func majority(of n: Int) -> Int { n / 2 + 1 }

    /// One sample: request, read, maybe one repair.
    ///
    /// When the endpoint refuses structured output with a 400 (models that think before answering
    /// refuse a forced tool; some servers refuse `response_format`), the request goes again without it:
    /// the prompt's instructions ask for the format and the parser reads the text. The sample keeps the
    /// structured request's key, so a later run finds it, and stores the body actually sent.
    private func judgeOnce(_ planned: PreparedJudgment.Sample, checklist: JudgeChecklist,
                           beforeSend: (@Sendable () -> JudgeError?)?) async -> SampleOutcome {
        var request = planned.request
        let sampling = planned.sampling, prepared = planned.prepared
        var sample = SampleOutcome(
            status: .failed, requestKey: prepared.key, canonicalRequest: prepared.canonicalBody, verdicts: [],
            problems: [], usage: TokenUsage(), attempts: 0, latency: 0, repaired: false, seed: sampling.seed,
            temperature: sampling.temperature)
        var fallbackNote: String?
        var sent = prepared
        let structured = endpoint.supportsJSONSchema && request.schema != nil
        if structured, let why = structuredOutputRefused.withLock({ $0 }) {
            request.schema = nil
            sent = PreparedRequest(request, endpoint: endpoint, provider: provider)
            fallbackNote = Self.fallbackNote(why)
        }
        var first = await exchange(sent, imageCount: 1, beforeSend: beforeSend)
        if structured, fallbackNote == nil, case .failure(let error) = first.result, Self.refusesStructuredOutput(error) {
            structuredOutputRefused.withLock { $0 = $0 ?? error.message }
            request.schema = nil
            sent = PreparedRequest(request, endpoint: endpoint, provider: provider)
            fallbackNote = Self.fallbackNote(error.message)
            let again = await exchange(sent, imageCount: 1, beforeSend: beforeSend)
            first = (again.result, first.attempts + again.attempts, again.latency)
        }
        sample.canonicalRequest = sent.canonicalBody
        sample.attempts = first.attempts
        guard case .success(let response) = first.result else {
            if case .failure(let error) = first.result { sample.error = error }
            sample.verdicts = checklist.criteria.map { .indeterminate($0.id, "request failed: \(sample.error?.code.description ?? "error")") }
            sample.problems += fallbackNote.map { [$0] } ?? []
            return sample
        }
        let firstRead = read(response, latency: first.latency, checklist: checklist, into: &sample)
        if let note = fallbackNote { sample.problems.insert(note, at: 0) }
        guard var parsed = firstRead else { return sample }
        if !parsed.isComplete && options.repair {
            var repairRequest = request
            repairRequest.repair = JudgeRequest.Repair(
                previousAnswer: response.text,
                instruction: VerdictSchema.repairInstruction(problems: parsed.problems, checklist: checklist))
            let repairPrepared = PreparedRequest(repairRequest, endpoint: endpoint, provider: provider)
            let second = await exchange(repairPrepared, imageCount: repairRequest.images.count, beforeSend: beforeSend)
            sample.attempts += second.attempts
            sample.repaired = true
            switch second.result {
            case .success(let repaired):
                sample.usage = sample.usage + repaired.usage
                sample.latency += second.latency
                if let stop = terminalStatus(repaired) {
                    sample.problems.append(stop == .refused ? "repair refused" : "repair answer cut off")
                } else {
                    let again = VerdictParser.parse(repaired.text, expected: checklist.criteria)
                    sample.problems += again.problems.map { "after repair: " + $0 }
                    if again.isComplete || betterThan(again, parsed) {
                        parsed = again
                        sample.responseText = redaction.apply(repaired.text)
                        sample.rawResponse = redaction.apply(repaired.rawBody)
                    }
                }
            case .failure(let error):
                sample.problems.append("repair request failed: \(error.message)")
            }
        }
        sample.verdicts = parsed.verdicts
        sample.status = parsed.isComplete ? .judged : (parsed.unparseable ? .unparseable : .incomplete)
        return sample
    }

    /// Whether a failure is the endpoint refusing the structured-output part of the request (a 400 or
    /// 422 naming `tool_choice`, `response_format`, `json_schema` or tool use), which asking again
    /// without it can get past.
    static func refusesStructuredOutput(_ error: JudgeError) -> Bool {
        guard error.code == .httpStatus, error.status == 400 || error.status == 422 else { return false }
        let message = error.message.lowercased()
        return ["tool_choice", "response_format", "json_schema", "tool use", "tool_use", "forced tool"]
            .contains { message.contains($0) }
    }

    private static func fallbackNote(_ why: String) -> String {
        "the endpoint refused structured output (\(why.prefix(200))); asked with instructions only and parsed the answer"
    }

    /// The request of one sample about one image.
    func imageRequest(image: JudgeImage, checklist: JudgeChecklist, prompt: JudgePrompt, sampling: SamplingParameters)
        -> JudgeRequest
    {
        JudgeRequest(system: prompt.system, user: prompt.user, images: [image], schema: VerdictSchema.schema(for: checklist),
                     sampling: sampling)
    }

    /// Records an answer into the sample and reads its verdicts; nil (with the sample's status and
    /// indeterminate verdicts set) when the model refused or was cut off.
    func read(_ response: JudgeResponse, latency: Double, checklist: JudgeChecklist, into sample: inout SampleOutcome)
        -> ParsedVerdicts?
    {
        record(response, latency: latency, into: &sample)
        if let stop = terminalStatus(response) {
            sample.status = stop
            let why = stop == .refused ? "the model refused" : "the answer was cut off at the token limit"
            sample.verdicts = checklist.criteria.map { .indeterminate($0.id, why) }
            return nil
        }
        let parsed = VerdictParser.parse(response.text, expected: checklist.criteria)
        sample.problems = parsed.problems
        sample.verdicts = parsed.verdicts
        sample.status = parsed.isComplete ? .judged : (parsed.unparseable ? .unparseable : .incomplete)
        return parsed
    }

    private func betterThan(_ a: ParsedVerdicts, _ b: ParsedVerdicts) -> Bool {
        let count = { (p: ParsedVerdicts) in p.verdicts.filter { $0.verdict != .indeterminate }.count }
        return count(a) > count(b)
    }

    func terminalStatus(_ response: JudgeResponse) -> JudgeStatus? {
        if response.isRefusal { return .refused }
        if response.isTruncated { return .truncated }
        return nil
    }

    private func record(_ response: JudgeResponse, latency: Double, into sample: inout SampleOutcome) {
        // A server that echoes the key back in an answer must not get it into the store.
        sample.responseText = redaction.apply(response.text)
        sample.rawResponse = redaction.apply(response.rawBody)
        sample.refusal = response.refusal.map(redaction.apply)
        sample.model = response.model
        sample.usage = sample.usage + response.usage
        sample.latency += latency
    }

    /// Sends one prepared request with rate limiting and retries.
    func exchange(_ prepared: PreparedRequest, imageCount: Int, beforeSend: (@Sendable () -> JudgeError?)? = nil) async
        -> (result: Result<JudgeResponse, JudgeError>, attempts: Int, latency: Double)
    {
        let http = provider.httpRequest(body: prepared.wireBody, endpoint: endpoint, apiKey: apiKey)
        let what = "\(http.method) \(http.url) (model \(endpoint.model))"
        // Rough budget: 4 bytes of JSON text per token, ~1,000 tokens per image, plus the answer.
        let textBytes = prepared.canonicalBody.utf8.count - imageCount * 64
        let estimate = max(0, textBytes) / 4 + imageCount * 1000 + endpoint.maxTokens
        var generator = SystemRandomNumberGenerator()
        var attempts = 0
        var lastSignature = ""
        var identical = 0
        while true {
            attempts += 1
            do {
                try await limiter.acquire(estimatedTokens: estimate)
            } catch {
                return (.failure(JudgeError(.cancelled, "\(what): cancelled while waiting for the rate limit")), attempts - 1, 0)
            }
            if let refusal = beforeSend?() {
                await limiter.release(rateLimited: false, estimatedTokens: estimate)
                return (.failure(refusal), attempts - 1, 0)
            }
            let start = clock.now()
            var failure: JudgeError
            do {
                let response = try await transport.send(http)
                if (200..<300).contains(response.status) {
                    do {
                        let parsed = try provider.parseResponse(response, url: http.url)
                        await limiter.release(rateLimited: false, estimatedTokens: estimate,
                                              actualTokens: parsed.usage.input + parsed.usage.output)
                        return (.success(parsed), attempts, clock.now() - start)
                    } catch let e as JudgeError {
                        failure = e
                    }
                } else {
                    failure = httpError(response, what: what)
                }
                await limiter.release(rateLimited: response.status == 429, estimatedTokens: estimate)
            } catch let e as JudgeError {
                failure = e
                await limiter.release(rateLimited: false, estimatedTokens: estimate)
            } catch {
                failure = JudgeError(.transport, "\(what): \(error)", cause: error)
                await limiter.release(rateLimited: false, estimatedTokens: estimate)
            }
            failure = redaction.apply(failure)
            if failure.code == .cancelled || Task.isCancelled {
                return (.failure(JudgeError(.cancelled, "\(what): cancelled")), attempts, 0)
            }
            guard RetryPolicy.disposition(of: failure) == .transient else {
                return (.failure(failure), attempts, 0)
            }
            identical = failure.signature == lastSignature ? identical + 1 : 1
            lastSignature = failure.signature
            if identical >= retryPolicy.maxIdenticalFailures && attempts < retryPolicy.maxAttempts {
                failure.message += "; the same failure \(identical) times in a row, giving up"
                return (.failure(failure), attempts, 0)
            }
            if attempts >= retryPolicy.maxAttempts {
                failure.message += "; after \(attempts) attempts"
                return (.failure(failure), attempts, 0)
            }
            let wait = retryPolicy.delay(afterAttempt: attempts, retryAfter: failure.retryAfter, random: &generator)
            do {
                try await clock.sleep(seconds: wait)
            } catch {
                return (.failure(JudgeError(.cancelled, "\(what): cancelled during back-off")), attempts, 0)
            }
        }
    }

    private func httpError(_ response: HTTPResponseData, what: String) -> JudgeError {
        let body = provider.parseError(response)
        let retryAfter = RetryPolicy.retryAfter(from: response.headers, now: clock.date())
        let label = [body.type, body.code].compactMap { $0 }.first.map { " \($0)" } ?? ""
        var message = "\(what): HTTP \(response.status)\(label): \(body.message)"
        if let r = retryAfter { message += "; retry-after \(JSONValue.number((r * 1000).rounded() / 1000).canonicalString)s" }
        return JudgeError(
            body.isQuotaExceeded ? .quotaExceeded : .httpStatus, message, status: response.status, retryAfter: retryAfter,
            providerCode: body.code ?? body.type)
    }
}

/// Run-level guard: the same final failure on `threshold` judgments in a row means something is wrong
/// with the endpoint or the configuration, not with the images, so the run should stop.
public actor FailureCircuit {
    public nonisolated let threshold: Int
    private var lastSignature: String?
    private var streak = 0

    public init(threshold: Int = 20) { self.threshold = max(1, threshold) }

    /// Records a judgment's error (nil for success). Returns true when the streak reached the threshold.
    public func record(_ error: JudgeError?) -> Bool {
        guard let error, error.code != .cancelled else {
            streak = 0
            lastSignature = nil
            return false
        }
        streak = error.signature == lastSignature ? streak + 1 : 1
        lastSignature = error.signature
        return streak >= threshold
    }
}
