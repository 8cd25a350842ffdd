import HTTPMessage
package import JSON
import Testing

/// The JSON-RPC messages the transport parity tests send over every transport: both eras,
/// valid and invalid, notifications, unknown methods, `server/discover` with and without
/// `_meta`, batches and bad params.
package enum TransportParityCases {
    package struct Case: CustomTestStringConvertible, Sendable {
        package var name: String
        package var message: JSONValue
        package var testDescription: String { name }
    }

    package static let meta = JSONValue.object(MCPTestClient.modernMeta())

    static func request(_ id: Int, _ method: String, _ params: JSONObject? = nil) -> JSONValue {
        MCPTestClient.request(id: .number(id), method: method, params: params)
    }

    static func modern(_ id: Int, _ method: String, _ params: JSONObject = [:], meta: JSONValue = meta) -> JSONValue {
        var params = params
        params["_meta"] = meta
        return request(id, method, params)
    }

    static func call(_ id: Int, _ tool: String, _ arguments: JSONObject = [:], modern: Bool = false) -> JSONValue {
        let params: JSONObject = ["name": .string(tool), "arguments": .object(arguments)]
        return modern ? Self.modern(id, "tools/call", params) : request(id, "tools/call", params)
    }

    package static let all: [Case] = [
        Case(name: "initialize 2025-06-18", message: request(1, "initialize", initializeParams("2025-06-18"))),
        Case(name: "initialize 2025-03-26", message: request(2, "initialize", initializeParams("2025-03-26"))),
        Case(name: "initialize 2025-11-25", message: request(3, "initialize", initializeParams("2025-11-25"))),
        Case(name: "initialize an unknown version", message: request(4, "initialize", initializeParams("1999-01-01"))),
        Case(name: "initialize without params", message: request(5, "initialize")),
        Case(name: "notifications/initialized", message: MCPTestClient.notification(method: "notifications/initialized")),
        Case(name: "notifications/cancelled for no call", message: MCPTestClient.notification(method: "notifications/cancelled", params: ["requestId": 99])),
        Case(name: "ping", message: request(6, "ping")),
        Case(name: "tools/list", message: request(7, "tools/list")),
        Case(name: "tools/list with an unknown cursor", message: request(8, "tools/list", ["cursor": "next"])),
        Case(name: "tools/call ticket_list", message: call(9, "ticket_list")),
        Case(name: "tools/call user_list", message: call(10, "user_list", ["search_value": "a"])),
        Case(name: "tools/call an unknown tool", message: call(11, "no_such_tool")),
        Case(name: "tools/call without a name", message: request(12, "tools/call", ["arguments": [:]])),
        Case(name: "tools/call with a bad argument", message: call(13, "ticket_list", ["category": "nope"])),
        Case(name: "tools/call with a wrong argument type", message: call(14, "ticket_list", ["per_page": "ten"])),
        Case(name: "prompts/list (not served)", message: request(15, "prompts/list")),
        Case(name: "server/discover without _meta", message: request(16, "server/discover")),
        Case(name: "an unknown method", message: request(17, "no/such_method")),
        Case(name: "no jsonrpc member", message: ["id": 18, "method": "ping"]),
        Case(name: "jsonrpc 1.0", message: ["jsonrpc": "1.0", "id": 19, "method": "ping"]),
        Case(name: "method not a string", message: ["jsonrpc": "2.0", "id": 20, "method": 7]),
        Case(name: "params an array", message: ["jsonrpc": "2.0", "id": 21, "method": "tools/list", "params": [1]]),
        Case(name: "an id that is an object", message: ["jsonrpc": "2.0", "id": ["x": 1], "method": "ping"]),
        Case(name: "a response from the client", message: ["jsonrpc": "2.0", "id": 22, "result": [:]]),
        Case(name: "a batch", message: [request(23, "ping")]),
        Case(name: "an empty batch", message: []),
        Case(name: "a bare string", message: "ping"),
        Case(name: "modern server/discover", message: modern(24, "server/discover")),
        Case(name: "modern tools/list", message: modern(25, "tools/list")),
        Case(name: "modern tools/call ticket_list", message: call(26, "ticket_list", modern: true)),
        Case(name: "modern tools/call an unknown tool", message: call(27, "no_such_tool", modern: true)),
        Case(name: "modern initialize (no such method)", message: modern(28, "initialize", initializeParams("2026-07-28"))),
        Case(name: "modern ping (no such method)", message: modern(29, "ping")),
        Case(name: "modern prompts/list", message: modern(30, "prompts/list")),
        Case(name: "modern with an unsupported version", message: modern(31, "tools/list", meta: .object(MCPTestClient.modernMeta(version: "2099-01-01")))),
        Case(name: "modern _meta without capabilities", message: modern(32, "tools/list", meta: [MCPTestClient.metaVersionKey: "2026-07-28"])),
        Case(name: "modern notification", message: ["jsonrpc": "2.0", "method": "notifications/initialized", "params": ["_meta": meta]]),
    ]


    static func initializeParams(_ version: String) -> JSONObject {
        ["protocolVersion": .string(version), "capabilities": [:], "clientInfo": ["name": "parity-tests", "version": "1.0"]]
    }

    /// The JSON-RPC answer over Streamable HTTP, with the headers a modern client sends.
    package static func answerOverHTTP(_ message: JSONValue, client: MCPTestClient, token: String) async throws -> JSONValue? {
        var headers: HTTPHeaders = ["Authorization": "Bearer \(token)"]
        for (name, value) in modernHeaders(message) { headers.add(name, value) }
        let response = try await client.post(message, headers: headers)
        return response.body.isEmpty ? nil : response.json
    }

    /// The headers a modern client sends with `message`: none for a legacy one.
    package static func modernHeaders(_ message: JSONValue) -> [(String, String)] {
        guard let version = message["params"]?["_meta"]?[MCPTestClient.metaVersionKey]?.stringValue else { return [] }
        var headers = [("MCP-Protocol-Version", version)]
        if let method = message["method"]?.stringValue { headers.append(("Mcp-Method", method)) }
        if let name = message["params"]?["name"]?.stringValue { headers.append(("Mcp-Name", name)) }
        return headers
    }
}
