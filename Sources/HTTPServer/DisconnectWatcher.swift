internal import CMicroHTTPD
internal import Glibc
import Synchronization

/// Watches the sockets of suspended connections for the peer hanging up.
///
/// libmicrohttpd does not poll a suspended connection, so a client that leaves while its
/// handler runs (or while a stream waits for its next chunk) would otherwise go unnoticed.
/// Only hang-up events are asked for (`EPOLLRDHUP`), never readability, so a pipelined next
/// request does not wake the watcher.
///
/// Threading: `watch` and `unwatch` may be called from any thread; `onHangUp` callbacks run
/// on the watcher's own thread, one at a time, and never while the watcher's lock is held.
final class DisconnectWatcher: Sendable {
    private struct State {
        var nextToken: UInt64 = 1
        var watched: [UInt64: @Sendable (UInt64) -> Void] = [:]
        var thread: pthread_t?
        var stopping = false
    }

    /// Token 0 marks the wake-up eventfd in the epoll set.
    private static let wakeToken: UInt64 = 0
    private let epollFD: Int32
    private let wakeFD: Int32
    private let state = Mutex(State())

    /// - Throws: `HTTPServerError` of kind `.startFailed` when the OS refuses an epoll or eventfd.
    init() throws(HTTPServerError) {
        let epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else {
            throw HTTPServerError(.startFailed, detail: "epoll_create1: \(BindAddress.describe(errno))")
        }
        let wakeFD = eventfd(0, Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK))
        guard wakeFD >= 0 else {
            let code = errno
            close(epollFD)
            throw HTTPServerError(.startFailed, detail: "eventfd: \(BindAddress.describe(code))")
        }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = Self.wakeToken
        _ = epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event)
        self.epollFD = epollFD
        self.wakeFD = wakeFD
    }

    deinit {
        close(wakeFD)
        close(epollFD)
    }

    /// Starts the watcher thread.
    /// - Throws: `HTTPServerError` of kind `.startFailed` when the thread cannot be created.
    func start() throws(HTTPServerError) {
        state.withLock { $0.stopping = false }
        let thread = try startServerThread { self.run() }
        state.withLock { $0.thread = thread }
    }

    /// Stops and joins the watcher thread; pending watches are dropped without a callback.
    func stop() {
        let thread = state.withLock { state -> pthread_t? in
            state.stopping = true
            state.watched.removeAll()
            defer { state.thread = nil }
            return state.thread
        }
        guard let thread else { return }
        var one: UInt64 = 1
        _ = write(wakeFD, &one, MemoryLayout<UInt64>.size)
        pthread_join(thread, nil)
    }

    /// Reports the next hang-up on `socket` once, by calling `onHangUp` with the returned token.
    /// - Returns: the token to pass to `unwatch`, or nil when the socket cannot be watched.
    func watch(socket: Int32, onHangUp: @escaping @Sendable (UInt64) -> Void) -> UInt64? {
        guard socket >= 0 else { return nil }
        guard
            let token = state.withLock({ state -> UInt64? in
                guard !state.stopping else { return nil }
                let token = state.nextToken
                state.nextToken += 1
                state.watched[token] = onHangUp
                return token
            })
        else { return nil }
        var event = epoll_event()
        event.events = EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue | EPOLLONESHOT.rawValue
        event.data.u64 = token
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, socket, &event) == 0 else {
            _ = state.withLock { $0.watched.removeValue(forKey: token) }
            return nil
        }
        return token
    }

    /// Forgets a watch. Call it while the socket is still open (before resuming the connection).
    func unwatch(socket: Int32, token: UInt64) {
        _ = state.withLock { $0.watched.removeValue(forKey: token) }
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, socket, nil)
    }

    private func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while true {
            let count = epoll_wait(epollFD, &events, Int32(events.count), -1)
            if count < 0 {
                if errno == EINTR { continue }
                return
            }
            for index in 0..<Int(count) {
                let token = events[index].data.u64
                if token == Self.wakeToken {
                    var value: UInt64 = 0
                    _ = read(wakeFD, &value, MemoryLayout<UInt64>.size)
                    if state.withLock({ $0.stopping }) { return }
                    continue
                }
                let callback = state.withLock { $0.watched.removeValue(forKey: token) }
                callback?(token)
            }
        }
    }
}
