package import HTTPMessage
import JSON
import MCPHTTP

/// Routes the listener's paths: the MCP endpoint, and the operations endpoints
/// (`/healthz`, `/readyz`, `/metrics`), which need no token and show none.
package struct OperationsRouter: HTTPHandler {
    package let mcpPath: String
    package let mcp: any HTTPHandler
    /// The 2024-11-05 HTTP+SSE transport (`/sse`, `/messages/`), when served.
    package let legacySSE: (any HTTPHandler)?
    package let metrics: Metrics?
    /// Whether the upstream can serve: a reachable Loonflow, or a loaded fixture set.
    package let readiness: @Sendable () async -> (ready: Bool, detail: String)

    package init(
        mcpPath: String, mcp: any HTTPHandler, legacySSE: (any HTTPHandler)? = nil, metrics: Metrics?,
        readiness: @escaping @Sendable () async -> (ready: Bool, detail: String)
    ) {
        self.mcpPath = mcpPath
        self.mcp = mcp
        self.legacySSE = legacySSE
        self.metrics = metrics
        self.readiness = readiness
    }

    package func handle(_ request: HTTPRequest) async -> HTTPResponse {
        switch request.path {
        case mcpPath, mcpPath + "/readonly": return await mcp.handle(request)
        case LegacySSEHandler.streamPath, LegacySSEHandler.messagesPath:
            guard let legacySSE else { return notFound }
            return await legacySSE.handle(request)
        case "/healthz": return Self.plain(200, "ok\n")
        case "/readyz":
            let (ready, detail) = await readiness()
            return Self.plain(ready ? 200 : 503, (ready ? "ready: " : "not ready: ") + detail + "\n")
        case "/metrics":
            guard let metrics else { return Self.plain(404, "metrics are served on the metrics listener\n") }
            return HTTPResponse(
                status: 200, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"],
                body: Array(metrics.render().utf8))
        default:
            return notFound
        }
    }

    /// The front end's refusals are answered as the MCP endpoint answers its own.
    package func refusal(status: Int, reason: String) -> HTTPResponse {
        mcp.refusal(status: status, reason: reason)
    }

    private var notFound: HTTPResponse {
        let legacy = legacySSE == nil ? "" : " (and \(LegacySSEHandler.streamPath) for HTTP+SSE clients)"
        return HTTPResponse(
            status: 404, headers: ["Content-Type": "application/json"],
            body: JSONValue.object([
                "error": .string("not found: the MCP endpoint is \(mcpPath)\(legacy); operations: /healthz, /readyz, /metrics")
            ]).serialized)
    }

    static func plain(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(text.utf8))
    }
}

/// Serves only `/metrics` (and the liveness probe) on a separate listener.
package struct MetricsOnlyRouter: HTTPHandler {
    package let metrics: Metrics

    package func handle(_ request: HTTPRequest) async -> HTTPResponse {
        switch request.path {
        case "/metrics":
            HTTPResponse(status: 200, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"], body: Array(metrics.render().utf8))
        case "/healthz": OperationsRouter.plain(200, "ok\n")
        default: OperationsRouter.plain(404, "not found\n")
        }
    }
}
