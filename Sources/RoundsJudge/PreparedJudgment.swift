import Foundation

/// One judgment's requests, built once: one per self-consistency sample, with the request key a run
/// looks up before sending anything (CLI.md "Request key"). `JudgeClient.prepare` builds it and
/// `JudgeClient.judge(_:)` sends exactly these bodies, so the key stored is the key looked up and the
/// image is base64-encoded once per sample, not again for the lookup.
public struct PreparedJudgment: Sendable {
    public let image: JudgeImage
    public let checklist: JudgeChecklist
    public let prompt: JudgePrompt

    /// One sample's sampling parameters, request and its built bodies.
    struct Sample: Sendable {
        var sampling: SamplingParameters
        var request: JudgeRequest
        var prepared: PreparedRequest
    }

    let samples: [Sample]

    /// The key of the judgment: its one sample's, or a hash over its samples' in order.
    public var requestKey: String { JudgeClient.outcomeKey(sampleKeys) }

    /// Each sample's own request key, in sample order (a stored sample is looked up by it).
    public var sampleKeys: [String] { samples.map(\.prepared.key) }
}

extension JudgeClient {
    /// Builds the requests `judge(_:)` sends for this image, without sending anything.
    ///
    /// - Parameter prompt: the rendered prompt; `VerdictSchema.standardPrompt(for:)` when nil.
    public func prepare(image: JudgeImage, checklist: JudgeChecklist, prompt: JudgePrompt? = nil) -> PreparedJudgment {
        let prompt = prompt ?? VerdictSchema.standardPrompt(for: checklist)
        return PreparedJudgment(
            image: image, checklist: checklist, prompt: prompt,
            samples: samplingParameters.map { sampling in
                let request = imageRequest(image: image, checklist: checklist, prompt: prompt, sampling: sampling)
                return PreparedJudgment.Sample(
                    sampling: sampling, request: request,
                    prepared: PreparedRequest(request, endpoint: endpoint, provider: provider))
            })
    }
}
