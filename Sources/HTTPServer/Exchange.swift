internal import CMicroHTTPD
import HTTPMessage
import Synchronization

/// One request on one connection, from its request line to libmicrohttpd's completion notice.
///
/// It is created by the URI log callback, retained by libmicrohttpd through the request's
/// context pointer, and released by the completion callback. The handler task and a
/// streaming response's reader hold their own references, so the object may outlive the
/// connection; `connection` becomes nil at completion and is never used after that.
///
/// Threading: all state sits behind `state`. libmicrohttpd's thread fills the request and
/// reads the response; the handler task delivers the response and stream chunks; the
/// disconnect watcher reports hang-ups. `MHD_suspend_connection` is only called on
/// libmicrohttpd's thread and `MHD_resume_connection` only while holding the lock with the
/// connection still live, so a resume can never reach a freed connection.
final class Exchange: Sendable {
    /// Where the request is in its life, as seen from libmicrohttpd's thread.
    enum Stage: Sendable {
        case head, body, handling, responding, rejected
    }

    struct State {
        var stage = Stage.head
        var target: String
        var method = ""
        var headers = HTTPHeaders()
        var body: [UInt8] = []
        var bodyOverflowed = false
        var discardedBytes = 0
        var remoteAddress: String?

        /// Valid until the completion callback clears it.
        var connection: MHDHandle?
        var socket: Int32
        var suspended = false
        var watchToken: UInt64?
        /// The client left or the server is shutting down: answer nothing more.
        var aborted = false
        var task: Task<Void, Never>?
        /// The handler's answer, waiting for libmicrohttpd's thread to queue it.
        var response: HTTPResponse?
        /// Streamed bytes not yet handed to libmicrohttpd.
        var pending: [[UInt8]] = []
        var pendingOffset = 0
        var streamFinished = false
    }

    let state: Mutex<State>
    let watcher: DisconnectWatcher
    /// Where libmicrohttpd's copy of the raw target starts, and its length up to the first
    /// NUL; compared with where the HTTP version starts to find a NUL inside the target.
    private let targetAddress: UInt
    private let targetPrefixLength: Int

    /// Called on libmicrohttpd's thread while the request line is parsed; `target` is
    /// libmicrohttpd's NUL-terminated copy of the raw target, not yet decoded.
    init(target: UnsafePointer<CChar>, connection: OpaquePointer, remoteAddress: String?, watcher: DisconnectWatcher) {
        self.watcher = watcher
        let text = String(cString: target)
        targetAddress = UInt(bitPattern: target)
        targetPrefixLength = text.utf8.count
        state = Mutex(
            State(
                target: text, remoteAddress: remoteAddress, connection: MHDHandle(pointer: connection),
                socket: cmhd_connection_socket(connection)))
    }

    /// True when the request line held a NUL byte inside the target.
    ///
    /// libmicrohttpd 0.9.75 ends the target at the space before the HTTP version and hands
    /// out a C string, so `POST /mcp\0?access_token=…` would reach the handler as `/mcp`.
    /// The version follows the target's end marker in the same line buffer; when the target's
    /// C string ends sooner, it had a NUL of its own. A version pointer outside the line
    /// (libmicrohttpd's empty static string) proves nothing and is not refused here.
    func targetHasNUL(versionStart: UnsafePointer<CChar>?) -> Bool {
        guard let versionStart else { return false }
        let version = UInt(bitPattern: versionStart)
        guard version > targetAddress, version - targetAddress <= 16 * 1024 * 1024 else { return false }
        return Int(version - targetAddress) - 1 != targetPrefixLength
    }

    var stage: Stage { state.withLock { $0.stage } }

    /// The connection and its socket while libmicrohttpd still holds them.
    func liveConnection() -> (OpaquePointer, Int32)? {
        state.withLock { state in state.connection.map { ($0.pointer, state.socket) } }
    }

    // MARK: Request (libmicrohttpd's thread)

    /// Records the method and the header fields once the head has arrived.
    func receiveHead(method: String, headers: HTTPHeaders) {
        state.withLock {
            $0.method = method
            $0.headers = headers
            $0.stage = .body
        }
    }

    /// What `appendBody` decided.
    enum BodyVerdict {
        case stored
        /// Over the cap: the body is dropped and the rest is read and discarded.
        case overflowing
        /// Far over the cap (more than another `limit` bytes discarded): close now.
        case closeNow
    }

