package import HTTPMessage
import JSON
package import Logging
package import MCPCore
import Synchronization

/// The MCP Streamable HTTP endpoint for both protocol eras: checks the HTTP request,
/// authenticates it, hands the message to the transport-neutral `MCPDispatcher` and writes
/// the answer as JSON (or SSE when the client asked for progress and accepts a stream).
package final class StreamableHTTPHandler: HTTPHandler {
    package let dispatcher: MCPDispatcher
    package let policy: HTTPPolicy
    package let authentication: TransportAuthentication
    package let logger: Logger
    package let observer: (any RequestObserver)?
    /// Legacy sessions with signed ids; nil means stateless.
    package let sessions: SessionTokens?
    private let requestCounter = Atomic<UInt64>(0)

    package init(
        server: MCPServer, policy: HTTPPolicy, authentication: TransportAuthentication, maxJSONDepth: Int = 64,
        sessions: SessionTokens? = nil, logger: Logger = .silent, observer: (any RequestObserver)? = nil
    ) {
        dispatcher = MCPDispatcher(server: server, maxJSONDepth: maxJSONDepth)
        self.policy = policy
        self.authentication = authentication
        self.sessions = sessions
        self.logger = logger
        self.observer = observer
    }

    /// A refusal of the HTTP front end, as every other transport refusal: a JSON-RPC error
    /// without an id.
    package func refusal(status: Int, reason: String) -> HTTPResponse {
        ResponseBuilder.error(id: nil, .transportRefused(reason), status: status)
    }

    /// Calls in progress, for `notifications/cancelled`.
    package var inFlight: InFlightCalls { dispatcher.inFlight }

    package func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let started = ContinuousClock.now
        let number = requestCounter.add(1, ordering: .relaxed).newValue
        observer?.requestStarted()
        var record = RequestRecord(requestNumber: number, outcome: .ok, status: 200, duration: .zero)
        let response = await respond(to: request, record: &record)
        record.status = response.status
        record.duration = .now - started
        finish(record)
        return response
    }

    private func finish(_ record: RequestRecord) {
        observer?.requestFinished(record)
        let ms = Double(record.duration.components.attoseconds / 1_000_000_000_000) / 1000
            + Double(record.duration.components.seconds) * 1000
        logger.info(
            "request",
            [
                "request": .string(String(record.requestNumber)), "era": .string(record.era?.rawValue ?? "-"),
                "method": .string(record.method ?? "-"), "tool": .string(record.tool ?? "-"),
                "outcome": .string(record.outcome.rawValue), "status": .number(record.status),
                "duration_ms": .number(JSONNumber((ms * 1000).rounded() / 1000)),
                "detail": record.detail.map { .string($0) } ?? .null,
            ])
    }

    /// The checks run in the order the rules list them; the first failure answers.
    private func respond(to request: HTTPRequest, record: inout RequestRecord) async -> HTTPResponse {
        if let refusal = transportRefusal(request) {
            record.outcome = .httpError
            record.detail = "transport check"
            return refusal
        }
        switch dispatcher.decode(request.body) {
        case .failure(let rejection):
            record.outcome = .rpcError
            record.rpcCode = rejection.error.code
            return ResponseBuilder.json(rejection.message, status: ErrorStatus.envelope)
        case .success(.response):
            return ResponseBuilder.accepted()
        case .success(.notification(let method, let params)):
            record.method = method
            return await notification(method: method, params: params, request: request, record: &record)
        case .success(.request(let id, let method, let params)):
            record.method = method
            if method == MCPMethod.toolsCall.rawValue { record.tool = params?["name"]?.stringValue }
            return await call(id: id, method: method, params: params, request: request, record: &record)
        }
    }

    /// HTTP-level rules that need no JSON: path, method, Host, Origin, media types, tokens in URLs.
    private func transportRefusal(_ request: HTTPRequest) -> HTTPResponse? {
        if let refusal = edgeRefusal(request) { return refusal }
        if request.method == "DELETE", let sessions { return sessions.terminate(request.headers) }
        guard request.method == "POST" else { return ResponseBuilder.methodNotAllowed(request.method) }
        if !HTTPPolicy.isJSONContentType(request.headers["Content-Type"]) {
            return ResponseBuilder.error(id: nil, .transportRefused("Unsupported Media Type: Content-Type must be application/json"), status: 415)
        }
        let accept = HTTPPolicy.acceptable(request.headers["Accept"])
        if !accept.json && !accept.eventStream {
            return ResponseBuilder.error(id: nil, .transportRefused("Not Acceptable: Accept must allow application/json or text/event-stream"), status: 406)
        }
        return nil
    }

    /// The rules every MCP transport on this listener shares: Host, Origin, no token in the URL.
    package func edgeRefusal(_ request: HTTPRequest) -> HTTPResponse? {
        if !policy.isHostAllowed(request.headers["Host"]) {
            return ResponseBuilder.error(id: nil, .transportRefused("Misdirected Request: Host header not allowed by server.allowed_hosts"), status: 421)
        }
        if !policy.isOriginAllowed(request.headers["Origin"]) {
            return ResponseBuilder.error(id: nil, .transportRefused("Forbidden: Origin not allowed by server.allowed_origins"), status: 403)
        }
        if policy.queryCarriesToken(request.query) {
            return ResponseBuilder.error(id: nil, .transportRefused("Bad Request: tokens are never read from the URL; send 'Authorization: Bearer <token>' or 'X-Loonflow-Access-Token' instead (and revoke a token that was exposed in a URL)"), status: 400)
        }
        return nil
    }
}
