internal import CMicroHTTPD
internal import Glibc
import Synchronization

/// Closes connections whose request head does not arrive in time, however slowly it trickles.
///
/// libmicrohttpd 0.9.75 only counts idle time, so a client sending one header byte every
/// few seconds holds its connection for ever. The clock starts when the connection is
/// accepted (its first request) or when a later request's line has been read (keep-alive:
/// the idle timeout covers the wait between requests), and stops once the head is complete.
/// A connection past its deadline has its socket shut down; libmicrohttpd then reads end of
/// file and closes it itself.
///
/// Threading: `connectionStarted`, `requestLineArrived`, `headArrived` and
/// `connectionClosed` run on libmicrohttpd's thread; the deadline thread shuts sockets down
/// under the same lock that `connectionClosed` takes, and libmicrohttpd announces the
/// close before it closes the descriptor, so a socket number is never reused under us.
final class HeadDeadline: Sendable {
    private struct Watched {
        var socket: Int32
        /// Nil while no head is awaited (a request in progress, or waiting between requests).
        var deadline: ContinuousClock.Instant?
    }

    private struct State {
        var watched: [UInt: Watched] = [:]
        var thread: pthread_t?
        var stopping = false
        /// When the thread wakes next by itself; nil while it sleeps without a timeout. A new
        /// deadline later than this needs no wake-up, so keep-alive requests cost none.
        var plannedWake: ContinuousClock.Instant?

        /// Whether the thread must be woken to see `deadline` in time.
        mutating func needsWake(for deadline: ContinuousClock.Instant) -> Bool {
            guard let planned = plannedWake, planned <= deadline else {
                plannedWake = deadline
                return true
            }
            return false
        }
    }

    private let timeout: Duration
    private let wakeFD: Int32
    private let state = Mutex(State())

    /// - Parameter seconds: the time a head may take; 0 turns the deadline off.
    /// - Throws: `HTTPServerError` of kind `.startFailed` when the OS refuses an eventfd.
    init(seconds: Int) throws(HTTPServerError) {
        timeout = .seconds(seconds)
        let wakeFD = eventfd(0, Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK))
        guard wakeFD >= 0 else {
            throw HTTPServerError(.startFailed, detail: "eventfd: \(BindAddress.describe(errno))")
        }
        self.wakeFD = wakeFD
    }

    deinit { close(wakeFD) }

    private var isEnabled: Bool { timeout > .zero }

    // MARK: libmicrohttpd's thread

    func connectionStarted(_ connection: OpaquePointer) {
        guard isEnabled else { return }
        let socket = cmhd_connection_socket(connection)
        guard socket >= 0 else { return }
        let deadline = ContinuousClock.now + timeout
        let wakeNow = state.withLock { state in
            state.watched[Self.key(connection)] = Watched(socket: socket, deadline: deadline)
            return state.needsWake(for: deadline)
        }
        if wakeNow { wake() }
    }

    /// A request line was read: a keep-alive request's head starts its clock here.
    func requestLineArrived(_ connection: OpaquePointer) {
        guard isEnabled else { return }
        let deadline = ContinuousClock.now + timeout
        let started = state.withLock { state -> Bool in
            guard var watched = state.watched[Self.key(connection)], watched.deadline == nil else { return false }
            watched.deadline = deadline
            state.watched[Self.key(connection)] = watched
            return state.needsWake(for: deadline)
        }
        if started { wake() }
    }

    func headArrived(_ connection: OpaquePointer) {
        guard isEnabled else { return }
        state.withLock { $0.watched[Self.key(connection)]?.deadline = nil }
    }

    func connectionClosed(_ connection: OpaquePointer) {
        guard isEnabled else { return }
        _ = state.withLock { $0.watched.removeValue(forKey: Self.key(connection)) }
    }

    private static func key(_ connection: OpaquePointer) -> UInt { UInt(bitPattern: Int(bitPattern: connection)) }

    // MARK: The deadline thread

    /// Starts the thread that enforces the deadlines (nothing when they are off).
    /// - Throws: `HTTPServerError` of kind `.startFailed` when the thread cannot be created.
    func start() throws(HTTPServerError) {
        guard isEnabled else { return }
        state.withLock { $0.stopping = false }
        let thread = try startServerThread { self.run() }
        state.withLock { $0.thread = thread }
    }

    /// Stops and joins the thread.
    func stop() {
        let thread = state.withLock { state -> pthread_t? in
            state.stopping = true
            state.watched.removeAll()
            defer { state.thread = nil }
            return state.thread
        }
        guard let thread else { return }
        wake()
        pthread_join(thread, nil)
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, MemoryLayout<UInt64>.size)
    }

    private func run() {
        while true {
            guard let wait = enforce() else { return }
            var entry = pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)
            _ = poll(&entry, 1, wait)
            var value: UInt64 = 0
            _ = read(wakeFD, &value, MemoryLayout<UInt64>.size)
        }
    }

    /// Shuts down every connection past its deadline. While connections are open the thread
    /// wakes at least once per `timeout`, so a deadline set meanwhile (never sooner than
    /// `timeout` from then) is met without waking it.
    /// - Returns: milliseconds until the next wake-up (-1 for none), or nil when stopping.
    private func enforce() -> Int32? {
        let now = ContinuousClock.now
        return state.withLock { state -> Int32? in
            guard !state.stopping else { return nil }
            var next: ContinuousClock.Instant?
            for (key, watched) in state.watched {
                guard let deadline = watched.deadline else { continue }
                if deadline <= now {
                    _ = shutdown(watched.socket, Int32(SHUT_RDWR))
                    state.watched[key]?.deadline = nil
                } else if next.map({ deadline < $0 }) ?? true {
                    next = deadline
                }
            }
            if next == nil, !state.watched.isEmpty { next = now + timeout }
            state.plannedWake = next
            guard let next else { return -1 }
            let (seconds, attoseconds) = (next - now).components
            return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
        }
    }
}
