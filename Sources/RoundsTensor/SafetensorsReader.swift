import Foundation

/// A safetensors file read one tensor at a time with positioned reads: only the header is read on
/// open, so loading a model holds the model and one tensor in memory, not the whole file as well
/// (a 3.4 GB UNet would otherwise need twice that while loading).
public final class SafetensorsReader {
    public let path: String
    public let entries: [String: SafetensorsFile.Entry]
    public let metadata: [String: String]
    private let handle: FileHandle
    private let dataStart: Int

    public init(contentsOfFile path: String) throws(TensorError) {
        let handle: FileHandle
        let size: Int
        do {
            handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            size = Int(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
        } catch { throw TensorError(.io, "\(path): cannot open safetensors file", cause: error) }
        var prefix = [UInt8]()
        do {
            prefix = [UInt8](try handle.read(upToCount: 8) ?? Data())
            if prefix.count == 8 {
                var n: UInt64 = 0
                for i in (0..<8).reversed() { n = n << 8 | UInt64(prefix[i]) }
                if n <= UInt64(size - 8) { prefix += [UInt8](try handle.read(upToCount: Int(n)) ?? Data()) }
            }
        } catch { throw TensorError(.io, "\(path): cannot read the safetensors header", cause: error) }
        let (start, entries, metadata) = try SafetensorsFile.parseHeader(prefix: prefix, fileSize: size, path: path)
        self.path = path
        self.handle = handle
        self.entries = entries
        self.metadata = metadata
        self.dataStart = start
    }

    deinit { try? handle.close() }

    /// Tensor names, sorted.
    public var names: [String] { entries.keys.sorted() }

    /// A tensor converted to float32 (from F32, F16, BF16, I32 or I64).
    public func tensor(_ name: String) throws(TensorError) -> Tensor {
        guard let e = entries[name] else {
            throw TensorError(.missingTensor, "\(path): no tensor named '\(name)'")
        }
        let data: Data
        do {
            try handle.seek(toOffset: UInt64(dataStart + e.range.lowerBound))
            data = try handle.read(upToCount: e.range.count) ?? Data()
        } catch { throw TensorError(.io, "\(path): tensor '\(name)': read failed", cause: error) }
        guard data.count == e.range.count else {
            throw TensorError(.invalidFile, "\(path): tensor '\(name)': file ended after \(data.count) of its \(e.range.count) bytes")
        }
        let count = e.shape.elementCount
        let scalars = data.withUnsafeBytes { raw in
            count == 0 ? [] : SafetensorsFile.floats(raw.baseAddress!, dtype: e.dtype, count: count)
        }
        return Tensor(shape: e.shape, scalars: scalars)
    }
}
