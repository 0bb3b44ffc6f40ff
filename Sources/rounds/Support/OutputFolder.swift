import ArgumentParser
import Foundation

/// Output folders of the commands that save a model (`finetune`, `classifier train`, `reward train`).
enum OutputFolder {
    /// A usage error, before any work, when `out` already holds a model (`manifest` is its marker file):
    /// overwriting it would change the weights under a checkpoint the store already records.
    static func refuseExistingModel(_ out: String, manifest: String) throws {
        let marker = URL(fileURLWithPath: out).appendingPathComponent(manifest).path
        if FileManager.default.fileExists(atPath: marker) {
            throw ValidationError("--out: \(marker): a model is already there (the store may record it); choose another --out")
        }
    }
}
