import Foundation
import Testing
@testable import RoundsTensor

/// A tiny diffusers-shaped tree: `conv_in`, `down_blocks.N.resnets.M.{norm1,conv1}`, `time_embedding.linear_1`.
final class TinyResnet: Module {
    let norm1: GroupNorm, conv1: Conv2d
    init(_ c: Int, rng: inout PCG32) {
        norm1 = GroupNorm(groups: 2, channels: c)
        conv1 = Conv2d(c, c, kernel: 3, padding: 1, rng: &rng)
    }
    var children: [(String, any Module)] { [("norm1", norm1), ("conv1", conv1)] }
    func callAsFunction(_ x: Tensor) -> Tensor { x + conv1(norm1(x).silu()) }
}

final class TinyBlock: Module {
    let resnets: ModuleList
    init(_ c: Int, rng: inout PCG32) { resnets = ModuleList([TinyResnet(c, rng: &rng), TinyResnet(c, rng: &rng)]) }
    var children: [(String, any Module)] { [("resnets", resnets)] }
    func callAsFunction(_ x: Tensor) -> Tensor {
        resnets.modules.reduce(x) { h, m in (m as! TinyResnet)(h) }
    }
}

final class TinyNet: Module {
    let convIn: Conv2d, down: ModuleList, temb: Linear
    init(rng: inout PCG32) {
        convIn = Conv2d(3, 4, kernel: 3, padding: 1, rng: &rng)
        down = ModuleList([TinyBlock(4, rng: &rng)])
        temb = Linear(8, 4, rng: &rng)
    }
    var children: [(String, any Module)] { [("conv_in", convIn), ("down_blocks", down), ("time_embedding.linear_1", temb)] }
    func callAsFunction(_ x: Tensor, t: [Float]) -> Tensor {
        let e = temb(Tensor.timestepEmbedding(t, dim: 8, flipSinToCos: true, downscaleFreqShift: 0)).silu()
        let h = convIn(x) + e.reshaped([x.shape[0], 4, 1, 1])
        return (down.modules[0] as! TinyBlock)(h)
    }
}

@Suite struct ModuleTests {
    @Test func dottedNamesFollowDiffusers() {
        var rng = PCG32(seed: 1)
        let names = TinyNet(rng: &rng).namedParameters().map(\.name)
        #expect(names.contains("down_blocks.0.resnets.1.conv1.weight"))
        #expect(names.contains("down_blocks.0.resnets.0.norm1.bias"))
        #expect(names.contains("time_embedding.linear_1.weight"))
        #expect(names.first == "conv_in.weight")
        #expect(names.count == 2 + 2 * 4 + 2)
    }

    @Test func saveAndLoadAreBitExact() throws {
        var rng = PCG32(seed: 2)
        let a = TinyNet(rng: &rng), b = TinyNet(rng: &rng)
        let path = NSTemporaryDirectory() + "rounds-tiny-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try a.saveSafetensors(to: path)
        try b.loadSafetensors(at: path)
        for ((n1, p1), (_, p2)) in zip(a.namedParameters(), b.namedParameters()) {
            #expect(p1.value.scalars.map(\.bitPattern) == p2.value.scalars.map(\.bitPattern), "\(n1)")
        }
    }

    /// Damaged weights (NaN, infinity) are refused at load, naming the file and the tensor, and the
    /// module keeps its weights.
    @Test func nonFiniteWeightsAreRefusedAtLoad() throws {
        var rng = PCG32(seed: 4)
        let net = TinyNet(rng: &rng)
        var state = net.stateDict()
        var damaged = state["conv_in.weight"]!.scalars
        damaged[3] = .nan
        state["conv_in.weight"] = Tensor(shape: state["conv_in.weight"]!.shape, scalars: damaged)
        let path = NSTemporaryDirectory() + "rounds-nan-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Safetensors.write(state, to: path)
        let before = net.convIn.weight.value.scalars
        let e = #expect(throws: TensorError.self) { try net.loadSafetensors(at: path) }
        #expect(e?.code == .invalidFile)
        #expect(e?.message == "\(path): tensor 'conv_in.weight' holds nan at element 3; the weights are damaged "
                + "(a diverged training run, or a broken copy)")
        #expect(net.convIn.weight.value.scalars == before)
    }

    @Test func loadListsAllMissingAndUnexpectedKeysAtOnce() throws {
        var rng = PCG32(seed: 3)
        let net = TinyNet(rng: &rng)
        var state = net.stateDict()
        state["conv_in.weight"] = nil
        state["down_blocks.0.resnets.1.conv1.bias"] = nil
        state["mid_block.attentions.0.to_q.weight"] = Tensor.zeros([4, 4])
        state["conv_out.weight"] = Tensor.zeros([1])
        state["time_embedding.linear_1.bias"] = Tensor.zeros([5])
        let before = net.convIn.bias!.value.scalars
        let e = #expect(throws: TensorError.self) { try net.load(state, source: "unet.safetensors") }
        let m = e?.description ?? ""
        #expect(e?.code == .keyMismatch)
        #expect(m.hasPrefix("unet.safetensors: "))
        #expect(m.contains("missing keys (2): conv_in.weight, down_blocks.0.resnets.1.conv1.bias"))
        #expect(m.contains("unexpected keys (2): conv_out.weight, mid_block.attentions.0.to_q.weight"))
        #expect(m.contains("time_embedding.linear_1.bias: expected shape [4], file has [5]"))
        #expect(net.convIn.bias!.value.scalars == before, "a failed load must not change the model")
    }

    @Test func valueSemanticsCopyOnWrite() {
        let a = Tensor(shape: [3], scalars: [1, 2, 3])
        var b = a
        b.withUnsafeMutableScalars { $0[0] = 9 }
        #expect(a.scalars == [1, 2, 3])
        #expect(b.scalars == [9, 2, 3])
    }
}
