package import HTTPMessage
package import JSON
package import MCPCore

/// Writes JSON-RPC messages as HTTP responses.
package enum ResponseBuilder {
    package static func json(_ value: JSONValue, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: value.serialized)
    }

    package static func error(id: JSONRPCID?, _ error: JSONRPCError, status: Int) -> HTTPResponse {
        json(JSONRPCResponse.error(id: id, error), status: status)
    }

    /// 202 with an empty body: the answer to notifications and client responses.
    package static func accepted() -> HTTPResponse {
        HTTPResponse(status: 202)
    }

    package static func methodNotAllowed(_ method: String) -> HTTPResponse {
        var response = error(
            id: nil,
            JSONRPCError(
                code: -32600, message: "Method Not Allowed: \(method.prefix(16)) is not served here; send JSON-RPC messages with POST"),
            status: 405)
        response.headers.add("Allow", "POST")
        return response
    }

    /// One SSE event carrying a JSON-RPC message.
    package static func sseEvent(_ message: JSONValue) -> [UInt8] {
        sseEvent(serialized: message.serialized)
    }

    /// An SSE `message` event carrying one line of serialized JSON.
    package static func sseEvent(serialized json: [UInt8]) -> [UInt8] {
        Array("event: message\ndata: ".utf8) + json + Array("\n\n".utf8)
    }
}
