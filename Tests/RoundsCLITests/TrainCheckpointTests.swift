import Foundation
import Testing

/// `rounds train --checkpoint-every`: each periodic checkpoint stays on disk and in the store, chained by parent.
@Suite struct TrainCheckpointTests {
    @Test func periodicCheckpointsAreKeptAndChained() throws {
        let w = try DiffusionCLITests.Workspace()
        let r = try w.train(out: "model", steps: 4, extra: ["--seed", "3", "--checkpoint-every", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try DiffusionCLITests.object(r.stdout)
        let checkpoints = try #require(summary["checkpoints"] as? [[String: Any]])
        #expect(checkpoints.count == 2, "step 2 and the final step 4: \(checkpoints)")
        let first = try #require(checkpoints.first), last = try #require(checkpoints.last)
        #expect((first["path"] as? String)?.hasSuffix("model/checkpoints/step-2") == true, "\(first)")
        #expect(first["parent_id"] is NSNull)
        #expect(last["parent_id"] as? Int == first["id"] as? Int)
        #expect(summary["checkpoint_id"] as? Int == last["id"] as? Int)
        #expect(summary["parent_checkpoint_id"] as? Int == first["id"] as? Int)
        for file in ["unet/diffusion_pytorch_model.safetensors", "rounds.json", "scheduler/scheduler_config.json"] {
            #expect(FileManager.default.fileExists(atPath: w.path("model/checkpoints/step-2/\(file)")), "\(file)")
        }
        // The step-2 model is a model directory of its own: sampling from it records it as its checkpoint.
        let s = try w.run(["sample", "--model", w.path("model/checkpoints/step-2"), "--condition", "a", "-n", "1",
                           "--steps", "2", "--seed", "1", "--out", w.path("samples"), "--json"])
        #expect(s.status == 0, "\(s.stderr)")
        #expect(try DiffusionCLITests.object(s.stdout)["checkpoint_id"] as? Int == first["id"] as? Int)
    }
}
