extension SkinTone {
    /// The band whose base colour is nearest to `color` (Euclidean in sRGB): the tone band of an image
    /// whose skin was measured from pixels, e.g. a generated one.
    public static func nearest(to color: RGB) -> SkinTone {
        func d(_ t: SkinTone) -> Float {
            let c = t.baseColor
            return (c.r - color.r) * (c.r - color.r) + (c.g - color.g) * (c.g - color.g) + (c.b - color.b) * (c.b - color.b)
        }
        return allCases.min { d($0) < d($1) }!
    }
}
