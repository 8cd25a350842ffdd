package import MCPCore

/// How a request ended, as logs and metrics name it.
package enum RequestOutcome: String, Sendable {
    case ok
    /// The tool ran and reported an error (`isError`).
    case toolError = "tool_error"
    /// A JSON-RPC error answered the request.
    case rpcError = "rpc_error"
    /// Refused before JSON-RPC: transport rules, sessions, authentication.
    case httpError = "http_error"
    /// Answered over SSE (progress, then the result).
    case stream
    case cancelled
}

/// How one HTTP request to the MCP endpoint ended, for logs and metrics.
package struct RequestRecord: Sendable {
    package var requestNumber: UInt64
    package var era: ProtocolEra?
    package var method: String?
    package var tool: String?
    package var outcome: RequestOutcome
    package var status: Int
    package var rpcCode: Int?
    package var duration: Duration
    /// A short safe reason for failures (never a token).
    package var detail: String?
}

/// Sees every request to the MCP endpoint (metrics, logs).
package protocol RequestObserver: Sendable {
    func requestStarted()
    func requestFinished(_ record: RequestRecord)
}
