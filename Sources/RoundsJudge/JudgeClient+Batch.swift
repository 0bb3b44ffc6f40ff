import Foundation
import RoundsCore

/// The Batch API side of the client: the same request a live judgment sends (so its request key is the
/// same), and the same reading of the answer, without a repair round (a batch cannot ask back).
extension JudgeClient {
    /// The request `judge(image:checklist:prompt:)` sends for a single sample.
    public func preparedImageRequest(image: JudgeImage, checklist: JudgeChecklist, prompt: JudgePrompt) -> PreparedRequest {
        let sampling = endpoint.sampling(temperature: 0, seed: options.baseSeed)
        return PreparedRequest(imageRequest(image: image, checklist: checklist, prompt: prompt, sampling: sampling),
                               endpoint: endpoint, provider: provider)
    }

    /// One batch result line read as a live answer: a 2xx `body` goes through the provider's response
    /// parsing and the verdict parser (an unreadable answer gives indeterminate verdicts, never a default);
    /// anything else is a failed judgment carrying `error`.
    ///
    /// - Parameters:
    ///   - status: the line's `response.status_code` (nil when the line has only an `error`).
    ///   - body: the line's `response.body`.
    ///   - error: what failed, when the line did not succeed.
    public func batchOutcome(status: Int?, body: JSONValue?, error: JudgeError?, requestKey: String,
                             canonicalRequest: String, checklist: JudgeChecklist) -> JudgeOutcome {
        let url = endpoint.baseURL + "/batches"
        let sent = endpoint.sampling(temperature: 0, seed: options.baseSeed)
        var sample = SampleOutcome(
            status: .failed, requestKey: requestKey, canonicalRequest: canonicalRequest, verdicts: [], problems: [],
            usage: TokenUsage(), attempts: 1, latency: 0, repaired: false, seed: sent.seed, temperature: sent.temperature)
        func fail(_ e: JudgeError) -> JudgeOutcome {
            sample.error = redaction.apply(e)
            sample.verdicts = checklist.criteria.map { .indeterminate($0.id, "request failed: \(e.code)") }
            return aggregate([sample], checklist: checklist, stopsRun: false)
        }
        if let error { return fail(error) }
        guard let status, (200..<300).contains(status), let body else {
            let parsed = body.map { ProviderErrorBody.parse(Array($0.canonicalString.utf8)) }
            return fail(JudgeError(.httpStatus, "batch line: HTTP \(status.map(String.init) ?? "?"): "
                + (parsed?.message ?? "no response body"), status: status, providerCode: parsed?.code ?? parsed?.type))
        }
        let response: JudgeResponse
        do {
            response = try provider.parseResponse(HTTPResponseData(status: status, body: Array(body.canonicalString.utf8)),
                                                  url: url)
        } catch let e as JudgeError {
            return fail(e)
        } catch {
            return fail(JudgeError(.invalidResponse, "\(url): \(error)", cause: error))
        }
        _ = read(response, latency: 0, checklist: checklist, into: &sample)
        return aggregate([sample], checklist: checklist, stopsRun: false)
    }
}
