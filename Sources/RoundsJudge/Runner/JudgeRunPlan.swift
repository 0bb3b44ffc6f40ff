import Foundation
import RoundsChecklists
import RoundsCore
import RoundsStore

/// What one `rounds judge` run will ask: per image, the checklist, the rendered prompt and their
/// versions, all decided before the first request goes out.
///
/// `--pending` asks about every stored image lacking a successful judgment for the current checklist
/// version, prompt version and model; an edited checklist is a new version, so it re-queues every
/// image of its condition. Images whose earlier attempts failed `maxFailedAttempts` times wait for
/// `--retry-failed`, so one poisoned image cannot burn every night.
public struct JudgeRunPlan: Sendable {
    /// One request to make.
    public struct Item: Sendable {
        public var image: ImageRecord
        public var checklist: JudgeChecklist
        public var prompt: JudgePrompt
    }

    public var items: [Item]
    /// Images left out because they failed too often (they wait for `--retry-failed`).
    public var heldBack: [String]
    /// Images of conditions without a checklist: named, not silently dropped.
    public var unknownConditions: [String: Int]
    /// Problems with explicitly named images (unknown id, no condition).
    public var problems: [String]
    /// Images left out because a submitted, uncollected batch already asks about them (`--batch collect`).
    public var inOpenBatches: [String] = []

    /// Plans a run.
    ///
    /// - Parameters:
    ///   - imageIDs: explicit images (ids or stored paths); nil for every pending image.
    ///   - conditions: only these conditions (nil for all with stored images).
    public static func make(
        store: Store, catalog: ChecklistCatalog, prompts: PromptLibrary, model: String,
        imageIDs: [String]?, conditions: [ConditionID]? = nil, limit: Int? = nil,
        retryFailed: Bool = false, maxFailedAttempts: Int = 3
    ) throws -> JudgeRunPlan {
        let template = prompts.template(.judgeImage)
        try store.addPromptVersion(PromptVersionRecord(id: template.version, name: template.kind.rawValue, body: template.text))
        var plan = JudgeRunPlan(items: [], heldBack: [], unknownConditions: [:], problems: [])
        var prepared: [ConditionID: (JudgeChecklist, JudgePrompt)] = [:]

        func prepare(_ condition: ConditionID) throws -> (JudgeChecklist, JudgePrompt)? {
            if let ready = prepared[condition] { return ready }
            guard let checklist = try? catalog.resolve(condition.description),
                  let domain = catalog.domain(condition.domain)
            else { return nil }
            let text = PromptRenderer.judgeImage(template, checklist: checklist, domain: domain,
                                                 answerShape: AnswerShape.judgeImage(checklist))
            let source = (try? String(contentsOfFile: checklist.location.path, encoding: .utf8))
                ?? checklist.canonicalJSON.canonicalString
            try store.addChecklistVersion(ChecklistVersionRecord(id: checklist.version, condition: condition.description,
                                                                 yaml: source))
            let judgeChecklist = JudgeChecklist(
                condition: condition.description, version: checklist.version,
                criteria: checklist.criteria.map { JudgeCriterion(id: $0.id, text: $0.text) })
            let prompt = JudgePrompt(system: VerdictSchema.standardPrompt(for: judgeChecklist).system, user: text,
                                     version: template.version)
            prepared[condition] = (judgeChecklist, prompt)
            return (judgeChecklist, prompt)
        }

        var candidates: [ImageRecord] = []
        if let imageIDs {
            for reference in imageIDs {
                guard let image = try store.findImage(reference) else {
                    plan.problems.append("\(reference): not a stored image id or path (add it with rounds images add)")
                    continue
                }
                guard image.condition != nil else {
                    plan.problems.append("\(reference): the stored image has no condition, so there is no checklist to ask")
                    continue
                }
                candidates.append(image)
            }
        } else {
            let stored = try Self.storedConditions(store)
            for condition in stored where conditions == nil || conditions!.contains(condition.key) {
                guard let (checklist, prompt) = try prepare(condition.key) else {
                    plan.unknownConditions[condition.key.description] = condition.value
                    continue
                }
                let pending = try store.pendingImageIDs(
                    checklistVersion: checklist.version!, promptVersion: prompt.version!, model: model,
                    condition: condition.key)
                for id in pending { if let image = try store.image(id: id) { candidates.append(image) } }
            }
        }
        let failures = try Self.failureCounts(store, model: model)
        let waiting = try store.imagesInOpenBatches(model: model)
        for image in candidates {
            guard let condition = image.condition, let (checklist, prompt) = try prepare(condition) else {
                plan.unknownConditions[image.condition?.description ?? "(none)", default: 0] += 1
                continue
            }
            let key = FailureKey(imageID: image.id, checklistVersion: checklist.version!, promptVersion: prompt.version!)
            if !retryFailed, failures[key, default: 0] >= maxFailedAttempts {
                plan.heldBack.append(image.id)
                continue
            }
            if waiting.contains([image.id, checklist.version!, prompt.version!]) {
                plan.inOpenBatches.append(image.id)
                continue
            }
            if let limit, plan.items.count >= limit { break }
            plan.items.append(Item(image: image, checklist: checklist, prompt: prompt))
        }
        return plan
    }

    /// Estimated tokens and cost of the plan: the prompt's characters / 4, 85 tokens per image tile
    /// (a 512-pixel long edge is one high-detail tile plus the base), and about 40 answer tokens per
    /// criterion. An estimate for `--dry-run`, stated as such.
    public func estimate(endpoint: EndpointConfig, samples: Int) -> (inputTokens: Int, outputTokens: Int, cost: Double) {
        var input = 0, output = 0
        for item in items {
            input += (item.prompt.system.count + item.prompt.user.count) / 4 + 255
            output += 40 * item.checklist.criteria.count
        }
        input *= samples
        output *= samples
        return (input, output, Double(input) * endpoint.inputPricePerToken + Double(output) * endpoint.outputPricePerToken)
    }

    typealias FailureKey = JudgmentSlot

    /// Failed judgments per (image, checklist version, prompt version) for one model: the combined
    /// judgment's row (sample index 0) only, so a `--samples 3` attempt counts once, not once per sample.
    static func failureCounts(_ store: Store, model: String) throws -> [FailureKey: Int] {
        try store.failedJudgmentCounts(model: model)
    }

    /// Conditions with stored images, and how many images each has.
    static func storedConditions(_ store: Store) throws -> [(key: ConditionID, value: Int)] {
        try store.imageCountsByCondition().compactMap { row in
            (try? ConditionID(parsing: row.condition)).map { (key: $0, value: row.count) }
        }
    }
}
