import Glibc
import HTTPMessage
import Synchronization

/// The state shared by the test upstream's threads: routes, recorded requests and open
/// connections, all under one `Mutex`. Sockets are shut down only while the lock is held and
/// the socket is still registered, so a closed descriptor number is never touched again.
final class TestUpstreamCore: Sendable {
    private struct Connection {
        let fd: Int32
        var isIdle = true
        var isClosing = false
    }

    private struct State {
        var routes: [String: TestUpstream.Route] = [:]
        var fallback: TestUpstream.Route
        var recorded: [RecordedRequest] = []
        var connections: [Int: Connection] = [:]
        var acceptedConnections = 0
        var isStopped = false
        var isListenerClosed = false
    }

    let listenFD: Int32
    private let state: Mutex<State>

    init(listenFD: Int32, fallback: @escaping TestUpstream.Route) {
        self.listenFD = listenFD
        state = Mutex(State(fallback: fallback))
    }

    var isStopped: Bool { state.withLock { $0.isStopped } }

    // MARK: Routes and records

    func setRoute(_ key: String, _ route: @escaping TestUpstream.Route) {
        state.withLock { $0.routes[key] = route }
    }

    func setFallback(_ route: @escaping TestUpstream.Route) {
        state.withLock { $0.fallback = route }
    }

    /// Records `request` and picks its route: exact method and path, then `*` and path,
    /// then the fallback.
    func record(_ request: RecordedRequest) -> TestUpstream.Route {
        state.withLock { state in
            state.recorded.append(request)
            return state.routes["\(request.method) \(request.path)"]
                ?? state.routes["* \(request.path)"] ?? state.fallback
        }
    }

    var recorded: [RecordedRequest] { state.withLock { $0.recorded } }
    var acceptedConnections: Int { state.withLock { $0.acceptedConnections } }

    // MARK: Connections

    /// Registers an accepted socket, or closes it when the upstream is stopping.
    /// - Returns: the connection's id, or nil when it was refused.
    func register(_ fd: Int32) -> Int? {
        let id: Int? = state.withLock { state in
            guard !state.isStopped else { return nil }
            state.acceptedConnections += 1
            state.connections[state.acceptedConnections] = Connection(fd: fd)
            return state.acceptedConnections
        }
        if id == nil { close(fd) }
        return id
    }

    /// Marks a connection as waiting for its next request (idle) or reading one.
    /// - Returns: false when the connection is being closed and must stop.
    func setIdle(_ id: Int, _ isIdle: Bool) -> Bool {
        state.withLock { state in
            guard let connection = state.connections[id], !connection.isClosing else { return false }
            state.connections[id]?.isIdle = isIdle
            return true
        }
    }

    /// Forgets and closes a connection's socket; called by its own thread only.
    func closeConnection(_ id: Int) {
        state.withLock { state in
            if let connection = state.connections.removeValue(forKey: id) { close(connection.fd) }
        }
    }

    /// Shuts down every idle keep-alive connection at once (the client sees a FIN).
    /// - Returns: how many were closed.
    @discardableResult
    func closeIdleConnections() -> Int {
        state.withLock { state in
            var closed = 0
            for (id, connection) in state.connections where connection.isIdle && !connection.isClosing {
                state.connections[id]?.isClosing = true
                shutdown(connection.fd, Int32(SHUT_RDWR))
                closed += 1
            }
            return closed
        }
    }

    /// Stops accepting and shuts every connection down; their threads then close them.
    func stop() {
        state.withLock { state in
            guard !state.isStopped else { return }
            state.isStopped = true
            if !state.isListenerClosed { shutdown(listenFD, Int32(SHUT_RDWR)) }
            for (id, connection) in state.connections {
                state.connections[id]?.isClosing = true
                shutdown(connection.fd, Int32(SHUT_RDWR))
            }
        }
    }

    // MARK: Accepting (its own thread)

    func acceptLoop() {
        defer {
            state.withLock { state in
                state.isListenerClosed = true
                close(listenFD)
            }
        }
        while !isStopped {
            guard LoopbackSocket.waitReadable(listenFD, timeoutMs: 100) else { continue }
            let fd = accept(listenFD, nil, nil)
            guard fd >= 0 else {
                if errno == EINTR || errno == ECONNABORTED || errno == EAGAIN { continue }
                return
            }
            var noDelay: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
            guard let id = register(fd) else { return }
            detachThread { [self] in
                var connection = TestUpstreamConnection(core: self, fd: fd, id: id)
                connection.run()
            }
        }
    }
}
