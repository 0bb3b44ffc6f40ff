/// Area under the ROC curve of scores against binary labels, with ties counted half.
///
/// `AUC = (Σ_{i∈pos} rank_i - P(P+1)/2) / (P·N)`, where ranks are 1-based over all scores ascending
/// and tied scores share their mean rank (the Mann-Whitney U statistic over P·N): the probability
/// that a random positive scores above a random negative, plus half the probability of a tie. This is
/// what `sklearn.metrics.roc_auc_score` returns.
public enum ROCAUC {
    /// - Returns: the AUC, or nil when the labels hold only one class (undefined).
    /// - Throws: `BrokerError.invalidInput` when the counts differ or a score is not finite.
    public static func compute(scores: [Double], labels: [Bool]) throws -> Double? {
        guard scores.count == labels.count else {
            throw BrokerError(.invalidInput, "AUC: \(scores.count) score(s) but \(labels.count) label(s)")
        }
        if let i = scores.firstIndex(where: { !$0.isFinite }) {
            throw BrokerError(.nonFiniteValue, "AUC: score \(i) is \(scores[i])")
        }
        let positives = labels.filter { $0 }.count, negatives = labels.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, scores[order[end + 1]] == scores[order[start]] { end += 1 }
            let meanRank = Double(start + end + 2) / 2
            for k in start...end where labels[order[k]] { rankSum += meanRank }
            start = end + 1
        }
        let p = Double(positives), n = Double(negatives)
        return (rankSum - p * (p + 1) / 2) / (p * n)
    }
}
