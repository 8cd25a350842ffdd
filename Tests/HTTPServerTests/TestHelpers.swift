import Glibc
import HTTPMessage
import HTTPServer
import Synchronization

/// A handler made from a closure.
struct ClosureHandler: HTTPHandler {
    let body: @Sendable (HTTPRequest) async -> HTTPResponse
    init(_ body: @escaping @Sendable (HTTPRequest) async -> HTTPResponse) { self.body = body }
    func handle(_ request: HTTPRequest) async -> HTTPResponse { await body(request) }
}

/// A closure handed to a new thread.
private final class ThreadJob: Sendable {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

/// Runs blocking socket work on a fresh thread, so the cooperative pool (two threads on a
/// two-core machine) stays free to run the server's handler tasks.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let job = ThreadJob { continuation.resume(with: Result { try body() }) }
        var thread = pthread_t()
        let context = Unmanaged.passRetained(job).toOpaque()
        let result = pthread_create(
            &thread, nil,
            { context in
                Unmanaged<ThreadJob>.fromOpaque(context!).takeRetainedValue().run()
                return nil
            }, context)
        if result == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<ThreadJob>.fromOpaque(context).release()
            continuation.resume(throwing: RawHTTPError(description: "pthread_create failed", code: result))
        }
    }
}

/// A one-way latch: `wait` returns once `open` was called (or the waiting task is cancelled).
final class Gate: Sendable {
    private struct State {
        var isOpen = false
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    var isOpen: Bool { state.withLock { $0.isOpen } }

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.isOpen = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.isOpen || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// Waits at most `limit`; true when the gate opened in time. The limit only bounds a
    /// failing test; no assertion depends on how long anything took.
    func wait(atMost limit: Duration) async -> Bool {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wait() }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
        return isOpen
    }
}

/// Counts tasks inside a region and remembers the most that were there at once.
final class Occupancy: Sendable {
    private let counts = Mutex((inside: 0, peak: 0, total: 0))

    /// Enters; returns how many are inside now.
    @discardableResult
    func enter() -> Int {
        counts.withLock {
            $0.inside += 1
            $0.total += 1
            $0.peak = max($0.peak, $0.inside)
            return $0.inside
        }
    }

    func leave() { counts.withLock { $0.inside -= 1 } }
    var peak: Int { counts.withLock { $0.peak } }
    var total: Int { counts.withLock { $0.total } }
}

/// Remembers the requests a handler saw.
final class RequestLog: Sendable {
    private let requests = Mutex<[HTTPRequest]>([])
    func record(_ request: HTTPRequest) { requests.withLock { $0.append(request) } }
    var all: [HTTPRequest] { requests.withLock { $0 } }
}

/// Starts a server on 127.0.0.1 port 0, runs `body`, and stops the server afterwards.
func withServer(
    _ options: HTTPServerOptions = HTTPServerOptions(), handler: any HTTPHandler,
    _ body: (HTTPServer, UInt16) async throws -> Void
) async throws {
    let server = try HTTPServer(options: options, handler: handler)
    try server.start()
    guard let port = server.boundPort else { throw RawHTTPError(description: "no bound port") }
    do {
        try await body(server, port)
    } catch {
        await server.stop(gracePeriod: .zero)
        throw error
    }
    await server.stop(gracePeriod: .seconds(2))
}

/// A handler answering 200 with the request path as the body.
let echoPathHandler = ClosureHandler { request in
    HTTPResponse(status: 200, headers: ["Content-Type": "text/plain"], body: Array(request.path.utf8))
}
