import Glibc
import TestSupport
import Synchronization

/// A loopback port whose behaviour the test switches between calls: refusing connections
/// (bound but not listening), then relaying each new connection byte for byte to a target
/// port (a plain or a TLS upstream). TLS passes through untouched.
final class TCPForwarder: Sendable {
    private struct State {
        var target: UInt16?
        var listening = false
        var stopped = false
        var relays: Set<Int32> = []
    }

    let port: UInt16
    private let listenFD: Int32
    private let state = Mutex(State())

    /// Binds a port that refuses connections until `forward(to:)`.
    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ProcessFailure("socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            Glibc.close(fd)
            throw ProcessFailure("bind: errno \(errno)")
        }
        listenFD = fd
        port = Self.localPort(fd)
    }

    deinit { stop() }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Relays new connections to `target` from now on; starts listening the first time.
    func forward(to target: UInt16) {
        let start = state.withLock { state -> Bool in
            state.target = target
            defer { state.listening = true }
            return !state.listening && !state.stopped
        }
        guard start else { return }
        _ = listen(listenFD, 64)
        detachThread { [self] in acceptLoop() }
    }

    /// Stops accepting and cuts every relay (under the lock, so no closed descriptor number
    /// is touched).
    func stop() {
        state.withLock { state in
            guard !state.stopped else { return }
            state.stopped = true
            _ = shutdown(listenFD, Int32(SHUT_RDWR))
            for fd in state.relays { _ = shutdown(fd, Int32(SHUT_RDWR)) }
            if !state.listening { Glibc.close(listenFD) }
        }
    }

    private var isStopped: Bool { state.withLock { $0.stopped } }

    private func acceptLoop() {
        defer { Glibc.close(listenFD) }
        while !isStopped {
            var entry = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 100) > 0 else { continue }
            let client = accept(listenFD, nil, nil)
            guard client >= 0 else { continue }
            guard let target = state.withLock({ $0.target }), let upstream = Self.connect(target) else {
                Glibc.close(client)
                continue
            }
            let registered = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.relays.formUnion([client, upstream])
                return true
            }
            guard registered else {
                Glibc.close(client)
                Glibc.close(upstream)
                return
            }
            detachThread { [self] in relay(client, upstream) }
        }
    }

    /// Copies bytes both ways until either side closes, then closes both.
    private func relay(_ a: Int32, _ b: Int32) {
        defer {
            state.withLock { state in
                state.relays.remove(a)
                state.relays.remove(b)
                Glibc.close(a)
                Glibc.close(b)
            }
        }
        var buffer = [UInt8](repeating: 0, count: 32 * 1024)
        var entries = [pollfd(fd: a, events: Int16(POLLIN), revents: 0), pollfd(fd: b, events: Int16(POLLIN), revents: 0)]
        while !isStopped {
            guard poll(&entries, 2, 100) > 0 else { continue }
            for (index, entry) in entries.enumerated() where entry.revents != 0 {
                let from = entry.fd
                let to = index == 0 ? b : a
                let count = buffer.withUnsafeMutableBytes { recv(from, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { return }
                var offset = 0
                while offset < count {
                    let sent = buffer.withUnsafeBytes { send(to, $0.baseAddress! + offset, count - offset, Int32(MSG_NOSIGNAL)) }
                    guard sent > 0 else { return }
                    offset += sent
                }
            }
        }
    }

    private static func connect(_ port: UInt16) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            Glibc.close(fd)
            return nil
        }
        return fd
    }

    static func localPort(_ fd: Int32) -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }
}
