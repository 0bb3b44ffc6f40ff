#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole regular file with POSIX calls, so errors carry errno's reason and the path.
enum FileBytes {
    static func read(path: String, maxBytes: Int) throws(ImageError) -> [UInt8] {
        // O_NONBLOCK: opening a FIFO must not wait for a writer (the type check below refuses it)
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw ImageError(.unreadable, "\(path): cannot open: \(errnoText())") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ImageError(.unreadable, "\(path): cannot stat: \(errnoText())") }
        guard info.st_mode & S_IFMT == S_IFREG else {
            let kind = info.st_mode & S_IFMT == S_IFDIR ? "a directory" : "not a regular file"
            throw ImageError(.unreadable, "\(path): is \(kind), expected an image file")
        }
        let size = Int(info.st_size)
        guard size <= maxBytes else {
            throw ImageError(.tooLarge, "\(path): file is \(size) bytes, over the limit of \(maxBytes)")
        }
        var failure: String?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var done = 0
            while done < size {
                let n = posixRead(fd, buffer.baseAddress! + done, size - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errnoText()
                    break
                }
                if n == 0 { break }  // the file shrank while we read it
                done += n
            }
            count = done
        }
        if let failure { throw ImageError(.unreadable, "\(path): read failed: \(failure)") }
        return bytes
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}

private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(fd, buffer, count)
    #else
    Darwin.read(fd, buffer, count)
    #endif
}
