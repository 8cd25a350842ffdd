import HTTPMessage
package import JSON
import Synchronization

/// A loopback stand-in for a remote Loonflow MCP server that speaks the 2025 era with
/// sessions, as Loonflow's own server does: `initialize` opens a session bound to the caller's
/// `Authorization`, calls must carry it, and a session used with another token is refused
/// (so a test can prove the gateway never shares one). It answers in SSE, counts what it
/// receives, can forget every session, and can drop the connection after reading a call.
package final class TestMCPUpstream: Sendable {
    package let http: TestUpstream
    private let state = Mutex(State())

    private struct State {
        var sessions: [String: String] = [:]  // session id → Authorization
        var opened = 0
        var calls: [String: Int] = [:]
        var sharedSessionAttempts = 0
        var dropAfterReading: Set<String> = []
    }

    /// Bearer tokens this server knows, and whose user it names in results.
    package let users: [String: String]

    package init(users: [String: String]) throws(TestUpstreamError) {
        self.users = users
        http = try TestUpstream()
        http.route("POST", "/mcp") { [self] request in self.answer(request) }
    }

    package var url: String { http.url("/mcp") }
    package var sessionsOpened: Int { state.withLock { $0.opened } }
    package var sharedSessionAttempts: Int { state.withLock { $0.sharedSessionAttempts } }
    package func calls(of tool: String) -> Int { state.withLock { $0.calls[tool] ?? 0 } }
    package func forgetAllSessions() { state.withLock { $0.sessions.removeAll() } }
    package func dropConnection(afterReading tool: String) { state.withLock { _ = $0.dropAfterReading.insert(tool) } }
    package func stop() { http.stop() }

    private func answer(_ request: RecordedRequest) -> TestReply {
        guard let message = try? JSONParser().parse(request.body), let method = message["method"]?.stringValue else {
            return .text("Parse error", status: 400)
        }
        let authorization = request.headers["Authorization"] ?? ""
        if method == "initialize" { return open(message, authorization: authorization) }
        guard let session = request.headers["Mcp-Session-Id"] else { return .text("Bad Request: Missing session ID", status: 400) }
        let owner = state.withLock { $0.sessions[session] }
        guard let owner else { return .text("Session not found", status: 404) }
        guard owner == authorization else {
            state.withLock { $0.sharedSessionAttempts += 1 }
            return .text("Forbidden: session belongs to another token", status: 403)
        }
        switch method {
        case "notifications/initialized": return .respond(status: 202, headers: [:], body: [])
        case "tools/list": return Self.event(id: message["id"], result: ["tools": Self.toolListings])
        case "tools/call": return call(message, authorization: authorization)
        default: return Self.event(id: message["id"], error: ["code": -32601, "message": "Method not found"])
        }
    }

    private func open(_ message: JSONValue, authorization: String) -> TestReply {
        let id = state.withLock { state -> String in
            state.opened += 1
            let id = "session-\(state.opened)"
            state.sessions[id] = authorization
            return id
        }
        let result: JSONObject = [
            "protocolVersion": message["params"]?["protocolVersion"] ?? "2025-06-18", "capabilities": ["tools": [:]],
            "serverInfo": ["name": "loonflow-ticket", "version": "test"],
        ]
        var reply = Self.event(id: message["id"], result: result)
        if case .respond(let status, var headers, let body) = reply {
            headers.add("Mcp-Session-Id", id)
            reply = .respond(status: status, headers: headers, body: body)
        }
        return reply
    }

    private func call(_ message: JSONValue, authorization: String) -> TestReply {
        let name = message["params"]?["name"]?.stringValue ?? ""
        let drop = state.withLock { state -> Bool in
            state.calls[name, default: 0] += 1
            return state.dropAfterReading.contains(name)
        }
        if drop { return .closeWithoutReply }
        let token = authorization.hasPrefix("Bearer ") ? String(authorization.dropFirst(7)) : ""
        guard let user = users[token] else {
            return Self.event(id: message["id"], result: [
                "content": [["type": "text", "text": .string("Error executing tool \(name): Invalid token \(token)")]],
                "isError": true,
            ])
        }
        let structured: JSONObject = [
            "tool": .string(name), "user": .string(user), "arguments": message["params"]?["arguments"] ?? [:],
        ]
        return Self.event(id: message["id"], result: [
            "content": [["type": "text", "text": .string(JSONValue.object(structured).jsonText)]],
            "structuredContent": .object(structured), "isError": false,
        ])
    }

    /// One tool beyond the gateway's five, for `tools.upstream_extra`.
    package static let toolListings: JSONValue = [
        [
            "name": "ticket_flow_summary", "description": "A tool only the upstream has.",
            "inputSchema": ["type": "object", "properties": ["ticket_id": ["type": "string"]], "required": ["ticket_id"]],
            "annotations": ["readOnlyHint": true],
        ],
        ["name": "ticket_reassign_all", "description": "A writing tool only the upstream has.", "inputSchema": ["type": "object"]],
    ]

    private static func event(id: JSONValue?, result: JSONObject? = nil, error: JSONObject? = nil) -> TestReply {
        var message: JSONObject = ["jsonrpc": "2.0", "id": id ?? .null]
        if let result { message["result"] = .object(result) }
        if let error { message["error"] = .object(error) }
        // A progress notification first, as servers may send: the client must skip it.
        let note: JSONValue = ["jsonrpc": "2.0", "method": "notifications/message", "params": ["level": "info", "data": "working"]]
        // CRLF line ends, as Loonflow's server (sse-starlette) writes them.
        let body = "event: message\r\ndata: \(note.jsonText)\r\n\r\nevent: message\r\ndata: \(JSONValue.object(message).jsonText)\r\n\r\n"
        return .respond(status: 200, headers: ["Content-Type": "text/event-stream"], body: Array(body.utf8))
    }
}
