import Foundation
import RoundsAlignment
import RoundsChecklists
import RoundsCore
import RoundsPipeline
import RoundsStore
import Testing

@Suite("the report's tail is rounds cas's tail")
struct ReportTailTests {
    @Test("real images scored as targets make no thresholds in cas or in the report; both give the same tails")
    func reportUsesTheStoredReferenceSet() throws {
        let f = try CASStoreFixture()
        defer { f.remove() }
        try f.judgeAll()
        // Three real images are scored as targets, the rest are the reference set.
        let targets = [f.near!, f.far!] + f.reals.prefix(3)
        let reference = Array(f.reals.dropFirst(3))
        let job = CASJob(
            targets: targets, reference: reference, referenceLabel: "split:test",
            options: CASJobOptions(weights: try CASWeights([.checklistFidelity: 1, .plausibility: 1, .proximity: 1]), k: 3,
                                   replicates: 200))
        let result = try job.run(store: f.store, catalog: f.catalog)
        let report = try CASReportData.load(store: f.store, catalog: f.catalog, replicates: 200)
        #expect(report.referenceMembers() == Set(reference.map(\.id)))
        #expect(!result.tails.isEmpty)
        #expect(report.tails == result.tails)
        let estimate = try #require(report.tails.first?.conditions[f.condition.description])
        #expect(estimate.realCount == reference.count)
    }
}
