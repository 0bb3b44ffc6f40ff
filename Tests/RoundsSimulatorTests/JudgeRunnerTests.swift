import Foundation
import RoundsChecklists
import RoundsCore
import RoundsImaging
import RoundsJudge
import RoundsStore
import RoundsTestSupport
import Testing
@testable import RoundsSimulator

/// `rounds judge --pending` as a library: a real SQLite store, real PNG files, the judge client over
/// real loopback HTTP to the simulator (or a stand-in that fails on purpose).
@Suite struct JudgeRunnerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
        .standardized

    struct Fixture {
        let folder: URL
        let store: Store
        let catalog: ChecklistCatalog
        let prompts: PromptLibrary
        /// image id -> criteria painted broken
        let broken: [String: Set<String>]

        func remove() { try? FileManager.default.removeItem(at: folder) }
    }

    static func fixture(perCondition: Int = 2) throws -> Fixture {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rounds-runner-\(UUID().uuidString)")
        let dataset = try SyntheticDataset(size: 32, perCondition: perCondition, defectRate: 0.6, seed: 5)
        _ = try DatasetWriter(dataset: dataset).write(to: folder.path)
        let store = try Store(path: folder.appendingPathComponent("rounds.sqlite").path)
        var records: [ImageRecord] = []
        var broken: [String: Set<String>] = [:]
        for item in try dataset.items() {
            let path = folder.appendingPathComponent("\(item.spec.condition.rawValue)/\(item.fileName)").path
            let loaded = try ImageFile.load(path: path)
            records.append(ImageRecord(
                id: loaded.image.imageID, fileSHA256: loaded.fileSHA256, path: path, format: .png, width: 32, height: 32,
                condition: try ConditionID(domain: "synthetic", name: item.spec.condition.rawValue), origin: .synthetic))
            broken[loaded.image.imageID] = Set(item.spec.failing.map(\.rawValue))
        }
        _ = try store.addImages(records)
        let catalog = try ChecklistCatalog.load(from: .directory(root.appendingPathComponent("Checklists"), reason: "test"))
        let prompts = try PromptLibrary.load(from: .directory(root.appendingPathComponent("Prompts"), reason: "test"))
        return Fixture(folder: folder, store: store, catalog: catalog, prompts: prompts, broken: broken)
    }

    func plan(_ f: Fixture, model: String, retryFailed: Bool = false) throws -> JudgeRunPlan {
        try JudgeRunPlan.make(store: f.store, catalog: f.catalog, prompts: f.prompts, model: model, imageIDs: nil,
                              retryFailed: retryFailed)
    }

    @Test func pendingRunJudgesEveryImageOnceAndStoresMeasuredVerdicts() async throws {
        let f = try Self.fixture()
        defer { f.remove() }
        let server = try await SimulatorServer.start(settings: try SimulatorSettings(flipRate: 0, uncertainRate: 0))
        let endpoint = try EndpointConfig.adHoc(baseURL: server.baseURL, model: SimulatorServer.modelName, provider: .openai)
        let runner = JudgeRunner(store: f.store, client: JudgeClient(endpoint: endpoint, apiKey: nil))
        let first = try plan(f, model: endpoint.model)
        #expect(first.items.count == 8)
        let summary = try await runner.run(first)
        #expect(summary.judged == 8 && summary.failed == 0, "\(summary.failures)")
        for item in first.items {
            let verdicts = try f.store.latestVerdicts(checklistVersion: item.checklist.version!, imageIDs: [item.image.id])
            #expect(verdicts.count == item.checklist.criteria.count)
            let notMet = Set(verdicts.filter { $0.verdict == .notMet }.map(\.criterionID))
            let broken = f.broken[item.image.id] ?? []
            // A broken criterion can drag a neighbour down (a blurred edge greys a patch's mean colour),
            // so the measured failures include the painted ones; a correct image fails none.
            #expect(notMet.isSuperset(of: broken), "image \(item.image.id.prefix(8))")
            if broken.isEmpty { #expect(notMet.isEmpty) }
        }
        #expect(try plan(f, model: endpoint.model).items.isEmpty, "a finished image is never asked again")
        #expect(try plan(f, model: "another-model").items.count == 8, "another model has its own verdicts")
        await server.stop()
    }

    @Test func failuresAreStoredRetriedAndCapped() async throws {
        let f = try Self.fixture(perCondition: 1)
        defer { f.remove() }
        let server = try await StandInServer.start()
        server.respond { _, _ in .status(400, message: "scripted permanent failure") }
        let endpoint = try EndpointConfig.adHoc(baseURL: server.baseURL, model: "stand-in", provider: .openai)
        let client = JudgeClient(endpoint: endpoint, apiKey: nil, retryPolicy: RetryPolicy(maxAttempts: 1))
        for round in 1...3 {
            let p = try plan(f, model: "stand-in")
            #expect(p.items.count == 4, "round \(round): failed images stay pending")
            let summary = try await JudgeRunner(store: f.store, client: client).run(p)
            #expect(summary.failed == 4 && summary.judged == 0)
            #expect(summary.failures.allSatisfy { $0.contains("400") || $0.contains("scripted") }, "\(summary.failures)")
        }
        let capped = try plan(f, model: "stand-in")
        #expect(capped.items.isEmpty && capped.heldBack.count == 4, "after 3 failures an image waits for --retry-failed")
        server.respond { _, _ in .verdicts() }
        let retry = try plan(f, model: "stand-in", retryFailed: true)
        #expect(retry.items.count == 4)
        let summary = try await JudgeRunner(store: f.store, client: client).run(retry)
        #expect(summary.judged == 4)
        #expect(try plan(f, model: "stand-in", retryFailed: true).items.isEmpty)
        await server.stop()
    }

    /// The same failure on image after image trips the circuit: the run stops and says so, and does not
    /// call it a quota (a quota error is the provider's own word for it).
    @Test func aFailingEndpointStopsTheRunAsRepeatedFailures() async throws {
        let f = try Self.fixture(perCondition: 2)
        defer { f.remove() }
        let server = try await StandInServer.start()
        server.respond { _, _ in .status(404, message: "no such model") }
        var endpoint = try EndpointConfig.adHoc(baseURL: server.baseURL, model: "stand-in", provider: .openai)
        endpoint.maxInFlight = 1
        let client = JudgeClient(endpoint: endpoint, apiKey: nil, retryPolicy: RetryPolicy(maxAttempts: 1),
                                 circuit: FailureCircuit(threshold: 3))
        let summary = try await JudgeRunner(store: f.store, client: client).run(try plan(f, model: "stand-in"))
        #expect(summary.stoppedBecause == "repeated-failures" && summary.failed == 3, "\(summary)")
        server.respond { _, _ in .quotaExceeded }
        let quota = try await JudgeRunner(store: f.store, client: JudgeClient(endpoint: endpoint, apiKey: nil))
            .run(try plan(f, model: "stand-in"))
        #expect(quota.stoppedBecause == "quota", "\(quota)")
        await server.stop()
    }

    @Test func maxCostStopsLaunchingNewRequests() async throws {
        let f = try Self.fixture(perCondition: 2)
        defer { f.remove() }
        let server = try await SimulatorServer.start(settings: try SimulatorSettings())
        var endpoint = try EndpointConfig.adHoc(baseURL: server.baseURL, model: SimulatorServer.modelName, provider: .openai)
        endpoint.maxInFlight = 1
        endpoint.inputPricePerToken = 0.001
        let summary = try await JudgeRunner(store: f.store, client: JudgeClient(endpoint: endpoint, apiKey: nil))
            .run(try plan(f, model: endpoint.model), maxCost: 0.0001)
        #expect(summary.stoppedBecause == "max-cost")
        #expect(summary.judged == 1)
        #expect(try plan(f, model: endpoint.model).items.count == 7, "the rest stays pending")
        await server.stop()
    }

    @Test func secondRunOnTheSameStoreIsLockedOutThroughLinksToo() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rounds-lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("x.sqlite").path
        // Created and closed first, so its WAL is checkpointed: SQLite names the WAL after the path used,
        // so a hard link must not be opened while another name has unwritten frames (sqlite.org/howtocorrupt.html §2.5).
        do { _ = try Store(path: db) }
        let store = try Store(path: db)
        let symlink = folder.appendingPathComponent("symlinked.sqlite").path
        let hardLink = folder.appendingPathComponent("hard-linked.sqlite").path
        try FileManager.default.createSymbolicLink(atPath: symlink, withDestinationPath: db)
        try FileManager.default.linkItem(atPath: db, toPath: hardLink)
        var lock: JudgeRunLock? = try JudgeRunLock(store: store)
        for other in [db, symlink, folder.path + "/./x.sqlite"] {
            #expect { try JudgeRunLock(store: try Store(path: other)) } throws: {
                "\($0)".contains("another rounds judge run")
            }
        }
        // Through a hard link SQLite itself refuses to open the file while the other name has it open
        // (its WAL is named after the path); either way no second run starts.
        #expect { try JudgeRunLock(store: try Store(path: hardLink)) } throws: {
            "\($0)".contains("another rounds judge run") || "\($0)".contains("disk I/O error")
        }
        _ = lock
        lock = nil
        #expect(throws: Never.self) { _ = try JudgeRunLock(store: try Store(path: symlink)) }
    }
}
