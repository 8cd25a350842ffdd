import Auth
import HTTPMessage
import JSON
import MCPCore
import MCPHTTP
import Testing
import TestSupport

/// A tool that reports which token reached it, or waits for cancellation.
struct TokenEchoTool: Tool {
    var name: String { "echo" }
    var title: String { "Echo" }
    var description: String { "Echo" }
    var inputSchema: JSONValue { ["type": "object"] }
    var outputSchema: JSONValue { ["type": "object"] }
    var annotations: ToolAnnotations { ToolAnnotations(readOnly: true, destructive: false, idempotent: true, openWorld: false) }

    func call(arguments: JSONObject, context: ToolCallContext) async -> ToolResult {
        if arguments["wait"] != nil {
            // Cancellation ends the sleep at once; the bound keeps a broken test from hanging.
            try? await Task.sleep(for: .seconds(60))
            return .failure("cancelled")
        }
        if arguments["progress"] != nil { await context.progress?(1, 2, "half") }
        return .success(["token": context.transportToken.map { .string($0.value) } ?? .null])
    }
}

/// The HTTP rules without sockets: request values in, response values out.
@Suite struct StreamableHTTPHandlerTests {
    static let pat = "lfpat.3f2b8c1e-0a4d-4e5f-9b6a-1c2d3e4f5a6b." + String(repeating: "x", count: 64)
    static let modernMeta: JSONValue = [
        "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": [:],
    ]

    func handler(sessions: SessionTokens? = nil, anonymous: Bool = false) -> StreamableHTTPHandler {
        StreamableHTTPHandler(
            server: MCPServer(identity: ServerIdentity(name: "loonflow-ticket", version: "1"), tools: [TokenEchoTool()]),
            policy: HTTPPolicy(),
            authentication: TransportAuthentication(validator: AccessTokenValidator(now: { 1_800_000_000 }), anonymousDiscovery: anonymous),
            sessions: sessions)
    }

    func post(_ body: JSONValue, headers: [(String, String)] = [], token: String? = pat) -> HTTPRequest {
        var all = HTTPHeaders([("Host", "127.0.0.1:8002"), ("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream")])
        if let token { all.add("Authorization", "Bearer \(token)") }
        for (name, value) in headers { all.set(name, value) }
        return HTTPRequest(method: "POST", path: "/mcp", headers: all, body: body.serialized)
    }

