import Foundation
import RoundsCore
import RoundsTensor

/// Adapter files: diffusers' `pytorch_lora_weights.safetensors` (what `load_lora_weights` reads) and
/// kohya-ss sd-scripts files in; diffusers' format out.
extension LoRASet {
    /// The file name diffusers' `save_lora_weights` writes and `load_lora_weights` looks for in a folder.
    public static let fileName = "pytorch_lora_weights.safetensors"

    /// Attaches the adapters of `path` (a file, or a folder holding `pytorch_lora_weights.safetensors`) to
    /// `pipeline`. Alpha comes from kohya's `.alpha` tensors or diffusers' `lora_adapter_metadata`, else it
    /// equals the rank (scale 1, as diffusers assumes).
    ///
    /// - Throws: one error naming the file and listing every problem: unknown layers, shapes that do not fit
    ///   the pipeline, a down without its up, non-finite values, adapter kinds Rounds does not implement.
    ///   Nothing is attached unless the whole file fits.
    public static func load(_ path: String, into pipeline: StableDiffusionPipeline) throws(DiffusionError) -> LoRASet {
        try load(path, unet: pipeline.unet, textEncoder: pipeline.textEncoder)
    }

    static func load(_ path: String, unet: UNet2DConditionModel, textEncoder: CLIPTextModel) throws(DiffusionError) -> LoRASet {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DiffusionError(.io, "\(path): no such adapter file or folder")
        }
        let file = isDirectory.boolValue ? path + "/" + fileName : path
        let reader: SafetensorsFile
        do { reader = try SafetensorsFile(contentsOfFile: file) } catch {
            throw DiffusionError(error.code == .io ? .io : .invalidConfig, "\(file): not a readable safetensors file: \(error.message)")
        }
        let defaults = try metadataAlpha(reader.metadata, file: file)
        var problems: [String] = []
        var parts: [LoRAKey: Tensor] = [:]
        for name in reader.names {
            let (key, unsupported) = LoRAKey.parse(name)
            if let unsupported {
                problems.append("\(name): '\(unsupported)' adapters are not supported (Rounds reads LoRA for SD 1.x/2.x)")
                continue
            }
            guard let key else { problems.append("\(name): not a LoRA tensor name Rounds knows"); continue }
            do {
                let t = try reader.tensor(name)
                if let bad = t.scalars.firstIndex(where: { !$0.isFinite }) {
                    problems.append("\(name): holds \(t.scalars[bad]) at element \(bad)")
                } else { parts[key] = t }
            } catch { problems.append("\(name): \(error.message)") }
        }
        let hosts: [LoRASet.Component: [String: any Module]] = [.unet: adaptable(unet), .textEncoder: adaptable(textEncoder)]
        var resolved: [String: (component: LoRASet.Component, path: String, down: Tensor?, up: Tensor?, alpha: Float?)] = [:]
        for (key, t) in parts {
            let path: String?
            switch key.layer {
            case .path(let p): path = hosts[key.component]![p] != nil ? p : nil
            case .underscored(let u): path = hosts[key.component]!.keys.first { $0.replacingOccurrences(of: ".", with: "_") == u }
            }
            guard let path else {
                let shown: String = { if case .path(let p) = key.layer { return p }; if case .underscored(let u) = key.layer { return u }; return "" }()
                problems.append("\(shown): names no adaptable layer of the \(key.component == .unet ? "UNet" : "text encoder")")
                continue
            }
            let id = key.component.rawValue + ":" + path
            var r = resolved[id] ?? (key.component, path, nil, nil, nil)
            switch key.part {
            case .down: r.down = t
            case .up: r.up = t
            case .alpha:
                guard t.count == 1 else { problems.append("\(path): alpha has \(t.count) values, expected 1"); continue }
                r.alpha = t.scalars[0]
            }
            resolved[id] = r
        }
        var planned: [(LoRASet.Component, String, any Module, LoRAAdapter)] = []
        for id in resolved.keys.sorted() {
            let r = resolved[id]!
            guard let down = r.down, let up = r.up else {
                problems.append("\(r.path): has a \(r.down == nil ? "up" : "down") weight without its \(r.down == nil ? "down" : "up")")
                continue
            }
            let host = hosts[r.component]![r.path]!
            let (inF, outF) = host is Linear ? ((host as! Linear).inFeatures, (host as! Linear).outFeatures)
                : ((host as! Conv2d).weight.shape[1], (host as! Conv2d).weight.shape[0])
            let d = flatten(down), u = flatten(up)
            guard d.rank == 2, u.rank == 2, d.shape[1] == inF, u.shape[0] == outF, u.shape[1] == d.shape[0] else {
                problems.append("\(r.path): down \(down.shape) and up \(up.shape) do not fit a \(inF)->\(outF) layer")
                continue
            }
            let rank = d.shape[0]
            let alpha = r.alpha ?? defaults[r.component] ?? Float(rank)
            guard alpha.isFinite, alpha > 0 else { problems.append("\(r.path): alpha \(alpha)"); continue }
            planned.append((r.component, r.path, host, LoRAAdapter(down: d, up: u, alpha: alpha)))
        }
        if planned.isEmpty && problems.isEmpty { problems.append("no LoRA tensors") }
        for (_, path, host, _) in planned where (host as? Linear)?.adapter != nil || (host as? Conv2d)?.adapter != nil {
            problems.append("\(path): already has an adapter (one adapter per pipeline)")
        }
        guard problems.isEmpty else {
            let shown = problems.prefix(8).joined(separator: "; ") + (problems.count > 8 ? "; … \(problems.count - 8) more" : "")
            throw DiffusionError(.invalidConfig, "\(file): the adapter does not fit this pipeline: \(shown)")
        }
        var entries: [Entry] = []
        for (component, path, host, adapter) in planned {
            if let l = host as? Linear { l.adapter = adapter } else if let c = host as? Conv2d { c.adapter = adapter }
            entries.append(Entry(component: component, path: path, adapter: adapter, host: host))
        }
        return LoRASet(entries: entries)
    }

    /// Writes the UNet adapters in diffusers' format: `unet.<path>.lora.down.weight`/`.lora.up.weight`
    /// (F32) and `lora_adapter_metadata` with rank, alpha and targets, which `load_lora_weights` reads
    /// for the scale. Atomic; `metadata` adds string entries (lineage).
    public func save(to path: String, metadata: [String: String] = [:]) throws(DiffusionError) {
        guard let shape = uniformShape else {
            throw DiffusionError(.unsupported, "\(path): adapters of mixed rank or alpha cannot be written in diffusers' format")
        }
        guard entries.allSatisfy({ $0.component == .unet && $0.host is Linear }) else {
            throw DiffusionError(.unsupported, "\(path): Rounds writes UNet linear-layer adapters only (this set holds text-encoder or convolution adapters)")
        }
        let targets = Set(entries.map { e in
            (LoRAConfig.attentionTargets + LoRAConfig.feedForwardTargets).first { e.path.hasSuffix("." + $0) } ?? e.path
        }).sorted()
        let peft: JSONValue = [
            "unet.r": .number(Double(shape.rank)), "unet.lora_alpha": .number(Double(shape.alpha)),
            "unet.target_modules": .array(targets.map { .string($0) }), "unet.peft_type": "LORA",
        ]
        var meta = metadata
        meta["format"] = "pt"
        meta["lora_adapter_metadata"] = peft.canonicalString
        do { try Safetensors.write(stateDict(), metadata: meta, to: path) } catch {
            throw DiffusionError(.io, "\(path): cannot write the adapter: \(error.message)")
        }
    }

    /// `lora_adapter_metadata` (peft's config per component, prefixed `unet.`/`text_encoder.`): the alpha.
    private static func metadataAlpha(_ metadata: [String: String], file: String) throws(DiffusionError) -> [LoRASet.Component: Float] {
        guard let text = metadata["lora_adapter_metadata"] else { return [:] }
        let json: JSONValue
        do { json = try JSONValue(parsing: text) } catch {
            throw DiffusionError(.invalidConfig, "\(file): lora_adapter_metadata is not valid JSON")
        }
        var out: [LoRASet.Component: Float] = [:]
        for component in [LoRASet.Component.unet, .textEncoder] {
            let p = component.rawValue + "."
            if let pattern = json[p + "alpha_pattern"]?.objectValue, !pattern.isEmpty {
                throw DiffusionError(.unsupported, "\(file): lora_adapter_metadata \(p)alpha_pattern (per-layer alpha) is not supported")
            }
            if let a = json[p + "lora_alpha"]?.doubleValue { out[component] = Float(a) }
            if json[p + "use_dora"]?.boolValue == true || json[p + "use_rslora"]?.boolValue == true {
                throw DiffusionError(.unsupported, "\(file): lora_adapter_metadata asks for DoRA or rsLoRA, which Rounds does not implement")
            }
        }
        return out
    }

    /// Linear layers and 1x1 convolutions of `module` by dotted path.
    private static func adaptable(_ module: any Module) -> [String: any Module] {
        var out: [String: any Module] = [:]
        for (path, m) in module.namedModules() {
            if m is Linear { out[path] = m }
            if let c = m as? Conv2d, c.weight.shape[2] == 1, c.weight.shape[3] == 1 { out[path] = m }
        }
        return out
    }

    /// kohya stores a 1x1 convolution's adapter as `[r, in, 1, 1]` / `[out, r, 1, 1]`.
    private static func flatten(_ t: Tensor) -> Tensor {
        t.rank == 4 && t.shape[2] == 1 && t.shape[3] == 1 ? Tensor(shape: [t.shape[0], t.shape[1]], scalars: t.scalars) : t
    }
}