    /// Stores a piece of the body while it fits under `limit`, then discards.
    func appendBody(_ bytes: UnsafeRawBufferPointer, limit: Int) -> BodyVerdict {
        state.withLock { state in
            if !state.bodyOverflowed, state.body.count + bytes.count <= limit {
                state.body.append(contentsOf: bytes)
                return .stored
            }
            if !state.bodyOverflowed {
                state.bodyOverflowed = true
                state.discardedBytes = state.body.count
                state.body = []
            }
            state.discardedBytes += bytes.count
            return state.discardedBytes > 2 * limit ? .closeNow : .overflowing
        }
    }

    var bodyOverflowed: Bool { state.withLock { $0.bodyOverflowed } }

    func markRejected() { state.withLock { $0.stage = .rejected } }

    /// The complete request, with the raw target split at the first `?`.
    func makeRequest() -> HTTPRequest {
        state.withLock { state in
            let target = state.target
            let path: String
            var query: String?
            if let mark = target.firstIndex(of: "?") {
                path = String(target[..<mark])
                query = String(target[target.index(after: mark)...])
            } else {
                path = target
            }
            return HTTPRequest(
                method: state.method, path: path, query: query, headers: state.headers,
                body: state.body, remoteAddress: state.remoteAddress)
        }
    }

    /// Suspends the connection and runs the handler in a task on `executor` (retained by the
    /// task, as a task's preference is not).
    /// - Returns: false when the exchange was already aborted (the caller closes it).
    func beginHandling(_ request: HTTPRequest, with handler: any HTTPHandler, on executor: (any TaskExecutor)?) -> Bool {
        let started = state.withLock { state -> Bool in
            guard !state.aborted, state.connection != nil else { return false }
            state.stage = .handling
            suspend(&state)
            return true
        }
        guard started else { return false }
        let task = Task(executorPreference: executor) { [self] in
            _ = executor
            let response = await handler.handle(request)
            await respond(with: response)
        }
        let cancelNow = state.withLock { state -> Bool in
            state.task = task
            return state.aborted
        }
        if cancelNow { task.cancel() }
        return true
    }

    // MARK: Lifecycle (any thread)

    /// The peer hung up while the connection was suspended: cancel and let libmicrohttpd close it.
    func peerHungUp(token: UInt64) {
        let task = state.withLock { state -> Task<Void, Never>? in
            guard state.watchToken == token else { return nil }
            return abort(&state)
        }
        task?.cancel()
    }

    /// Stops the exchange for a server shutdown: cancels the handler and wakes the connection.
    func abort() {
        let task = state.withLock { abort(&$0) }
        task?.cancel()
    }

    /// libmicrohttpd is done with the request; `completed` is false when it ended early.
    func connectionClosed(completed: Bool) {
        let task = state.withLock { state -> Task<Void, Never>? in
            if let token = state.watchToken {
                watcher.unwatch(socket: state.socket, token: token)
                state.watchToken = nil
            }
            state.suspended = false
            state.connection = nil
            if !completed { state.aborted = true }
            state.pending = []
            return state.task
        }
        if !completed { task?.cancel() }
    }

    private func abort(_ state: inout State) -> Task<Void, Never>? {
        guard !state.aborted else { return nil }
        state.aborted = true
        resume(&state)
        return state.task
    }

    // MARK: Suspension (under the lock)

    /// Takes the connection out of libmicrohttpd's loop and watches it for a hang-up.
    /// Only on libmicrohttpd's thread, inside a callback, as the library requires.
    func suspend(_ state: inout State) {
        guard let connection = state.connection, !state.suspended else { return }
        MHD_suspend_connection(connection.pointer)
        state.suspended = true
        state.watchToken = watcher.watch(socket: state.socket) { [weak self] token in
            self?.peerHungUp(token: token)
        }
    }

    /// Hands the connection back to libmicrohttpd's loop (any thread).
    func resume(_ state: inout State) {
        guard let connection = state.connection, state.suspended else { return }
        if let token = state.watchToken {
            watcher.unwatch(socket: state.socket, token: token)
            state.watchToken = nil
        }
        state.suspended = false
        MHD_resume_connection(connection.pointer)
    }
}
