import Foundation
import RoundsCore
import RoundsTensor

/// The safetensors files of one pipeline component (`unet/`, `vae/`, `text_encoder/`) and which file
/// holds each tensor: one file, or shards listed by `<base>.safetensors.index.json`; the full-precision
/// names first, then a variant (`<base>.fp16.safetensors`, as `save_pretrained(variant="fp16")` writes).
struct ComponentWeights {
    let directory: String
    /// The file names (relative to `directory`) in use, for `model info`.
    let files: [String]
    /// The variant read (`fp16`), nil for the plain files.
    let variant: String?
    private let readers: [String: SafetensorsReader]
    /// Tensor name -> file name.
    private let owner: [String: String]

    /// Finds the weights named `base` (`diffusion_pytorch_model`, `model`) in `directory`; `variant`
    /// forces one (`fp16`), otherwise plain files are preferred and a single variant is accepted.
    init(directory: String, base: String, variant requested: String? = nil) throws(DiffusionError) {
        self.directory = directory
        let fm = FileManager.default
        let listing = ((try? fm.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        guard fm.fileExists(atPath: directory) else {
            throw DiffusionError(.io, "\(directory): missing component folder")
        }
        func candidates(_ v: String?) -> (single: String, index: [String]) {
            let single = v.map { "\(base).\($0).safetensors" } ?? "\(base).safetensors"
            let index = v.map { ["\(base).safetensors.index.\($0).json", "\(base).\($0).safetensors.index.json"] }
                ?? ["\(base).safetensors.index.json"]
            return (single, index)
        }
        var variants: [String?] = []
        if let requested { variants = [requested] } else {
            variants = [nil]
            let found = Set(listing.compactMap { name -> String? in
                guard name.hasPrefix(base + "."), name.hasSuffix(".safetensors") else { return nil }
                let middle = name.dropFirst(base.count + 1).dropLast(".safetensors".count)
                return middle.isEmpty || middle.contains(".") ? nil : String(middle)
            } + listing.compactMap { name -> String? in
                guard name.hasPrefix(base + ".safetensors.index."), name.hasSuffix(".json") else { return nil }
                let middle = name.dropFirst(base.count + ".safetensors.index.".count).dropLast(".json".count)
                return middle.isEmpty ? nil : String(middle)
            })
            variants += found.sorted().map { Optional($0) }
        }
        for v in variants {
            let (single, indexes) = candidates(v)
            if listing.contains(single) {
                let reader = try Self.open(directory, single)
                self.files = [single]
                self.variant = v
                self.readers = [single: reader]
                self.owner = Dictionary(uniqueKeysWithValues: reader.entries.keys.map { ($0, single) })
                return
            }
            if let index = indexes.first(where: listing.contains) {
                let (files, owner) = try Self.readIndex(directory, index)
                var readers: [String: SafetensorsReader] = [:]
                for f in files { readers[f] = try Self.open(directory, f) }
                for (tensor, file) in owner where readers[file]!.entries[tensor] == nil {
                    throw DiffusionError(.invalidConfig, "\(directory)/\(index): weight_map puts '\(tensor)' in \(file), which does not hold it")
                }
                self.files = [index] + files
                self.variant = v
                self.readers = readers
                self.owner = owner
                return
            }
        }
        let pickles = listing.filter { $0.hasSuffix(".bin") || $0.hasSuffix(".ckpt") || $0.hasSuffix(".pt") }
        throw DiffusionError(.io, "\(directory): no \(base).safetensors (or sharded index, or a variant such as \(base).fp16.safetensors)"
            + (pickles.isEmpty ? "" : "; found \(pickles.joined(separator: ", ")): Rounds reads safetensors only (PyTorch pickles can run code); convert with diffusers' save_pretrained(safe_serialization=True)"))
    }

    private static func open(_ directory: String, _ file: String) throws(DiffusionError) -> SafetensorsReader {
        do { return try SafetensorsReader(contentsOfFile: directory + "/" + file) } catch {
            throw DiffusionError(.io, "\(directory)/\(file): cannot read weights", cause: error)
        }
    }

    private static func readIndex(_ directory: String, _ index: String) throws(DiffusionError) -> ([String], [String: String]) {
        let path = directory + "/" + index
        let config = try ComponentConfig(path: path)
        guard let map = config.reader.object["weight_map"]?.objectValue else {
            throw DiffusionError(.invalidConfig, "\(path): weight_map: missing or not an object")
        }
        var owner: [String: String] = [:]
        for (tensor, file) in map {
            guard let f = file.stringValue, !f.contains("/"), !f.hasPrefix(".") else {
                throw DiffusionError(.invalidConfig, "\(path): weight_map.\(tensor): expected a file name in this folder, got \(file.canonicalString)")
            }
            owner[tensor] = f
        }
        return (Set(owner.values).sorted(), owner)
    }

    /// Every tensor name in the files.
    var tensorNames: [String] { owner.keys.sorted() }

    /// Sets every parameter of `module` from the files, one tensor at a time. `rename` maps a file's
    /// tensor name to the module's (nil drops it: buffers such as `position_ids`). Missing tensors,
    /// unexpected ones and shape mismatches are checked from the headers before anything is read, and
    /// reported naming the file and tensor; a NaN or infinite value is an error naming the tensor.
    func load(into module: any Module, rename: (String) -> String? = { $0 }) throws(DiffusionError) {
        var byModuleName: [String: String] = [:]
        for name in owner.keys {
            guard let m = rename(name) else { continue }
            byModuleName[m] = name
        }
        let params = module.namedParameters()
        var problems: [String] = []
        let known = Set(params.map(\.name))
        let missing = params.map(\.name).filter { byModuleName[$0] == nil }
        if !missing.isEmpty {
            problems.append("missing tensors (\(missing.count)): \(missing.prefix(12).joined(separator: ", "))\(missing.count > 12 ? ", …" : "")")
        }
        let unexpected = byModuleName.keys.filter { !known.contains($0) }.sorted()
        if !unexpected.isEmpty {
            let shown = unexpected.prefix(12).map { "\(byModuleName[$0]!) in \(owner[byModuleName[$0]!]!)" }
            problems.append("tensors the model does not have (\(unexpected.count)): \(shown.joined(separator: ", "))\(unexpected.count > 12 ? ", …" : "")")
        }
        for (name, p) in params {
            guard let fileName = byModuleName[name], let file = owner[fileName], let e = readers[file]!.entries[fileName] else { continue }
            if e.shape != p.shape {
                problems.append("\(directory)/\(file): tensor '\(fileName)': expected shape \(p.shape), file has \(e.shape)")
            }
        }
        if !problems.isEmpty {
            throw DiffusionError(.shapeMismatch, "\(directory): weights do not fit the configured model: \(problems.joined(separator: "; "))")
        }
        for (name, p) in params {
            let fileName = byModuleName[name]!, file = owner[fileName]!
            let t: Tensor
            do { t = try readers[file]!.tensor(fileName) } catch {
                throw DiffusionError(.io, "\(directory)/\(file): tensor '\(fileName)'", cause: error)
            }
            if let bad = t.scalars.firstIndex(where: { !$0.isFinite }) {
                throw DiffusionError(.invalidConfig, "\(directory)/\(file): tensor '\(fileName)' holds \(t.scalars[bad]) at element \(bad); the weights are damaged")
            }
            p.value = t
        }
    }

    /// The dtype of the files' floating-point tensors (the first tensor's), for `model info`.
    var storedDType: String {
        guard let name = owner.keys.sorted().first, let file = owner[name] else { return "?" }
        return readers[file]!.entries[name]!.dtype.rawValue
    }
}
