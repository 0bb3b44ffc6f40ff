import Foundation
import RoundsTensor

/// The starting noise x_T of `rounds sample --initial-noise FILE.safetensors`, so a run can be reproduced
/// exactly or compared with diffusers (deterministic DDIM from the same noise).
public enum InitialNoise {
    /// The tensor names tried, in order, when the file holds several tensors.
    public static let names = ["initial_noise", "noise", "latents"]

    /// Reads the noise for `shape` (`[N, C, H, W]`) from `path`: the tensor `initial_noise` (or `noise`,
    /// `latents`), else the file's only tensor; F32, F16 or BF16.
    ///
    /// - Throws: `.io` for an unreadable file; `.invalidArgument` when no tensor fits the names (listing
    ///   the file's tensors); `.shapeMismatch` naming the tensor with its shape and the expected one.
    public static func read(path: String, shape: [Int]) throws(DiffusionError) -> [Float] {
        let file: SafetensorsFile
        do { file = try SafetensorsFile(contentsOfFile: path) } catch {
            throw DiffusionError(error.code == .io ? .io : .invalidArgument, error.message)
        }
        guard
            let name = names.first(where: { file.entries[$0] != nil }) ?? (file.names.count == 1 ? file.names[0] : nil)
        else {
            let listed = file.names.isEmpty ? "none" : file.names.joined(separator: ", ")
            throw DiffusionError(
                .invalidArgument,
                "\(path): no initial noise tensor (expected one named \(names.joined(separator: ", ")) "
                    + "or a single tensor; the file holds: \(listed))")
        }
        let entry = file.entries[name]!
        guard [.f32, .f16, .bf16].contains(entry.dtype) else {
            throw DiffusionError(
                .invalidArgument,
                "\(path): tensor '\(name)' is \(entry.dtype.rawValue), expected F32, F16 or BF16 noise")
        }
        guard entry.shape == shape else {
            throw DiffusionError(
                .shapeMismatch,
                "\(path): tensor '\(name)' has shape \(entry.shape), expected \(shape) "
                    + "([n, channels, size, size] for -n \(shape[0]) and this model)")
        }
        let scalars: [Float]
        do { scalars = try file.tensor(name).scalars } catch {
            throw DiffusionError(.invalidArgument, "\(path): tensor '\(name)': \(error.message)")
        }
        if let bad = scalars.firstIndex(where: { !$0.isFinite }) {
            throw DiffusionError(.invalidArgument, "\(path): tensor '\(name)' holds \(scalars[bad]) at element \(bad); noise must be finite")
        }
        return scalars
    }
}
