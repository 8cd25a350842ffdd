import Glibc
import HTTPMessage
import Synchronization

/// A scriptable HTTP/1.1 server on 127.0.0.1 (port chosen by the OS) that plays the upstream
/// in tests: each route decides, per request, how to answer or how to fail.
///
/// It runs on its own POSIX threads (one accepting, one per connection), serves several
/// requests per keep-alive connection, and records everything it reads. Faults are chosen by
/// the test through routes, never by anything the client sends.
///
/// ```swift
/// let upstream = try TestUpstream()
/// defer { upstream.stop() }
/// upstream.route("GET", "/api/v1.0/tickets") { _ in .json(#"{"code":0}"#) }
/// ```
package final class TestUpstream: Sendable {
    /// Chooses the reply for one request; may wait (on a `TestGate`, a `TestBarrier`, a sleep).
    package typealias Route = @Sendable (RecordedRequest) async -> TestReply

    package let port: UInt16
    private let core: TestUpstreamCore

    /// Starts listening.
    /// - Parameter fallback: the route for requests no other route claims (404 by default).
    /// - Throws: `TestUpstreamError` when the socket cannot be set up.
    package init(fallback: @escaping Route = { _ in .notFound }) throws(TestUpstreamError) {
        let (fd, port) = try LoopbackSocket.listen()
        self.port = port
        let core = TestUpstreamCore(listenFD: fd, fallback: fallback)
        self.core = core
        detachThread { core.acceptLoop() }
    }

    deinit {
        core.stop()
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash.
    package var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The absolute URL of `pathAndQuery` (which starts with `/`).
    package func url(_ pathAndQuery: String) -> String { baseURL + pathAndQuery }

    /// Serves `method` (or `*` for any) on exactly `path` (query ignored) with `route`,
    /// replacing an earlier route for the same pair.
    package func route(_ method: String, _ path: String, _ route: @escaping Route) {
        core.setRoute("\(method) \(path)", route)
    }

    /// Serves `method` on `path` with the same reply every time.
    package func route(_ method: String, _ path: String, reply: TestReply) {
        route(method, path) { _ in reply }
    }

    /// Replaces the route for unclaimed requests.
    package func setFallback(_ route: @escaping Route) {
        core.setFallback(route)
    }

    /// Every request read so far, in arrival order.
    package var requests: [RecordedRequest] { core.recorded }

    /// The recorded requests for one method and path.
    package func requests(_ method: String, _ path: String) -> [RecordedRequest] {
        core.recorded.filter { $0.method == method && $0.path == path }
    }

    /// How many requests arrived for one method and path.
    package func requestCount(_ method: String, _ path: String) -> Int {
        requests(method, path).count
    }

    /// How many connections have been accepted in total.
    package var acceptedConnections: Int { core.acceptedConnections }

    /// Closes every keep-alive connection that is waiting for its next request, right now,
    /// so the client's pooled connection is dead when it next looks.
    /// - Returns: how many connections were closed.
    @discardableResult
    package func closeIdleConnections() -> Int {
        core.closeIdleConnections()
    }

    /// Stops accepting and closes every connection; waiting routes are abandoned.
    package func stop() {
        core.stop()
    }

}

/// A loopback port where connections are refused until `close()`.
///
/// The port stays bound (without listening) so that no test upstream running in parallel can
/// be given it; a port that was merely bound and released could be reused at once.
package final class RefusingPort: Sendable {
    package let port: UInt16
    private let fd: Mutex<Int32?>

    /// - Throws: `TestUpstreamError` when no socket could be bound.
    package init() throws(TestUpstreamError) {
        let (fd, port) = try LoopbackSocket.boundOnly()
        self.fd = Mutex(fd)
        self.port = port
    }

    deinit {
        close()
    }

    /// Releases the port.
    package func close() {
        if let fd = fd.withLock({ $0.take() }) { _ = Glibc.close(fd) }
    }

    /// `http://127.0.0.1:<port>`.
    package var baseURL: String { "http://127.0.0.1:\(port)" }
}
