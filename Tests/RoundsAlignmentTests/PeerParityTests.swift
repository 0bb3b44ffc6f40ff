import Foundation
import RoundsAlignment
import Testing

/// Runs the `prdc` package on the same files and compares to 1e-4 (CLI.md's contract for `metrics prdc`).
@Suite struct PeerParityTests {
    @Test(.enabled(if: TestFixtures.pythonWithPRDC, "python3 with prdc, scikit-learn and numpy not found; pip install prdc"))
    func matchesThePRDCPackageRunInThisProcess() throws {
        var rng = SplitMix64(seed: 77)
        let real = try FeatureMatrix(rows: 300, columns: 24, values: rng.normals(300 * 24), name: "real")
        let fake = try FeatureMatrix(rows: 250, columns: 24, values: rng.normals(250 * 24, mean: 0.2, sd: 0.9), name: "fake")
        let realPath = TestFixtures.temporaryFile("real.npy")
        let fakePath = TestFixtures.temporaryFile("fake.npy")
        try NPYWriter.data(real).write(to: URL(fileURLWithPath: realPath))
        try NPYWriter.data(fake).write(to: URL(fileURLWithPath: fakePath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TestFixtures.peerScript, realPath, fakePath, "--k", "4", "--no-nn"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let peer = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let ours = try PRDC.compute(real: FeatureFile.load(realPath), fake: FeatureFile.load(fakePath), k: 4)
        #expect(abs(ours.precision - (peer["precision"] as? Double ?? -1)) < 1e-4)
        #expect(abs(ours.recall - (peer["recall"] as? Double ?? -1)) < 1e-4)
        #expect(abs(ours.density - (peer["density"] as? Double ?? -1)) < 1e-4)
        #expect(abs(ours.coverage - (peer["coverage"] as? Double ?? -1)) < 1e-4)
    }
}
