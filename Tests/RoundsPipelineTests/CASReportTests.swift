import Foundation
import RoundsAlignment
import RoundsChecklists
import RoundsCore
import RoundsPipeline
import RoundsStore
import Testing

@Suite("CAS report from the store")
struct CASReportTests {
    /// A judged fixture with CAS stored (label consistency unavailable, weights renormalised).
    static func scored() throws -> CASStoreFixture {
        let f = try CASStoreFixture()
        try f.judgeAll()
        _ = try CASJob(
            targets: [f.near, f.far], reference: f.reals, referenceLabel: "split:test",
            options: CASJobOptions(allowMissing: true, k: 3, replicates: 200)
        ).run(store: f.store, catalog: f.catalog)
        return f
    }

    @Test("without stored CAS the report is an error saying to run rounds cas")
    func needsCAS() throws {
        let f = try CASStoreFixture()
        defer { f.remove() }
        let error = try #require(throws: AlignmentError.self) { try CASReportData.load(store: f.store, catalog: f.catalog) }
        #expect(error.message.contains("rounds cas"))
    }

    @Test("the page is self-contained, labels the simulator, and shows real images only when asked")
    func page() throws {
        let f = try Self.scored()
        defer { f.remove() }
        let data = try CASReportData.load(store: f.store, catalog: f.catalog, examples: 1, replicates: 200)
        #expect(data.rows.count == 10)
        #expect(data.judgeLabel == "run \(f.run): simulator (rounds-simulator)")
        #expect(data.best.map(\.row.image.id) == [f.near.id] && data.worst.map(\.row.image.id) == [f.far.id])
        #expect(data.worst[0].verdicts.contains { $0.contains("not_met — seen") })
        let html = try data.html()
        for banned in ["<script", "src=\"http", "href=", "url(", "src=\"/", "src=\"file:", "@import"] { #expect(!html.contains(banned), "\(banned)") }
        #expect(html.contains("simulator (rounds-simulator)"))
        #expect(html.components(separatedBy: "data:image/png;base64,").count - 1 == 2)
        #expect(html.contains("label_consistency") && html.contains("10 of 10"))
        #expect(html.contains("<svg"))
        let withReal = try CASReportData.load(store: f.store, catalog: f.catalog, examples: 1, embedReal: true, replicates: 200)
        #expect(try withReal.html().components(separatedBy: "data:image/png;base64,").count - 1 == 2 + 2)
    }

    @Test("report.json and report.csv carry the same numbers; unavailable dimensions are null / empty")
    func exports() throws {
        let f = try Self.scored()
        defer { f.remove() }
        let data = try CASReportData.load(store: f.store, catalog: f.catalog, replicates: 200)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(data.json.canonicalString.utf8)) as? [String: Any])
        let images = try #require(json["images"] as? [[String: Any]])
        let csv = data.csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(csv[0] == ["section", "condition", "group", "key", "metric", "value"])
        for image in images {
            let id = image["image_id"] as! String
            let cas = try #require(csv.first { $0[0] == "image" && $0[3] == id && $0[4] == "cas" })
            // Foundation's JSON parser on Linux may be one ulp off the shortest round-trip text.
            #expect(abs(try #require(Double(cas[5])) - (image["cas"] as! Double)) < 1e-12)
            let label = try #require(csv.first { $0[3] == id && $0[4] == "label_consistency" })
            #expect(label[5] == "")
            #expect((image["dimensions"] as? [String: Any])?["label_consistency"] is NSNull)
        }
        let tails = try #require(json["tails"] as? [[String: Any]])
        let share = try #require((tails[0]["conditions"] as? [String: [String: Any]])?[f.condition.description]?["share"] as? Double)
        let row = try #require(csv.first { $0[0] == "tail" && $0[4] == "share" && $0[1] == f.condition.description })
        #expect(abs(try #require(Double(row[5])) - share) < 1e-12)
    }
}
