import Glibc
import HTTPMessage
import HTTPServer
import Synchronization
import TestSupport

/// A handler made from a closure.
struct ClosureHandler: HTTPHandler {
    let body: @Sendable (HTTPRequest) async -> HTTPResponse
    init(_ body: @escaping @Sendable (HTTPRequest) async -> HTTPResponse) { self.body = body }
    func handle(_ request: HTTPRequest) async -> HTTPResponse { await body(request) }
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