    func json(_ response: HTTPResponse) throws -> JSONValue {
        try JSONParser().parse(try #require(response.bodyBytes))
    }

    @Test func legacyCallSeesTheHeaderToken() async throws {
        let response = await handler().handle(post(["jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": ["name": "echo"]]))
        #expect(response.status == 200)
        #expect(try json(response)["result"]?["structuredContent"]?["token"]?.stringValue == Self.pat)
    }

    @Test func modernCallNeedsMatchingHeaders() async throws {
        let body: JSONValue = ["jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": ["name": "echo", "_meta": Self.modernMeta]]
        let good = await handler().handle(post(body, headers: [("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/call"), ("Mcp-Name", "echo")]))
        #expect(good.status == 200)
        #expect(try json(good)["result"]?["resultType"] == "complete")
        let base64Name = await handler().handle(post(body, headers: [("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/call"), ("Mcp-Name", "=?base64?ZWNobw==?=")]))
        #expect(base64Name.status == 200)
        for headers in [
            [("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/list"), ("Mcp-Name", "echo")],
            [("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/call"), ("Mcp-Name", "other")],
            [("Mcp-Method", "tools/call"), ("Mcp-Name", "echo")],
        ] {
            let response = await handler().handle(post(body, headers: headers))
            #expect(response.status == 400)
            #expect(try json(response)["error"]?["code"] == -32020)
        }
    }

    @Test func modernRefusalsCarryAnHTTPErrorStatus() async throws {
        let body: JSONValue = ["jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": ["name": "nope", "_meta": Self.modernMeta]]
        let modern = await handler().handle(post(body, headers: [("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/call"), ("Mcp-Name", "nope")]))
        #expect(modern.status == 400)
        #expect(try json(modern)["error"]?["code"] == -32602)
        let legacy = await handler().handle(post(["jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": ["name": "nope"]]))
        #expect(legacy.status == 200)
        #expect(try json(legacy)["error"]?["code"] == -32602)
    }

    @Test func unsupportedModernVersionNamesTheSupportedOnes() async throws {
        var meta = Self.modernMeta.objectValue!
        meta["io.modelcontextprotocol/protocolVersion"] = "2099-01-01"
        let body: JSONValue = ["jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": ["_meta": .object(meta)]]
        let response = await handler().handle(post(body, headers: [("MCP-Protocol-Version", "2099-01-01"), ("Mcp-Method", "tools/list")]))
        #expect(response.status == 400)
        let error = try json(response)["error"]
        #expect(error?["code"] == -32022)
        #expect(error?["data"]?["supported"]?.arrayValue?.contains("2026-07-28") == true)
    }

    @Test func notificationsAreAccepted() async {
        let response = await handler().handle(post(["jsonrpc": "2.0", "method": "notifications/initialized"]))
        #expect(response.status == 202)
        #expect(response.bodyBytes == [])
    }

    @Test func missingAndBadTokensAre401WithoutEchoingTheToken() async throws {
        let call: JSONValue = ["jsonrpc": "2.0", "id": 7, "method": "tools/list"]
        let missing = await handler().handle(post(call, token: nil))
        #expect(missing.status == 401)
        #expect(missing.headers["WWW-Authenticate"] == "Bearer realm=\"loonflow-ticket\"")
        #expect(try json(missing)["id"] == 7)
        let secret = "lfpat.NOT-A-UUID.supersecretvalue"
        let bad = await handler().handle(post(call, token: secret))
        #expect(bad.status == 401)
        #expect(bad.headers["WWW-Authenticate"]?.contains("error=\"invalid_token\"") == true)
        #expect(!String(decoding: bad.bodyBytes ?? [], as: UTF8.self).contains("supersecretvalue"))
        #expect(bad.headers["WWW-Authenticate"]?.contains("supersecretvalue") == false)
        let anonymous = await handler(anonymous: true).handle(post(call, token: nil))
        #expect(anonymous.status == 200)
    }

    @Test func argumentTokenWinsAndHeadersAreNotExamined() async throws {
        let body: JSONValue = ["jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": ["name": "echo", "arguments": ["access_token": .string(Self.pat)]]]
        let response = await handler().handle(post(body, token: "garbage"))
        #expect(response.status == 200)
    }

    @Test func sessionsAreSignedAndEnded() async throws {
        let sessions = SessionTokens(key: Array(repeating: 7, count: 32), now: { 1_800_000_000 })
        let h = handler(sessions: sessions)
        let initialize = await h.handle(post(["jsonrpc": "2.0", "id": 1, "method": "initialize", "params": ["protocolVersion": "2025-06-18"]]))
        let id = try #require(initialize.headers["Mcp-Session-Id"])
        #expect(try sessions.validate(id).get() == "2025-06-18")
        let list: JSONValue = ["jsonrpc": "2.0", "id": 2, "method": "tools/list"]
        #expect(await h.handle(post(list)).status == 400)
        #expect(await h.handle(post(list, headers: [("Mcp-Session-Id", id)])).status == 200)
        #expect(await h.handle(post(list, headers: [("Mcp-Session-Id", id + "x")])).status == 404)
        let other = SessionTokens(key: Array(repeating: 8, count: 32), now: { 1_800_000_000 }).issue(version: "2025-06-18")
        #expect(await h.handle(post(list, headers: [("Mcp-Session-Id", other)])).status == 404)
        var delete = post(list, headers: [("Mcp-Session-Id", id)])
        delete.method = "DELETE"
        #expect(await h.handle(delete).status == 200)
        #expect(await h.handle(post(list, headers: [("Mcp-Session-Id", id)])).status == 404)
        let later = SessionTokens(key: Array(repeating: 7, count: 32), now: { 1_800_000_000 + 90_000 })
        #expect(later.validate(id) == .failure(.expired))
    }

    @Test func progressStreamsAsServerSentEvents() async throws {
        let body: JSONValue = ["jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": ["name": "echo", "arguments": ["progress": true], "_meta": ["progressToken": "p1"]]]
        let response = await handler().handle(post(body))
        #expect(response.headers["Content-Type"] == "text/event-stream")
        #expect(response.headers["X-Accel-Buffering"] == "no")
        guard case .stream(let stream) = response.body else { Issue.record("not streamed"); return }
        var events: [String] = []
        for await chunk in stream { events.append(String(decoding: chunk, as: UTF8.self)) }
        #expect(events.count == 2)
        #expect(events[0].contains("notifications/progress") && events[0].contains("\"progressToken\":\"p1\""))
        #expect(events[1].hasPrefix("event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":3,\"result\""))
    }

    @Test func cancellationMatchesCallerAndID() async throws {
        let h = handler()
        let call: JSONValue = ["jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": ["name": "echo", "arguments": ["wait": true]]]
        let running = Task { await h.handle(post(call)) }
        #expect(await eventually { h.inFlight.count == 1 }, "the call is in flight")
        let cancel: JSONValue = ["jsonrpc": "2.0", "method": "notifications/cancelled", "params": ["requestId": 9]]
        let otherToken = "lfpat.aaaaaaaa-0a4d-4e5f-9b6a-1c2d3e4f5a6b." + String(repeating: "y", count: 64)
        #expect(await h.handle(post(cancel, token: otherToken)).status == 202)
        #expect(h.inFlight.count == 1)
        #expect(await h.handle(post(cancel)).status == 202)
        let response = await running.value
        #expect(try json(response)["result"]?["isError"] == true)
    }
}
