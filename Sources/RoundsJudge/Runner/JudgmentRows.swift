import Foundation
import RoundsCore
import RoundsStore

/// Turns a judge outcome into the store's rows: one judgment per self-consistency sample, then the
/// combined judgment (sample index 0) carrying the majority verdicts, inserted last so that it is
/// the image's latest.
///
/// Anything other than a clean answer is stored with its `error` set (refused, truncated,
/// unparseable, failed): such rows are provenance, never a cached result, so the image stays
/// pending and the next run asks again.
enum JudgmentRows {
    static func make(_ outcome: JudgeOutcome, item: JudgeRunPlan.Item, runID: Int64)
        -> [(judgment: JudgmentRecord, verdicts: [CriterionVerdictRecord])]
    {
        make(outcome, imageID: item.image.id, checklistVersion: item.checklist.version ?? "",
             promptVersion: item.prompt.version ?? "", runID: runID)
    }

    static func make(_ outcome: JudgeOutcome, imageID: String, checklistVersion checklist: String,
                     promptVersion prompt: String, runID: Int64)
        -> [(judgment: JudgmentRecord, verdicts: [CriterionVerdictRecord])]
    {
        var rows: [(JudgmentRecord, [CriterionVerdictRecord])] = []
        if outcome.samples.count > 1 {
            // a sample an earlier run stored is counted again but not stored twice
            for (i, sample) in outcome.samples.enumerated() where sample.storedJudgmentID == nil {
                let judgment = JudgmentRecord(
                    runID: runID, imageID: imageID, checklistVersionID: checklist, promptVersionID: prompt,
                    requestKey: sample.requestKey, canonicalRequest: sample.canonicalRequest, sampleIndex: i + 1,
                    responseText: sample.responseText, latencyMs: sample.latency * 1000,
                    promptTokens: sample.usage.input, completionTokens: sample.usage.output, costUSD: nil,
                    attempts: sample.attempts, error: errorText(sample.status, sample.error?.message),
                    problems: sample.problems)
                rows.append((judgment, verdicts(sample.verdicts, agreement: false)))
            }
        }
        let combined = JudgmentRecord(
            runID: runID, imageID: imageID, checklistVersionID: checklist, promptVersionID: prompt,
            requestKey: outcome.requestKey, canonicalRequest: outcome.canonicalRequest, sampleIndex: 0,
            responseText: outcome.responseText, latencyMs: outcome.latency * 1000, promptTokens: outcome.usage.input,
            completionTokens: outcome.usage.output, costUSD: outcome.cost, attempts: max(1, outcome.attempts),
            error: errorText(outcome.status, outcome.error?.message), problems: problems(outcome))
        rows.append((combined, verdicts(outcome.verdicts, agreement: outcome.samples.count > 1)))
        return rows
    }

    /// The parser's problems: the one sample's, or each sample's prefixed with its number.
    private static func problems(_ outcome: JudgeOutcome) -> [String] {
        if outcome.samples.count == 1 { return outcome.samples[0].problems }
        return outcome.samples.enumerated().flatMap { i, s in s.problems.map { "sample \(i + 1): \($0)" } }
    }

    private static func verdicts(_ verdicts: [CriterionVerdict], agreement: Bool) -> [CriterionVerdictRecord] {
        verdicts.map { v in
            var evidence = v.evidence
            if let reason = v.reason { evidence = evidence.isEmpty ? reason : "\(evidence) (\(reason))" }
            return CriterionVerdictRecord(
                judgmentID: 0, criterionID: v.id, verdict: v.verdict, evidence: evidence,
                confidence: nil, agreement: agreement ? v.confidence : nil)
        }
    }

    private static func errorText(_ status: JudgeStatus, _ message: String?) -> String? {
        status == .judged ? nil : "\(status.rawValue): \(message ?? "no usable answer")"
    }
}
