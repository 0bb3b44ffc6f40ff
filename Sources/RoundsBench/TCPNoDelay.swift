import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `TCP_NODELAY` for a FlyingFox listener (the same fix as the tests' stand-in server, which the
/// shipped binary does not link).
enum TCPNoDelay {
    /// Sets `TCP_NODELAY` on the listening socket bound to `127.0.0.1:port` (Linux: accepted sockets
    /// inherit it).
    ///
    /// FlyingFox writes a response's head and body with two `write`s on sockets it leaves with Nagle's
    /// algorithm on, so the body waited for the client's delayed ACK: about 40 ms added to every
    /// exchange, which `rounds bench judge` measured as a fixed 47 ms per request at 1 ms of latency. FlyingFox
    /// offers no hook on its sockets, so the listener is found among this process's descriptors.
    static func set(onListenerAt port: UInt16) {
        #if os(Linux)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for entry in entries {
            guard let fd = Int32(entry) else { continue }
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let named = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            guard named == 0, address.sin_family == sa_family_t(AF_INET), UInt16(bigEndian: address.sin_port) == port
            else { continue }
            var listening: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) == 0, listening == 1 else { continue }
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        #endif
    }
}
