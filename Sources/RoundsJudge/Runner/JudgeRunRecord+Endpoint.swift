import Foundation
import RoundsCore
import RoundsStore

/// The run row every judging run (images or pairs) opens and closes the same way.
extension JudgeRunRecord {
    /// A running row for `endpoint`; the simulator's model name marks the run as simulated.
    init(endpoint: EndpointConfig, parameters: JSONValue) {
        self.init(
            endpoint: endpoint.name, baseURL: endpoint.baseURL, model: endpoint.model,
            provider: endpoint.model == "rounds-simulator" ? .simulator
                : (endpoint.provider == .anthropic ? .anthropic : .openai),
            parameters: parameters.canonicalString)
    }

    /// Closes the row: `interrupted` is a cancelled run, `quota`, `identical-failures` and
    /// `repeated-failures` a failed one.
    mutating func close(requests: Int, succeeded: Int, failed: Int, cost: Double, stoppedBecause: String?) {
        endedAt = Date()
        switch stoppedBecause {
        case "interrupted": status = .cancelled
        case "quota", "identical-failures", "repeated-failures": status = .failed
        default: status = .completed
        }
        requestCount = requests
        succeededCount = succeeded
        failedCount = failed
        costUSD = cost
    }
}
