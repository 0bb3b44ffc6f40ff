import Foundation
import RoundsTensor
import Testing

@testable import RoundsDiffusion

@Suite struct InitialNoiseTests {
    func file(_ tensors: [String: Tensor]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "noise-\(UUID().uuidString).safetensors"
        ).path
        try Safetensors.write(tensors, to: path)
        return path
    }

    @Test func readsTheNamedOrOnlyTensor() throws {
        let values = (0..<12).map { Float($0) / 10 }
        let named = try file([
            "initial_noise": Tensor(shape: [1, 3, 2, 2], scalars: values), "other": Tensor(shape: [1], scalars: [0]),
        ])
        #expect(try InitialNoise.read(path: named, shape: [1, 3, 2, 2]) == values)
        let only = try file(["x": Tensor(shape: [1, 3, 2, 2], scalars: values)])
        #expect(try InitialNoise.read(path: only, shape: [1, 3, 2, 2]) == values)
    }

    @Test func badFilesNameTheTensorAndShapes() throws {
        let two = try file(["a": Tensor(shape: [1], scalars: [0]), "b": Tensor(shape: [1], scalars: [0])])
        #expect(throws: DiffusionError.self) { try InitialNoise.read(path: two, shape: [1]) }
        do { _ = try InitialNoise.read(path: two, shape: [1]) } catch {
            #expect(error.message.contains("the file holds: a, b"))
        }
        let wrong = try file(["noise": Tensor(shape: [2, 3, 2, 2], scalars: Array(repeating: 0, count: 24))])
        do {
            _ = try InitialNoise.read(path: wrong, shape: [1, 3, 2, 2])
            Issue.record("expected a shape error")
        } catch {
            #expect(error.code == .shapeMismatch)
            #expect(error.message.contains("tensor 'noise' has shape [2, 3, 2, 2], expected [1, 3, 2, 2]"), "\(error)")
        }
        do {
            _ = try InitialNoise.read(path: "/nonexistent/n.safetensors", shape: [1])
            Issue.record("expected an io error")
        } catch { #expect(error.code == .io) }
        let nan = try file(["noise": Tensor(shape: [1, 1, 1, 2], scalars: [0.5, .infinity])])
        do {
            _ = try InitialNoise.read(path: nan, shape: [1, 1, 1, 2])
            Issue.record("expected a non-finite error")
        } catch {
            #expect(error.message == "\(nan): tensor 'noise' holds inf at element 1; noise must be finite", "\(error)")
        }
    }
}
