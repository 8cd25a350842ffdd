import Glibc

/// Loopback ports for child processes that must be told their port (nginx cannot bind port 0
/// and report it). The OS hands out a port, the test releases it and the child binds it, so
/// another process can take it in between: that race cannot be closed from outside the
/// child, only detected. Callers therefore start the child in a retry loop and treat "the
/// child exited or reported a bind failure" as "lost the race, pick again"; a port that
/// accepts while the child is still running is the child's, since the child's own bind would
/// have failed otherwise.
package enum LoopbackPort {
    /// A port the OS just handed out on 127.0.0.1, released for the child to bind.
    package static func pick() throws(TestUpstreamError) -> UInt16 {
        let (fd, port) = try LoopbackSocket.boundOnly()
        close(fd)
        return port
    }

    /// Polls until something accepts on every one of `ports`.
    /// - Returns: false after `timeout`, or as soon as `alive` says the child is gone.
    package static func waitUntilAccepting(
        _ ports: [UInt16], timeout: Duration = .seconds(20), while alive: () -> Bool
    ) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard alive() else { return false }
            if ports.allSatisfy(accepts) { return alive() }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    private static func accepts(_ port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
