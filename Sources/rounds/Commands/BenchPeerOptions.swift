import ArgumentParser

/// How a benchmark finds and runs its PyTorch peer (`Benchmarks/peers/…`), shared by `bench diffusion`
/// and `bench engine`.
struct BenchPeerOptions: ParsableArguments {
    @Flag(help: "Skip the PyTorch peer.")
    var noPeer = false

    @Option(help: "The peer script (default: the command's script under Benchmarks/peers/, found from here or the binary).")
    var peerScript: String?

    @Option(help: "Python interpreter for the peer.")
    var python = "python3"

    func validate() throws {
        if noPeer && peerScript != nil { throw ValidationError("--no-peer and --peer-script contradict each other.") }
    }

    /// The script to run (`--peer-script`, else `Benchmarks/peers/<name>`), or the note saying why none runs.
    func script(_ name: String) -> Result<String, DiffusionPeer.Note> {
        if noPeer { return .failure(.init(message: "peer skipped (--no-peer)")) }
        guard let script = peerScript ?? BenchChildProcess.peerScript(name) else {
            return .failure(.init(message: "peer skipped: Benchmarks/peers/\(name) not found from here or the binary"))
        }
        return .success(script)
    }
}
