import Foundation
import Testing

/// `rounds bench engine` reports the OpenBLAS kernels it ran: the engine's AVX-512 default, or
/// OpenBLAS's own choice with `ROUNDS_BLAS_KERNEL=openblas`.
@Suite struct BenchEngineCLITests {
    private static let quick = ["bench", "engine", "--json", "--skip-training-step", "--seconds", "0.001"]

    private static func core(_ result: CLIRunner.Result) throws -> String {
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        return try #require(doc["blasCore"] as? String, "\(result.stdout.prefix(300))")
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
}
