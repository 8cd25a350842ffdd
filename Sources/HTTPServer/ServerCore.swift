import HTTPMessage
import Synchronization

/// What libmicrohttpd's callbacks share: the handler, the limits and the live exchanges.
///
/// Threading: immutable apart from `registry`, a Mutex. libmicrohttpd's thread tracks and
/// forgets exchanges; the stopping task drains and aborts them. No exchange lock is ever
/// taken while the registry lock is held.
final class ServerCore: Sendable {
    /// How the server treats requests while it runs and while it stops.
    enum Phase: Sendable {
        case serving
        /// No new connections; answers close their connection.
        case draining
        /// The grace period is over: every exchange is aborted.
        case aborting
    }

    private struct Registry {
        var live: [ObjectIdentifier: Exchange] = [:]
        var phase = Phase.serving
        var nextWaiter: UInt64 = 0
        var idleWaiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    let handler: any HTTPHandler
    let handlerExecutor: (any TaskExecutor)?
    let options: HTTPServerOptions
    let watcher: DisconnectWatcher
    let headDeadline: HeadDeadline
    private let registry = Mutex(Registry())
    /// Set when a connection closed inside `MHD_run` (a served daemon's guest reads it).
    let connectionClosedDuringRun = Atomic<Bool>(false)

    init(
        handler: any HTTPHandler, handlerExecutor: (any TaskExecutor)?, options: HTTPServerOptions,
        watcher: DisconnectWatcher, headDeadline: HeadDeadline
    ) {
        self.handler = handler
        self.handlerExecutor = handlerExecutor
        self.options = options
        self.watcher = watcher
        self.headDeadline = headDeadline
    }

    /// The exchanges whose request line has arrived but not yet their whole head.
    func exchangesAwaitingHead() -> [Exchange] {
        let live = registry.withLock { Array($0.live.values) }
        return live.filter { $0.stage == .head }
    }

    var phase: Phase { registry.withLock { $0.phase } }

    /// Adds a new exchange; one that arrives after the abort is aborted at once.
    func track(_ exchange: Exchange) {
        let aborting = registry.withLock { registry -> Bool in
            registry.live[ObjectIdentifier(exchange)] = exchange
            return registry.phase == .aborting
        }
        if aborting { exchange.abort() }
    }

    /// Removes a finished exchange and wakes `waitUntilIdle` callers when it was the last.
    func forget(_ exchange: Exchange) {
        let waiters = registry.withLock { registry -> [CheckedContinuation<Void, Never>] in
            registry.live.removeValue(forKey: ObjectIdentifier(exchange))
            guard registry.live.isEmpty else { return [] }
            defer { registry.idleWaiters.removeAll() }
            return Array(registry.idleWaiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    func beginDraining() {
        registry.withLock { registry in
            if registry.phase == .serving { registry.phase = .draining }
        }
    }

    /// Returns once no request is in flight, or when the calling task is cancelled.
    func waitUntilIdle() async {
        let id = registry.withLock { registry -> UInt64 in
            registry.nextWaiter += 1
            return registry.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = registry.withLock { registry -> Bool in
                    if registry.live.isEmpty || Task.isCancelled { return true }
                    registry.idleWaiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            registry.withLock { $0.idleWaiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// Aborts every live exchange: handler tasks are cancelled and suspended connections
    /// resumed, which libmicrohttpd requires before `MHD_stop_daemon`.
    func abortAll() {
        let exchanges = registry.withLock { registry -> [Exchange] in
            registry.phase = .aborting
            return Array(registry.live.values)
        }
        for exchange in exchanges { exchange.abort() }
    }
}
