/// One tensor name of an adapter file, parsed: which component, which layer, which part.
///
/// diffusers writes `unet.<path>.lora.down.weight` / `.lora.up.weight` (`convert_state_dict_to_diffusers`),
/// peft `…lora_A.weight` / `…lora_B.weight`, diffusers' text-encoder layers `…lora_linear_layer.down.weight`;
/// kohya-ss sd-scripts `lora_unet_<path with _>.lora_down.weight`, `.lora_up.weight` and `.alpha`, and
/// `lora_te_…` for the text encoder.
struct LoRAKey: Hashable {
    enum Part: Hashable { case down, up, alpha }
    enum Layer: Hashable {
        /// A dotted path inside the component.
        case path(String)
        /// kohya's underscored path, resolved against the component's layers later.
        case underscored(String)
    }
    var component: LoRASet.Component
    var layer: Layer
    var part: Part

    /// nil for a name that is no adapter tensor Rounds knows; `unsupported` is set for names of adapter
    /// kinds Rounds does not implement (SDXL's second text encoder, LoHa, LoKr, DoRA).
    static func parse(_ name: String) -> (key: LoRAKey?, unsupported: String?) {
        for marker in ["hada_", "lokr_", "dora_scale", "lora_te1_", "lora_te2_", "lora_mid.", "magnitude_vector"] where name.contains(marker) {
            return (nil, marker)
        }
        if name.hasPrefix("lora_unet_") || name.hasPrefix("lora_te_") {
            let component: LoRASet.Component = name.hasPrefix("lora_unet_") ? .unet : .textEncoder
            let rest = String(name.dropFirst(component == .unet ? "lora_unet_".count : "lora_te_".count))
            for (suffix, part) in [(".lora_down.weight", Part.down), (".lora_up.weight", .up), (".alpha", .alpha)] where rest.hasSuffix(suffix) {
                return (LoRAKey(component: component, layer: .underscored(String(rest.dropLast(suffix.count))), part: part), nil)
            }
            return (nil, nil)
        }
        var rest = name
        var component = LoRASet.Component.unet
        if rest.hasPrefix("unet.") { rest.removeFirst("unet.".count) } else if rest.hasPrefix("text_encoder.") {
            rest.removeFirst("text_encoder.".count)
            component = .textEncoder
            if rest.hasPrefix("text_model.") { rest.removeFirst("text_model.".count) }
        }
        let suffixes: [(String, Part)] = [
            (".lora.down.weight", .down), (".lora.up.weight", .up), (".lora_A.weight", .down), (".lora_B.weight", .up),
            (".lora_linear_layer.down.weight", .down), (".lora_linear_layer.up.weight", .up), (".alpha", .alpha),
        ]
        for (suffix, part) in suffixes where rest.hasSuffix(suffix) {
            return (LoRAKey(component: component, layer: .path(String(rest.dropLast(suffix.count))), part: part), nil)
        }
        return (nil, nil)
    }
}
