import MCPCore

/// How one HTTP request to the MCP endpoint ended, for logs and metrics.
package struct RequestRecord: Sendable {
    package var requestNumber: UInt64
    package var era: ProtocolEra?
    package var method: String?
    package var tool: String?
    /// `ok`, `tool_error`, `rpc_error`, `http_error`, `cancelled`.
    package var outcome: String
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
