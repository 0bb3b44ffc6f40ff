extension UNet2DModel {
    /// A lower bound on the bytes one forward pass without gradients holds at once for a sample of
    /// `[N, C, H, W]`: the skip connections every down level keeps for the way up, a few working
    /// tensors at the widest level, and one `[H·W, H·W]` score matrix of the largest-resolution
    /// attention block (each attention worker holds one (sample, head) pair's scores at a time). Used to refuse, before any work, an input
    /// the machine cannot hold: a `[1, 3, 4000, 4000]` sample asks the attention of a default UNet
    /// for terabytes, and the allocator's failure would end the process with a backtrace.
    public func forwardMemoryEstimate(sampleShape: [Int]) -> Double {
        guard sampleShape.count == 4 else { return 0 }
        let c = config
        let (n, h, w) = (Double(sampleShape[0]), Double(sampleShape[2]), Double(sampleShape[3]))
        var bytes = 0.0
        var attention = 0.0
        for (level, channels) in c.blockOutChannels.enumerated() {
            let scale = Double(1 << level)
            let tokens = (h / scale) * (w / scale)
            bytes += 4 * n * Double(channels) * tokens * Double(c.layersPerBlock + 4)
            let hasAttention = c.downBlockTypes.indices.contains(level) && c.downBlockTypes[level] == .attention
                || (c.hasMidBlock && c.addAttention && level == c.blockOutChannels.count - 1)
            if hasAttention { attention = max(attention, 4 * tokens * tokens) }
        }
        return bytes + attention
    }
}
