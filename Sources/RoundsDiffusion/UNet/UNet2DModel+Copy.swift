import RoundsTensor

extension UNet2DModel {
    /// A new UNet with the same config and a copy of these weights (tensors are values, so later
    /// training of either leaves the other as it was).
    public func copy() -> UNet2DModel {
        var rng = PCG32(seed: 0)
        let unet = UNet2DModel(config: config, rng: &rng)
        let source = Dictionary(uniqueKeysWithValues: namedParameters().map { ($0.name, $0.parameter) })
        for (name, p) in unet.namedParameters() { p.value = source[name]!.value }
        return unet
    }
}
