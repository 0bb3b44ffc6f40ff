import Foundation
import RoundsCore

extension StableDiffusionPipeline {
    /// The files that define what this pipeline computes, relative to its folder: `model_index.json`,
    /// each component's configuration, the tokenizer's files and the weight files that were read.
    public var definingFiles: [String] {
        var files = ["model_index.json", "scheduler/scheduler_config.json", "text_encoder/config.json", "unet/config.json",
                     "vae/config.json"]
        for name in ["vocab.json", "merges.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]
        where FileManager.default.fileExists(atPath: "\(directory)/tokenizer/\(name)") {
            files.append("tokenizer/\(name)")
        }
        for w in weightFiles { files += w.files.map { "\(w.component)/\($0)" } }
        return files.sorted()
    }

    /// The pipeline's content hash: lowercase hex SHA-256 of the lines `<relative path> <sha256 of the file>`
    /// over `definingFiles` in order. Copying or moving the folder keeps it; changing any weight, config
    /// or tokenizer file changes it. Files are read in 4 MB blocks (a 4 GB checkpoint is not held in memory).
    public func contentHash() throws(DiffusionError) -> String {
        var manifest = ""
        for file in definingFiles {
            manifest += "\(file) \(try Self.fileSHA256(directory + "/" + file))\n"
        }
        return SHA256.hex(manifest)
    }

    static func fileSHA256(_ path: String) throws(DiffusionError) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DiffusionError(.io, "\(path): cannot read to hash")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let block: Data
            do { block = try handle.read(upToCount: 4 << 20) ?? Data() } catch {
                throw DiffusionError(.io, "\(path): read failed while hashing", cause: error)
            }
            if block.isEmpty { break }
            block.withUnsafeBytes { hasher.update($0) }
        }
        return hasher.hexDigest()
    }
}
