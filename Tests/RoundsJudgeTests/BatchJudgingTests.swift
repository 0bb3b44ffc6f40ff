import Foundation
import RoundsChecklists
import RoundsCore
import RoundsImaging
import RoundsJudge
import RoundsStore
import RoundsTestSupport
import Testing

/// `rounds judge --batch submit|collect` as a library: a real store, real PNG files, real HTTP over
/// loopback to the stand-in's Files and Batches endpoints.
@Suite struct BatchJudgingTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized

    struct Fixture {
        let folder: URL
        let store: Store
        let catalog: ChecklistCatalog
        let prompts: PromptLibrary
        let imageIDs: [String]

        func remove() { try? FileManager.default.removeItem(at: folder) }

        func plan(model: String) throws -> JudgeRunPlan {
            try JudgeRunPlan.make(store: store, catalog: catalog, prompts: prompts, model: model, imageIDs: nil)
        }

        /// Judgments per image: (successful combined, failed).
        func judgments() throws -> [String: (ok: Int, failed: Int)] {
            var out: [String: (ok: Int, failed: Int)] = [:]
            for row in try store.rawRows("""
                SELECT imageID, SUM(error IS NULL), SUM(error IS NOT NULL) FROM judgment GROUP BY imageID
                """) {
                out[row[0]] = (row[1], row[2])
            }
            return out
        }
    }

    /// `count` distinct 16x16 PNGs of dermatology/vitiligo.
    static func fixture(count: Int = 3) throws -> Fixture {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rounds-batch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let store = try Store(path: folder.appendingPathComponent("rounds.sqlite").path)
        var records: [ImageRecord] = []
        for i in 0..<count {
            let image = try RGBImage(width: 16, height: 16, pixels: (0..<(16 * 16 * 3)).map { UInt8(truncatingIfNeeded: $0 * (i + 3)) })
            let bytes = try PNGCodec.encode(image)
            let path = folder.appendingPathComponent("image-\(i).png").path
            #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
            records.append(ImageRecord(
                id: image.imageID, fileSHA256: SHA256.hex(bytes), path: path, format: .png, width: 16, height: 16,
                condition: try ConditionID(domain: "dermatology", name: "vitiligo"), origin: .synthetic))
        }
        _ = try store.addImages(records)
        let catalog = try ChecklistCatalog.load(from: .directory(root.appendingPathComponent("Checklists"), reason: "test"))
        let prompts = try PromptLibrary.load(from: .directory(root.appendingPathComponent("Prompts"), reason: "test"))
        return Fixture(folder: folder, store: store, catalog: catalog, prompts: prompts, imageIDs: records.map(\.id))
    }

    static func parts(_ server: StandInServer, key: String? = nil) throws -> (JudgeClient, OpenAIBatchAPI) {
        var endpoint = Fixtures.endpoint(server)
        endpoint.model = "batch-model"
        let apiKey = key.map(APIKey.init)
        let client = JudgeClient(endpoint: endpoint, apiKey: apiKey, transport: Fixtures.sharedTransport, clock: VirtualClock())
        let api = try OpenAIBatchAPI(endpoint: endpoint, apiKey: apiKey, transport: Fixtures.sharedTransport,
                                     retryPolicy: Fixtures.retry, clock: VirtualClock())
        return (client, api)
    }

    @Test func submitThenCollectStoresEveryJudgmentOnceAndCollectingAgainDoesNothing() async throws {
        let f = try Self.fixture()
        defer { f.remove() }
        try await withStandIn { server in
            server.holdBatches(true)
            let (client, api) = try Self.parts(server)
            let plan = try f.plan(model: "batch-model")
            #expect(plan.items.count == 3)
            let submitted = try await JudgeBatchSubmitter(store: f.store, client: client, api: api)
                .submit(plan, jsonlFolder: f.folder.path)
            #expect(submitted.requests == 3 && submitted.failures.isEmpty)
            let runID = try #require(submitted.runID)

            // The JSONL: one line per image, custom_id = the live request key, body = the live wire body.
            let jsonl = try String(contentsOfFile: try #require(submitted.jsonlPath), encoding: .utf8)
            let lines = try jsonl.split(separator: "\n").map { try JSONValue(parsing: String($0)) }
            #expect(lines.count == 3)
            for (line, item) in zip(lines, plan.items) {
                let image = try JudgeImageLoader.load(item.image)
                let live = client.preparedImageRequest(image: image, checklist: item.checklist, prompt: item.prompt)
                #expect(line["custom_id"]?.stringValue == live.key)
                #expect(line["body"] == (try JSONValue(parsing: String(decoding: live.wireBody, as: UTF8.self))))
                #expect(line["url"] == "/v1/chat/completions" && line["method"] == "POST")
            }
            let upload = try #require(server.requests.first { $0.path == "/v1/files" })
            #expect(upload.header("content-type")?.hasPrefix("multipart/form-data; boundary=") == true)
            #expect(try f.plan(model: "batch-model").items.isEmpty, "images in an open batch are not planned again")
            #expect(try f.plan(model: "batch-model").inOpenBatches.count == 3)

            // Still running: collect notes the status and stores nothing.
            let early = try await JudgeBatchCollector(store: f.store, client: client, api: api).collect()
            #expect(early.pending == 1 && early.judged == 0)
            #expect(try f.judgments().isEmpty)

            server.releaseBatches()
            let collected = try await JudgeBatchCollector(store: f.store, client: client, api: api).collect()
            #expect(collected.batches.count == 1)
            #expect(collected.judged == 3 && collected.failed == 0, "\(collected.batches.first?.failures ?? [])")
            #expect(try f.judgments().values.allSatisfy { $0.ok == 1 && $0.failed == 0 })
            #expect(try f.plan(model: "batch-model").items.isEmpty, "judged images are done")
            let keys = try f.store.rawRows("SELECT requestKey FROM judgment ORDER BY id").map { $0[0] as String }
            #expect(Set(keys) == Set(lines.compactMap { $0["custom_id"]?.stringValue }))
            let run = try f.store.judgeRun(id: runID)
            #expect(run?.status == .completed && run?.succeededCount == 3)

            // Collecting again, all batches or this run's, stores nothing twice.
            let again = try await JudgeBatchCollector(store: f.store, client: client, api: api).collect()
            #expect(again.batches.isEmpty)
            let byRun = try await JudgeBatchCollector(store: f.store, client: client, api: api).collect(runID: runID)
            #expect(byRun.batches.first?.alreadyCollected == true)
            #expect(try f.judgments().values.allSatisfy { $0.ok == 1 && $0.failed == 0 })
        }
    }

    @Test func garbageAnswerBecomesIndeterminateAndStaysPending() async throws {
        let f = try Self.fixture(count: 2)
        defer { f.remove() }
        try await withStandIn { server in
            // The first line's model answer is prose, the second's is a 500.
            server.script([.answer("I think the image looks fine overall."), .status(500, message: "upstream broke")])
            let (client, api) = try Self.parts(server)
            let submitted = try await JudgeBatchSubmitter(store: f.store, client: client, api: api)
                .submit(try f.plan(model: "batch-model"), jsonlFolder: f.folder.path)
            let summary = try await JudgeBatchCollector(store: f.store, client: client, api: api).collect()
            let report = try #require(summary.batches.first)
            #expect(report.judged == 0 && report.failed == 2)
            let lines = try String(contentsOfFile: submitted.jsonlPath!, encoding: .utf8).split(separator: "\n")
                .compactMap { try JSONValue(parsing: String($0))["custom_id"]?.stringValue }
            #expect(report.failures.contains { $0.hasPrefix("custom_id \(lines[0])") && $0.contains("unparseable") })
            #expect(report.failures.contains { $0.hasPrefix("custom_id \(lines[1])") && $0.contains("HTTP 500") && $0.contains("upstream broke") })
            let verdicts = try f.store.rawRows("SELECT DISTINCT verdict FROM criterionVerdict").map { $0[0] as String }
            #expect(verdicts == ["indeterminate"], "never a default verdict")
            #expect(try f.plan(model: "batch-model").items.count == 2, "failed lines are asked again")
        }
    }

    @Test(arguments: [("failed", 0), ("expired", 1)])
    func aBatchThatFailedOrExpiredStoresWhatCameBackAndFailsTheRest(status: String, kept: Int) async throws {
        let f = try Self.fixture(count: 3)
        defer { f.remove() }
        try await withStandIn { server in
            server.holdBatches(true)
            let (client, api) = try Self.parts(server)
            let submitted = try await JudgeBatchSubmitter(store: f.store, client: client, api: api)
                .submit(try f.plan(model: "batch-model"), jsonlFolder: f.folder.path)
            server.finishBatches(as: status, keptLines: kept, errors: status == "failed" ? ["line 1: model not found"] : [])
            let summary = try await JudgeBatchCollector(store: f.store, client: client, api: api).collect()
            let report = try #require(summary.batches.first)
            #expect(report.status == status && report.collected)
            #expect(report.judged == kept && report.failed == 3 - kept)
            if status == "failed" {
                #expect(report.failures.allSatisfy { $0.contains("batch \(submitted.batchID!) failed: ") && $0.contains("model not found") })
            } else {
                #expect(report.failures.filter { $0.contains("batch_expired") }.count == 2)
            }
            let run = try f.store.judgeRun(id: submitted.runID!)
            #expect(run?.status == .failed)
            #expect(try f.plan(model: "batch-model").items.count == 3 - kept, "what failed is pending again")
        }
    }

    @Test func outputLinesNamingUnknownOrDuplicateCustomIDsAreReported() async throws {
        let f = try Self.fixture(count: 1)
        defer { f.remove() }
        try await withStandIn { server in
            let (client, api) = try Self.parts(server)
            _ = try await JudgeBatchSubmitter(store: f.store, client: client, api: api)
                .submit(try f.plan(model: "batch-model"), jsonlFolder: f.folder.path)
            server.appendToBatchOutputs([#"{"custom_id":"not-ours","response":{"status_code":200,"body":{}},"error":null}"#, "<html>"])
            let report = try #require(try await JudgeBatchCollector(store: f.store, client: client, api: api).collect().batches.first)
            #expect(report.judged == 1)
            #expect(report.failures.contains { $0.contains("line 2: custom_id not-ours is not a request of this batch") })
            #expect(report.failures.contains { $0.contains("line 3: not a JSON object with a custom_id") })
        }
    }

    @Test func collectingARunWithAnotherEndpointOrWithoutABatchIsRefused() async throws {
        let f = try Self.fixture(count: 1)
        defer { f.remove() }
        try await withStandIn { server in
            let (client, api) = try Self.parts(server)
            let submitted = try await JudgeBatchSubmitter(store: f.store, client: client, api: api)
                .submit(try f.plan(model: "batch-model"), jsonlFolder: f.folder.path)
            var other = client.endpoint
            other.model = "other-model"
            let otherClient = JudgeClient(endpoint: other, apiKey: nil, transport: Fixtures.sharedTransport)
            let wrong = await #expect(throws: JudgeError.self) {
                try await JudgeBatchCollector(store: f.store, client: otherClient, api: api).collect(runID: submitted.runID!)
            }
            #expect(wrong?.message.contains("model batch-model") == true)
            let missing = await #expect(throws: JudgeError.self) {
                try await JudgeBatchCollector(store: f.store, client: client, api: api).collect(runID: 999)
            }
            #expect(missing?.message.contains("run 999 has no submitted batch") == true)
            var anthropic = client.endpoint
            anthropic.provider = .anthropic
            #expect(throws: JudgeError.self) { try OpenAIBatchAPI(endpoint: anthropic, apiKey: nil) }
        }
    }

    @Test func plantedKeyReachesOnlyTheAuthorizationHeader() async throws {
        let key = "sk-planted-batch-\(UUID().uuidString)"
        let f = try Self.fixture(count: 2)
        defer { f.remove() }
        try await withStandIn(expectedKey: key) { server in
            server.script([.answer("echo \(key)")])
            let (client, api) = try Self.parts(server, key: key)
            let submitted = try await JudgeBatchSubmitter(store: f.store, client: client, api: api)
                .submit(try f.plan(model: "batch-model"), jsonlFolder: f.folder.path)
            let collected = try await JudgeBatchCollector(store: f.store, client: client, api: api).collect()
            #expect(server.requests.filter { $0.path.hasPrefix("/v1/files") || $0.path.hasPrefix("/v1/batches") }
                .allSatisfy { $0.header("authorization") == "Bearer " + key })
            // A wrong key: the stand-in's 401 echoes it; the error must not.
            let (_, wrongAPI) = try Self.parts(server, key: "sk-wrong-\(key)")
            let refused = await #expect(throws: JudgeError.self) { try await wrongAPI.batch(id: submitted.batchID!) }
            var produced = ["\(submitted)", "\(collected)", "\(refused.map { "\($0)" } ?? "")", refused?.detailedDescription() ?? ""]
            produced.append(try String(contentsOfFile: submitted.jsonlPath!, encoding: .utf8))
            try f.store.checkpointWAL()
            let bytes = try Data(contentsOf: URL(fileURLWithPath: f.store.path))
            produced.append(String(decoding: bytes, as: UTF8.self))
            #expect(refused?.status == 401)
            for text in produced { #expect(!text.contains(key)) }
            #expect(produced.last!.contains("<redacted>"), "the echoed key was stored redacted")
        }
    }
}

/// The image as the batch submitter and the live runner send it.
enum JudgeImageLoader {
    static func load(_ record: ImageRecord) throws -> JudgeImage {
        let pixels = try ImageFile.load(path: record.path).image
        return JudgeImage(bytes: try PNGCodec.encode(pixels), mediaType: "image/png", imageID: record.id, origin: record.origin)
    }
}
