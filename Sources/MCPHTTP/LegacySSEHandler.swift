import Crypto
package import HTTPMessage
import JSON
import MCPCore
import Synchronization

/// The 2024-11-05 HTTP+SSE transport, served beside Streamable HTTP for older clients (the
/// backwards-compatible arrangement the MCP specification describes, and what Loonflow's own
/// server offers with `LOONFLOW_MCP_TRANSPORT=sse`): `GET /sse` opens an event stream whose
/// first event names the message endpoint; `POST /messages/?session_id=…` carries one JSON-RPC
/// message, answered at once with 202, and the answer travels on the stream.
///
/// Each message is handed to the Streamable HTTP handler as a JSON POST, so Host, Origin,
/// token, era and session rules, logs and metrics are the same for both transports.
package final class LegacySSEHandler: HTTPHandler {
    package static let streamPath = "/sse"
    package static let messagesPath = "/messages/"

    private let inner: StreamableHTTPHandler
    private let streams = Mutex<[String: Stream]>([:])
    /// Most streams open at once; one more is refused with 503.
    private let maxStreams: Int

    private struct Stream {
        var continuation: AsyncStream<[UInt8]>.Continuation
        /// The Streamable HTTP session id `initialize` gave, when legacy sessions are on.
        var mcpSession: String?
    }

    package init(inner: StreamableHTTPHandler, maxStreams: Int = 1024) {
        self.inner = inner
        self.maxStreams = maxStreams
    }

    package var openStreams: Int { streams.withLock { $0.count } }

    package func handle(_ request: HTTPRequest) async -> HTTPResponse {
        if let refusal = inner.edgeRefusal(request) { return refusal }
        switch (request.path, request.method) {
        case (Self.streamPath, "GET"): return openStream(request)
        case (Self.messagesPath, "POST"): return await post(request)
        case (Self.streamPath, _): return Self.plain(405, "Method Not Allowed: open the event stream with GET", allow: "GET")
        default: return Self.plain(405, "Method Not Allowed: send messages with POST", allow: "POST")
        }
    }

    private func openStream(_ request: HTTPRequest) -> HTTPResponse {
        guard HTTPPolicy.acceptable(request.headers["Accept"]).eventStream else {
            return Self.plain(406, "Not Acceptable: Accept must allow text/event-stream")
        }
        if case .invalid(let error, let source) = inner.authentication.headerToken(request.headers) {
            return TransportAuthentication.invalidTokenResponse(id: nil, error: error, source: source)
        }
        let id = secureRandomBytes(count: 16).hexString
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
        let admitted = streams.withLock { streams -> Bool in
            guard streams.count < maxStreams else { return false }
            streams[id] = Stream(continuation: continuation)
            return true
        }
        guard admitted else { return Self.plain(503, "Service Unavailable: too many open event streams") }
        continuation.onTermination = { [weak self] _ in self?.close(id) }
        continuation.yield(Array("event: endpoint\ndata: \(Self.messagesPath)?session_id=\(id)\n\n".utf8))
        return HTTPResponse(
            status: 200,
            headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no"],
            stream: stream)
    }

    private func post(_ request: HTTPRequest) async -> HTTPResponse {
        guard let id = Self.sessionID(in: request.query) else {
            return Self.plain(400, "Bad Request: session_id is required (the endpoint event of GET \(Self.streamPath) names it)")
        }
        guard let mcpSession = streams.withLock({ $0[id].map { $0.mcpSession } }) else {
            return Self.plain(404, "Not Found: no open event stream has session_id \(id.prefix(64))")
        }
        var headers = request.headers
        headers.set("Accept", "application/json")
        if let mcpSession { headers.set("Mcp-Session-Id", mcpSession) }
        let message = HTTPRequest(
            method: "POST", path: inner.policy.path, headers: headers, body: request.body, remoteAddress: request.remoteAddress)
        // Answered at once: the client may send more (a cancellation, say) while a call runs.
        // The call runs where tool calls run (libcurl's thread), as a POST to /mcp does.
        inner.dispatcher.startTask {
            let response = await self.inner.handle(message)
            self.deliver(response, to: id)
        }
        return HTTPResponse(status: 202, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array("Accepted\n".utf8))
    }

    /// Puts the Streamable HTTP answer on the stream: its JSON-RPC body, whatever its status.
    private func deliver(_ response: HTTPResponse, to id: String) {
        // The body is the handler's own single-line JSON, so it goes on the stream as it is.
        guard let body = response.bodyBytes, !body.isEmpty else { return }
        streams.withLock { streams in
            if let session = response.headers["Mcp-Session-Id"] { streams[id]?.mcpSession = session }
            streams[id]?.continuation.yield(ResponseBuilder.sseEvent(serialized: body))
        }
    }

    private func close(_ id: String) {
        streams.withLock { _ = $0.removeValue(forKey: id) }
    }

    /// Finishes every stream (shutdown).
    package func closeAll() {
        let open = streams.withLock { streams in
            defer { streams.removeAll() }
            return Array(streams.values)
        }
        for stream in open { stream.continuation.finish() }
    }

    static func sessionID(in query: String?) -> String? {
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == "session_id", !parts[1].isEmpty { return String(parts[1]) }
        }
        return nil
    }

    private static func plain(_ status: Int, _ text: String, allow: String? = nil) -> HTTPResponse {
        var response = HTTPResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array((text + "\n").utf8))
        if let allow { response.headers.add("Allow", allow) }
        return response
    }
}
