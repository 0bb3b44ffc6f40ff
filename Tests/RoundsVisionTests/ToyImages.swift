import Foundation
import RoundsTensor

/// A separable toy set: class k has a bright disc in channel k of an otherwise dark, noisy image (the
/// classes survive flips, so augmentation cannot confuse them). Chance is 1/3.
enum ToyImages {
    static let conditions = ["toy/red", "toy/green", "toy/blue"]
    static let size = 8

    static func make(perClass: Int, seed: UInt64) -> (images: [[Float]], labels: [Int]) {
        var rng = PCG32(seed: seed)
        var images: [[Float]] = [], labels: [Int] = []
        let s = size, plane = s * s
        for i in 0..<(perClass * conditions.count) {
            let k = i % conditions.count
            var x = rng.uniforms(3 * plane, low: -1, high: -0.4)
            let cx = 3.5 + Float(rng.nextUniform() - 0.5), cy = 3.5 + Float(rng.nextUniform() - 0.5)
            let r = 1.5 + 1.5 * rng.nextUniform()
            for y in 0..<s {
                for xx in 0..<s where (Float(xx) - cx) * (Float(xx) - cx) + (Float(y) - cy) * (Float(y) - cy) <= r * r {
                    x[k * plane + y * s + xx] = 0.6 + 0.4 * rng.nextUniform()
                }
            }
            images.append(x)
            labels.append(k)
        }
        return (images, labels)
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rounds-vision-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
