import Foundation
import Testing

/// `rounds simulator`'s own failures: bad rates are usage errors, and a port in use ends it at once.
@Suite struct SimulatorCLITests {
    @Test func ratesOutsideZeroToOneAreUsageErrors() throws {
        for bad in [["--flip-rate", "2"], ["--position-bias", "1.5"], ["--uncertain-rate=-0.1"]] {
            let r = try CLIRunner.run(["simulator", "--port", "0"] + bad)
            #expect(r.status == 64, "\(bad): \(r.stderr)")
            #expect(r.stderr.contains("must lie in [0, 1]"), "\(bad): \(r.stderr)")
        }
        let demo = try CLIRunner.run(["demo", "--quick", "--out", "never-made", "--flip-rate", "2"], in: try CLIRunner.temporaryDirectory())
        #expect(demo.status == 64 && demo.stderr.contains("--flip-rate"), "\(demo.stderr)")
    }

    /// The second simulator on the same port stops with the reason within seconds, not after the
    /// two-minute listening timeout.
    @Test func aPortInUseIsAnErrorAtOnce() throws {
        let first = try SimulatorProcess()
        defer { first.stop() }
        let port = try #require(URL(string: first.baseURL)?.port)
        let started = Date()
        let second = try CLIRunner.run(["simulator", "--port", "\(port)"])
        #expect(second.status == 2, "\(second.stderr)")
        #expect(second.stderr.contains("could not listen on 127.0.0.1:\(port) (is the port in use?)"), "\(second.stderr)")
        #expect(Date().timeIntervalSince(started) < 60)
    }

    @Test func aBudgetMustBeAFinitePositiveAmount() throws {
        for value in ["nan", "inf", "0"] {
            let r = try CLIRunner.run(["judge", "--pending", "--max-cost", value, "--base-url", "http://127.0.0.1:9/v1",
                                       "--model", "m", "--provider", "openai", "--db", "unused.sqlite"],
                                      in: try CLIRunner.temporaryDirectory())
            #expect(r.status == 64 && r.stderr.contains("--max-cost must be a positive amount"), "\(value): \(r.stderr)")
        }
    }
}
