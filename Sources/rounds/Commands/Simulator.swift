import ArgumentParser
import Foundation
import RoundsSimulator

/// `rounds simulator --port P`: the offline judge, an OpenAI-protocol server on loopback.
struct SimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulator",
        abstract: "Serve the SIMULATOR judge (not a clinical model) on 127.0.0.1 over the OpenAI protocol.",
        discussion: """
            The simulator answers checklist prompts about the procedural benchmark's images (see \
            `rounds dataset synth`) by measuring each criterion from the pixels, then flips or blurs \
            verdicts at the configured rates, and prefers the first-shown image of a tied pair with the \
            configured position bias, to behave like a fallible multimodal LLM. Its model name is \
            `rounds-simulator`, so every judgment made with it says so. It only knows the synthetic \
            domain's criteria and refuses others. Point `rounds judge` at it with \
            --base-url http://127.0.0.1:PORT/v1 --model rounds-simulator --provider openai.
            """
    )

    @Option(help: "Port on 127.0.0.1 (0 lets the system choose; the chosen one is printed).")
    var port: UInt16 = 8089

    @Option(help: "Probability that a verdict is flipped (met <-> not met).")
    var flipRate = 0.05

    @Option(help: "Probability that a criterion is answered uncertain.")
    var uncertainRate = 0.02

    @Option(help: "Probability of preferring the first-shown image of a tied pair.")
    var positionBias = 0.3

    @Option(help: "Seed of the simulator's noise.")
    var seed: UInt64 = 7

    @Flag(help: "Log one line per request on stderr.")
    var verbose = false

    func validate() throws {
        do { _ = try settings() } catch { throw ValidationError(error.message) }
    }

    private func settings() throws(SimulatorError) -> SimulatorSettings {
        try SimulatorSettings(flipRate: flipRate, uncertainRate: uncertainRate, positionBias: positionBias, seed: seed)
    }

    func run() async throws {
        let settings = try settings()
        let verbose = self.verbose
        let server: SimulatorServer
        do {
            server = try await SimulatorServer.start(settings: settings, port: port) { line in
                if verbose { Console.error(line) }
            }
        } catch { throw failWithError(error) }
        Console.error("rounds simulator judge (a simulator, not a clinical model) listening; "
            + "flip rate \(flipRate), uncertain rate \(uncertainRate), position bias \(positionBias). Ctrl-C stops it.")
        FileHandle.standardOutput.write(Data((server.baseURL + "\n").utf8))
        await server.wait()
    }
}
