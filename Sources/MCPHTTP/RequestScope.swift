import HTTPMessage
import MCPCore

extension HTTPPolicy {
    /// The read-only variant of the endpoint, for clients that cannot send headers.
    package var readOnlyPath: String { path + "/readonly" }

    /// How this request narrows the tools: `X-MCP-Readonly`, `X-MCP-Tools` and the read-only path.
    func toolScope(_ request: HTTPRequest) -> ToolScope {
        ToolScope.fromHeaders(
            readOnly: request.headers["X-MCP-Readonly"], tools: request.headers["X-MCP-Tools"],
            readOnlyPath: request.path == readOnlyPath)
    }
}
