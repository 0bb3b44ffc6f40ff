import Foundation
import Testing

/// `rounds bench engine` reports the OpenBLAS kernels it ran: the engine's AVX-512 default, or
/// OpenBLAS's own choice with `ROUNDS_BLAS_KERNEL=openblas`.
@Suite struct BenchEngineCLITests {
    private static let quick = ["bench", "engine", "--json", "--skip-training-step", "--seconds", "0.001"]

    private static func core(_ result: CLIRunner.Result) throws -> String {
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        return try #require(doc["blas_core"] as? String, "\(result.stdout.prefix(300))")
    }

    private static var cpuFlags: Set<String> {
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
        return Set(line.split(separator: " ").map(String.init))
    }

    private static var avx512: Bool {
        cpuFlags.isSuperset(of: ["avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512cd"])
    }

    @Test func avx512IsTheDefaultEvenUnderAnAVX2CoreType() throws {
        let result = try CLIRunner.run(Self.quick, environment: ["OPENBLAS_CORETYPE": "Haswell", "ROUNDS_BLAS_KERNEL": "auto"])
        #expect(result.status == 0, "\(result.stderr)")
        let core = try Self.core(result)
        if Self.avx512 {
            #expect(core == "SkylakeX")
        } else {
            #expect(core != "SkylakeX", "SkylakeX kernels on a CPU without AVX-512")
        }
    }

    @Test func openblasKeepsItsOwnChoice() throws {
        try #require(Self.cpuFlags.contains("avx2"), "needs a CPU that runs OpenBLAS's Haswell kernels")
        let result = try CLIRunner.run(Self.quick, environment: ["OPENBLAS_CORETYPE": "Haswell", "ROUNDS_BLAS_KERNEL": "openblas"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Self.core(result) == "Haswell")
    }

    @Test func anUnknownSettingIsNamedAndTheDefaultUsed() throws {
        let result = try CLIRunner.run(Self.quick, environment: ["ROUNDS_BLAS_KERNEL": "fastest"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("ROUNDS_BLAS_KERNEL=fastest: expected auto or openblas"), "\(result.stderr)")
        if Self.avx512 { #expect(try Self.core(result) == "SkylakeX") }
    }

    /// The training step beside the peer of the same run: a stand-in peer (a shell script speaking the
    /// peer's JSON) gives the ratio, and `--profile` adds the op table of each step.
    @Test func trainingStepsCarryThePeersRatioAndAProfile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bench-engine-peer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("peer.sh").path
        try #"""
        case "$*" in *--json*--threads\ 2*) ;; *) echo "unexpected arguments: $*" >&2; exit 3 ;; esac
        echo '{"torch": "fake 0", "threads": 2, "results": [{"imageSize": 32, "batch": 8, "imagesPerSecond": 4.0},
          {"imageSize": 64, "batch": 4, "imagesPerSecond": 2.0}]}'
        """#.write(toFile: script, atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["bench", "engine", "--json", "--seconds", "0.001", "--threads", "2", "--profile",
                                        "--python", "/bin/sh", "--peer-script", script])
        #expect(result.status == 0, "\(result.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(doc["peer"] as? String == "torch fake 0", "\(doc["peer_note"] ?? "")")
        let steps = try #require(doc["training_steps"] as? [[String: Any]])
        #expect(steps.count == 2)
        for step in steps {
            let ours = try #require(step["images_per_second"] as? Double), peer = try #require(step["peer_images_per_second"] as? Double)
            let ratio = try #require(step["ratio"] as? Double)
            #expect(abs(ratio - ours / peer) < 1e-9)
            // the same operation count for both sides, so their shares of the peak differ as their rates do
            let share = try #require(step["fraction_of_peak"] as? Double), peerShare = try #require(step["peer_fraction_of_peak"] as? Double)
            #expect(share > 0 && abs(share / peerShare - ratio) < 1e-9)
            let profile = try #require(step["profile"] as? [String: Any])
            let entries = try #require(profile["entries"] as? [[String: Any]])
            #expect(entries.contains { ($0["op"] as? String)?.hasPrefix("conv2d 3x3 64->64") == true })
        }
    }

    @Test func noPeerAndAPeerScriptContradict() throws {
        let result = try CLIRunner.run(["bench", "engine", "--no-peer", "--peer-script", "x.py"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--no-peer and --peer-script contradict each other"), "\(result.stderr)")
    }
}
