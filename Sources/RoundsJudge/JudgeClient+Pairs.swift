import Foundation
import RoundsCore

/// One presentation order of a pair: what was asked and what came back.
public struct PairOrderOutcome: Sendable {
    /// `judged` when the overall preference was read; otherwise why not (unparseable, refused, failed, blocked…).
    public var status: JudgeStatus
    /// In terms of the shown order; nil unless `status == .judged`.
    public var preference: PairPreference?
    /// Criterion id -> `first|second|both|neither` in the shown order.
    public var criteria: [String: String]
    public var problems: [String]
    public var requestKey: String
    public var canonicalRequest: String
    public var responseText: String?
    /// The model the endpoint says answered.
    public var model: String?
    public var usage: TokenUsage
    public var cost: Double
    public var attempts: Int
    public var latency: Double
    public var repaired: Bool
    public var error: JudgeError?
}

/// Both orders of a pair and the combined outcome, in terms of the pair's own images A and B.
public struct PairJudgment: Sendable {
    /// Which image won: `a`, `b`, `tie`, `inconsistent` (the orders disagree) or `indeterminate` (no usable answer).
    /// The vocabulary of the store's `pairComparison.outcome`.
    public enum Outcome: String, Sendable, Hashable, Codable, CaseIterable { case a, b, tie, inconsistent, indeterminate }

    /// A shown first.
    public var forward: PairOrderOutcome
    /// B shown first.
    public var swapped: PairOrderOutcome
    /// The forward order's answer mapped to A/B (`indeterminate` when unusable).
    public var forwardOutcome: Outcome
    /// The swapped order's answer mapped back to A/B.
    public var swappedOutcome: Outcome
    public var outcome: Outcome
    /// True when a quota error means the run should stop.
    public var stopsRun: Bool

    public var usage: TokenUsage { forward.usage + swapped.usage }
    public var cost: Double { forward.cost + swapped.cost }

    /// Combines two per-order outcomes (already in A/B terms). With `requireAgreement`, both orders must
    /// be usable and agree, else `inconsistent` (disagreement) or `indeterminate` (an order unusable);
    /// without it, the forward order decides.
    public static func combine(forward: Outcome, swapped: Outcome, requireAgreement: Bool) -> Outcome {
        guard requireAgreement else { return forward }
        if forward == .indeterminate || swapped == .indeterminate { return .indeterminate }
        return forward == swapped ? forward : .inconsistent
    }
}

extension JudgeClient {
    /// Judges a pair in both orders (A first, then B first, concurrently) and combines them.
    /// Never throws: failures are outcomes with their error. The privacy guard applies to both images.
    public func comparePair(_ request: JudgePairRequest, requireAgreement: Bool = true) async -> PairJudgment {
        async let forward = compareOnce(request)
        async let swapped = compareOnce(request.swapped)
        let (f, s) = await (forward, swapped)
        let fOutcome = Self.map(f, swapped: false), sOutcome = Self.map(s, swapped: true)
        let stops = [f, s].contains { $0.error.map { RetryPolicy.disposition(of: $0) == .stopsRun } ?? false }
        return PairJudgment(
            forward: f, swapped: s, forwardOutcome: fOutcome, swappedOutcome: sOutcome,
            outcome: PairJudgment.combine(forward: fOutcome, swapped: sOutcome, requireAgreement: requireAgreement),
            stopsRun: stops)
    }

    private static func map(_ order: PairOrderOutcome, swapped: Bool) -> PairJudgment.Outcome {
        guard order.status == .judged, let p = order.preference else { return .indeterminate }
        switch p {
        case .tie: return .tie
        case .first: return swapped ? .b : .a
        case .second: return swapped ? .a : .b
        }
    }

    /// One order: request, read, maybe one repair.
    public func compareOnce(_ pair: JudgePairRequest) async -> PairOrderOutcome {
        var outcome = PairOrderOutcome(
            status: .failed, preference: nil, criteria: [:], problems: [], requestKey: "", canonicalRequest: "",
            responseText: nil, model: nil, usage: TokenUsage(), cost: 0, attempts: 0, latency: 0, repaired: false, error: nil)
        for image in [pair.first, pair.second] {
            if case .refused(let reason) = PrivacyGuard.decide(origin: image.origin, endpoint: endpoint) {
                outcome.status = .blocked
                outcome.error = JudgeError(.privacyRefused, "image \(image.imageID.prefix(12)): \(reason)")
                return outcome
            }
        }
        let request = JudgeRequest(
            system: pair.prompt.system, user: pair.prompt.user, images: [pair.first, pair.second],
            schema: JudgePairRequest.schema(for: pair.checklist), schemaName: "pair_comparison",
            sampling: endpoint.sampling(temperature: 0, seed: options.baseSeed))
        let prepared = PreparedRequest(request, endpoint: endpoint, provider: provider)
        outcome.requestKey = prepared.key
        outcome.canonicalRequest = prepared.canonicalBody
        let first = await exchange(prepared, imageCount: 2)
        outcome.attempts = first.attempts
        outcome.latency = first.latency
        let response: JudgeResponse
        switch first.result {
        case .failure(let error):
            outcome.error = error
            return finish(outcome)
        case .success(let r):
            response = r
        }
        outcome.responseText = redaction.apply(response.text)
        outcome.model = response.model
        outcome.usage = response.usage
        if let stop = terminalStatus(response) {
            outcome.status = stop
            outcome.error = JudgeError(.invalidResponse, stop == .refused ? "the model refused" : "the answer was cut off at the token limit")
            return finish(outcome)
        }
        var parsed = PairAnswerParser.parse(response.text, expected: pair.checklist.criteria)
        outcome.problems = parsed.problems
        if parsed.overall == nil && options.repair {
            var repair = request
            repair.images = []
            repair.repair = JudgeRequest.Repair(
                previousAnswer: response.text,
                instruction: "Your previous answer could not be used: \(parsed.problems.prefix(5).joined(separator: "; ")). "
                    + "Reply again with only the JSON object {\"criteria\": [{\"id\", \"better\", \"evidence\"}], "
                    + "\"overall\", \"reason\"}; better is A, B, both or neither; overall is A, B or tie. No other text.")
            let second = await exchange(PreparedRequest(repair, endpoint: endpoint, provider: provider), imageCount: 0)
            outcome.attempts += second.attempts
            outcome.repaired = true
            switch second.result {
            case .success(let repaired) where terminalStatus(repaired) == nil:
                outcome.usage = outcome.usage + repaired.usage
                outcome.latency += second.latency
                let again = PairAnswerParser.parse(repaired.text, expected: pair.checklist.criteria)
                outcome.problems += again.problems.map { "after repair: " + $0 }
                if again.overall != nil {
                    parsed = again
                    outcome.responseText = redaction.apply(repaired.text)
                }
            case .success(let repaired):
                outcome.usage = outcome.usage + repaired.usage
                outcome.problems.append("repair answer refused or cut off")
            case .failure(let error):
                outcome.problems.append("repair request failed: \(error.message)")
            }
        }
        outcome.criteria = parsed.criteria
        if let overall = parsed.overall {
            outcome.preference = overall
            outcome.status = .judged
        } else {
            outcome.status = parsed.unparseable ? .unparseable : .incomplete
            outcome.error = JudgeError(.invalidResponse, "unreadable pair answer: \(outcome.problems.prefix(3).joined(separator: "; "))")
        }
        return finish(outcome)
    }

    private func finish(_ outcome: PairOrderOutcome) -> PairOrderOutcome {
        var o = outcome
        o.cost = endpoint.cost(of: o.usage)
        return o
    }
}
