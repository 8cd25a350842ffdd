import Curl
package import HTTPMessage
package import JSON

/// One answer from the MCP endpoint, as the wire carried it.
package struct MCPTestResponse: Sendable {
    package var status: Int
    package var headers: HTTPHeaders
    package var body: [UInt8]

    package var text: String { String(decoding: body, as: UTF8.self) }

    /// The JSON-RPC message: the body itself, or the last `data:` event of an SSE body.
    package var json: JSONValue? {
        if headers["Content-Type"]?.hasPrefix("text/event-stream") == true {
            return sseMessages.last
        }
        return try? JSONParser(maxDepth: 512).parse(body)
    }

    /// Every JSON message of an SSE body, in order.
    package var sseMessages: [JSONValue] {
        text.split(separator: "\n").compactMap { line -> JSONValue? in
            guard line.hasPrefix("data:") else { return nil }
            return try? JSONParser(maxDepth: 512).parse(String(line.dropFirst(5)))
        }
    }

    package var result: JSONValue? { json?["result"] }
    package var error: JSONValue? { json?["error"] }
    package var errorCode: Int? { error?["code"]?.intValue }
    package var errorMessage: String? { error?["message"]?.stringValue }

    /// `result.isError` of a `tools/call`.
    package var isToolError: Bool? { result?["isError"]?.boolValue }
    /// The text block of a `tools/call` result.
    package var toolText: String? { result?["content"]?.arrayValue?.first?["text"]?.stringValue }
    package var structured: JSONValue? { result?["structuredContent"] }
}

/// A minimal MCP-over-HTTP client for tests, on libcurl: sends exactly the body and headers
/// a test chooses, so it can also send what a real client never would.
package final class MCPTestClient: Sendable {
    package static let modernVersion = "2026-07-28"
    package static let metaVersionKey = "io.modelcontextprotocol/protocolVersion"
    package static let metaCapabilitiesKey = "io.modelcontextprotocol/clientCapabilities"

    package let url: String
    private let http: CurlHTTPClient

    package init(url: String) throws(GatewayHarnessError) {
        self.url = url
        do {
            http = try CurlHTTPClient(
                options: CurlClientOptions(connectTimeoutMs: 2_000, totalTimeoutMs: 30_000, userAgent: "mcp-test-client"))
        } catch {
            throw GatewayHarnessError("libcurl: \(error)")
        }
    }

    /// Headers every POST carries unless the test overrides them.
    package static let baseHeaders: HTTPHeaders = [
        "Content-Type": "application/json", "Accept": "application/json, text/event-stream",
    ]

    /// Sends raw bytes; `headers` replace same-named base headers. `query` is appended verbatim.
    package func post(
        bytes: [UInt8], headers: HTTPHeaders = HTTPHeaders(), query: String? = nil, httpMethod: String = "POST"
    ) async throws(UpstreamError) -> MCPTestResponse {
        var merged = Self.baseHeaders
        for field in headers { merged.remove(field.name) }
        for field in headers { merged.add(field.name, field.value) }
        let target = query.map { "\(url)?\($0)" } ?? url
        let response = try await http.send(
            UpstreamRequest(method: httpMethod, url: target, headers: merged, body: bytes, isIdempotent: false))
        return MCPTestResponse(status: response.status, headers: response.headers, body: response.body)
    }

    /// Sends one JSON value.
    package func post(_ message: JSONValue, headers: HTTPHeaders = HTTPHeaders(), query: String? = nil)
        async throws(UpstreamError) -> MCPTestResponse
    {
        try await post(bytes: message.serialized, headers: headers, query: query)
    }

    /// A request with no body and only the given headers (GET, DELETE).
    package func bare(_ httpMethod: String, headers: HTTPHeaders = HTTPHeaders()) async throws(UpstreamError)
        -> MCPTestResponse
    {
        let response = try await http.send(
            UpstreamRequest(method: httpMethod, url: url, headers: headers, body: nil, isIdempotent: false))
        return MCPTestResponse(status: response.status, headers: response.headers, body: response.body)
    }

    // MARK: Messages

    package static func request(id: JSONValue = 1, method: String, params: JSONObject? = nil) -> JSONValue {
        var object: JSONObject = ["jsonrpc": "2.0", "id": id, "method": .string(method)]
        if let params { object["params"] = .object(params) }
        return .object(object)
    }

    package static func notification(method: String, params: JSONObject? = nil) -> JSONValue {
        var object: JSONObject = ["jsonrpc": "2.0", "method": .string(method)]
        if let params { object["params"] = .object(params) }
        return .object(object)
    }

    /// The `_meta` a modern request carries.
    package static func modernMeta(version: String = modernVersion) -> JSONObject {
        [metaVersionKey: .string(version), metaCapabilitiesKey: .object([:])]
    }

    /// `Authorization: Bearer <token>` when a token is given.
    package static func bearer(_ token: String?) -> HTTPHeaders {
        guard let token else { return HTTPHeaders() }
        return ["Authorization": "Bearer \(token)"]
    }

    /// A modern (2026-07-28) request with consistent `_meta` and headers.
    package func modern(
        _ method: String, params: JSONObject = [:], id: JSONValue = 1, token: String? = nil,
        headers extra: HTTPHeaders = HTTPHeaders(), omitting omitted: [String] = []
    ) async throws(UpstreamError) -> MCPTestResponse {
        var params = params
        if params["_meta"] == nil { params["_meta"] = .object(Self.modernMeta()) }
        var headers = Self.bearer(token)
        headers.add("MCP-Protocol-Version", Self.modernVersion)
        headers.add("Mcp-Method", method)
        if method == "tools/call", let name = params["name"]?.stringValue { headers.add("Mcp-Name", name) }
        for field in extra { headers.set(field.name, field.value) }
        for name in omitted { headers.remove(name) }
        return try await post(Self.request(id: id, method: method, params: params), headers: headers)
    }

    /// A legacy request; `protocolVersion` becomes the `MCP-Protocol-Version` header when given.
    package func legacy(
        _ method: String, params: JSONObject? = nil, id: JSONValue = 1, token: String? = nil,
        protocolVersion: String? = "2025-11-25", headers extra: HTTPHeaders = HTTPHeaders()
    ) async throws(UpstreamError) -> MCPTestResponse {
        var headers = Self.bearer(token)
        if let protocolVersion { headers.add("MCP-Protocol-Version", protocolVersion) }
        for field in extra { headers.set(field.name, field.value) }
        return try await post(Self.request(id: id, method: method, params: params), headers: headers)
    }

    /// `tools/call` in either era.
    package func callTool(
        _ name: String, arguments: JSONObject = [:], token: String? = nil, modern: Bool = false,
        headers: HTTPHeaders = HTTPHeaders()
    ) async throws(UpstreamError) -> MCPTestResponse {
        let params: JSONObject = ["name": .string(name), "arguments": .object(arguments)]
        if modern { return try await self.modern("tools/call", params: params, token: token, headers: headers) }
        return try await legacy("tools/call", params: params, token: token, headers: headers)
    }
}
