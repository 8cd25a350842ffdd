import Glibc

/// Why the test upstream could not start.
package struct TestUpstreamError: Error, Sendable, CustomStringConvertible {
    package var operation: String
    package var errno: Int32
    package var description: String { "\(operation) failed: errno \(errno)" }
}

/// Thin wrappers over the POSIX socket calls the test upstream needs, all on 127.0.0.1.
enum LoopbackSocket {
    /// A listening TCP socket on 127.0.0.1 with a port the OS chose.
    /// - Throws: `TestUpstreamError` naming the call that failed.
    static func listen() throws(TestUpstreamError) -> (fd: Int32, port: UInt16) {
        let fd = try bound()
        guard Glibc.listen(fd, 128) == 0 else {
            let error = TestUpstreamError(operation: "listen", errno: errno)
            close(fd)
            throw error
        }
        return (fd, port(of: fd))
    }

    /// A socket bound to a port the OS chose, but not listening: connecting to it is refused,
    /// and no other socket can take the port while it stays open.
    static func boundOnly() throws(TestUpstreamError) -> (fd: Int32, port: UInt16) {
        let fd = try bound(reuseAddress: false)
        return (fd, port(of: fd))
    }

    private static func bound(reuseAddress: Bool = true) throws(TestUpstreamError) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestUpstreamError(operation: "socket", errno: errno) }
        var yes: Int32 = 1
        if reuseAddress {
            _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let error = TestUpstreamError(operation: "bind", errno: errno)
            close(fd)
            throw error
        }
        return fd
    }

    private static func port(of fd: Int32) -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getsockname(fd, $0, &length)
            }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Waits up to `timeoutMs` for `fd` to become readable (or hung up).
    static func waitReadable(_ fd: Int32, timeoutMs: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, timeoutMs) > 0
    }

    /// Reads what is available, appending to `buffer`.
    /// - Returns: false when the peer closed or the read failed.
    static func receive(_ fd: Int32, into buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: chunk[0..<count])
                return true
            }
            if count < 0 && errno == EINTR { continue }
            return false
        }
    }

    /// Writes all of `bytes`.
    /// - Returns: false when the peer went away first.
    static func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes {
                send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            offset += count
        }
        return true
    }
}
