import Foundation
import RoundsChecklists
import RoundsCore
import RoundsStore

/// What one `rounds judge --pairs` run will ask: every stored pair candidate lacking a usable combined
/// comparison (`presentedOrder = 'both'`, outcome other than `indeterminate`) for the current checklist
/// version, judge-pair prompt version and model. Pairs that came back indeterminate stay pending.
public struct PairRunPlan: Sendable {
    public struct Item: Sendable {
        public var pair: PairCandidateRecord
        public var imageA: ImageRecord
        public var imageB: ImageRecord
        public var checklist: JudgeChecklist
        public var prompt: JudgePrompt
    }

    public var items: [Item]
    /// Conditions of stored pairs without a checklist, with their pair counts.
    public var unknownConditions: [String: Int]
    /// Pairs left out because their combined outcome was indeterminate `maxFailedAttempts` times for this
    /// checklist, prompt and model (they wait for `--retry-failed`).
    public var heldBack: [Int64] = []

    public static func make(
        store: Store, catalog: ChecklistCatalog, prompts: PromptLibrary, model: String,
        conditions: [ConditionID]? = nil, limit: Int? = nil, retryFailed: Bool = false, maxFailedAttempts: Int = 3
    ) throws -> PairRunPlan {
        let template = prompts.template(.judgePair)
        try store.addPromptVersion(PromptVersionRecord(id: template.version, name: template.kind.rawValue, body: template.text))
        var plan = PairRunPlan(items: [], unknownConditions: [:])
        var prepared: [String: (JudgeChecklist, JudgePrompt)?] = [:]
        func prepare(_ name: String) throws -> (JudgeChecklist, JudgePrompt)? {
            if let ready = prepared[name] { return ready }
            guard let checklist = try? catalog.resolve(name), let domain = catalog.domain(checklist.condition.domain) else {
                prepared[name] = .some(nil)
                return nil
            }
            let text = PromptRenderer.judgePair(template, checklist: checklist, domain: domain,
                                                answerShape: AnswerShape.judgePair(checklist))
            let source = (try? String(contentsOfFile: checklist.location.path, encoding: .utf8))
                ?? checklist.canonicalJSON.canonicalString
            try store.addChecklistVersion(ChecklistVersionRecord(id: checklist.version, condition: name, yaml: source))
            let judgeChecklist = JudgeChecklist(
                condition: name, version: checklist.version,
                criteria: checklist.criteria.map { JudgeCriterion(id: $0.id, text: $0.text) })
            let system = """
                You are a careful clinical image reviewer comparing two images side by side. Judge only what is \
                visible; the order of the images says nothing about their quality. Answer with JSON only.
                """
            let ready = (judgeChecklist, JudgePrompt(system: system, user: text, version: template.version))
            prepared[name] = ready
            return ready
        }
        let done = try Self.finishedPairs(store, model: model)
        let failures = try Self.failedPairs(store, model: model)
        for stored in try store.pairs() {
            let pair = stored.pair
            if let conditions, !conditions.contains(where: { $0.description == pair.condition }) { continue }
            guard let (checklist, prompt) = try prepare(pair.condition) else {
                plan.unknownConditions[pair.condition, default: 0] += 1
                continue
            }
            if done.contains(DoneKey(pairID: pair.id!, checklistVersion: checklist.version!, promptVersion: prompt.version!)) { continue }
            guard let a = try store.image(id: pair.imageA), let b = try store.image(id: pair.imageB) else { continue }
            let key = DoneKey(pairID: pair.id!, checklistVersion: checklist.version!, promptVersion: prompt.version!)
            if !retryFailed, failures[key, default: 0] >= maxFailedAttempts {
                plan.heldBack.append(pair.id!)
                continue
            }
            if let limit, plan.items.count >= limit { break }
            plan.items.append(Item(pair: pair, imageA: a, imageB: b, checklist: checklist, prompt: prompt))
        }
        return plan
    }

    typealias DoneKey = PairSlot

    /// Indeterminate combined comparisons per pair, checklist and prompt version, by `model`.
    static func failedPairs(_ store: Store, model: String) throws -> [DoneKey: Int] {
        try store.failedPairComparisonCounts(model: model)
    }

    /// Pairs with a usable combined comparison by `model`.
    static func finishedPairs(_ store: Store, model: String) throws -> Set<DoneKey> {
        try store.finishedPairComparisons(model: model)
    }
}
