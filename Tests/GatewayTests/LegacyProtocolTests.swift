import HTTPMessage
import JSON
import Testing
import TestSupport

/// The 2025-03-26 … 2025-11-25 era (initialize handshake) over real HTTP on loopback.
@Suite struct LegacyProtocolTests {
    static func initializeParams(_ version: String) -> JSONObject {
        [
            "protocolVersion": .string(version), "capabilities": [:],
            "clientInfo": ["name": "gateway-tests", "version": "1.0"],
        ]
    }

    @Test(arguments: [
        ("2025-03-26", "2025-03-26"), ("2025-06-18", "2025-06-18"), ("2025-11-25", "2025-11-25"),
        ("2024-11-05", "2025-11-25"), ("1999-01-01", "2025-11-25"), ("2026-07-28", "2025-11-25"),
    ])
    func initializeNegotiatesTheVersion(requested: String, answered: String) async throws {
        try await withGateway { _, client, _ in
            let response = try await client.legacy(
                "initialize", params: Self.initializeParams(requested), id: 0, token: Tokens.alice, protocolVersion: nil)
            let result = try #require(expectResult(response, id: 0))
            #expect(result["protocolVersion"] == .string(answered))
            #expect(result["capabilities"]?["tools"]?["listChanged"] == false)
            #expect(result["serverInfo"]?["name"] == "loonflow-ticket")
            #expect(result["serverInfo"]?["version"]?.stringValue?.isEmpty == false)
            #expect(result["instructions"]?.stringValue?.isEmpty == false)
            #expect(result["resultType"] == nil, "legacy results carry no modern fields")
            #expect(result["_meta"] == nil)
            #expect(response.headers["Mcp-Session-Id"] == nil, "stateless by default")
        }
    }

    @Test func handshakeThenCalls() async throws {
        try await withGateway { _, client, _ in
            expectResult(try await client.legacy("initialize", params: Self.initializeParams("2025-06-18"), token: Tokens.alice, protocolVersion: nil))
            var headers = MCPTestClient.bearer(Tokens.alice)
            headers.add("MCP-Protocol-Version", "2025-06-18")
            let initialized = try await client.post(MCPTestClient.notification(method: "notifications/initialized"), headers: headers)
            expectAccepted(initialized)

            let ping = try await client.legacy("ping", id: "p", token: Tokens.alice, protocolVersion: "2025-06-18")
            #expect(expectResult(ping, id: "p") == .object([:]))

            let list = try await client.legacy("tools/list", id: 2, token: Tokens.alice, protocolVersion: "2025-06-18")
            let result = try #require(expectResult(list, id: 2))
            #expect(toolNames(result) == allToolNames)
            #expect(result["resultType"] == nil)
            #expect(result["ttlMs"] == nil)

            let call = try await client.callTool("user_list", token: Tokens.alice)
            #expect(expectToolSuccess(call)?["user_list"]?.arrayValue?.count == 5)
        }
    }

    @Test func missingVersionHeaderMeansTheOldestLegacyVersion() async throws {
        try await withGateway { _, client, _ in
            let list = try await client.legacy("tools/list", token: Tokens.alice, protocolVersion: nil)
            #expect(toolNames(expectResult(list)) == allToolNames)
            let call = try await client.legacy(
                "tools/call", params: ["name": "ticket_list", "arguments": [:]], token: Tokens.alice, protocolVersion: nil)
            expectToolSuccess(call)
        }
    }

    @Test func unknownMethodIsAnErrorInsideHTTP200() async throws {
        try await withGateway { _, client, _ in
            let response = try await client.legacy("prompts/list", id: 5, token: Tokens.alice)
            expectRPCError(response, status: 200, code: -32601, id: 5)
            let discover = try await client.legacy("server/discover", id: 6, token: Tokens.alice)
            #expect(discover.errorCode == -32601 || discover.status == 400, "discover needs modern _meta: \(discover.text)")
        }
    }

    @Test func malformedJSONIsAParseErrorWithNullID() async throws {
        try await withGateway { _, client, _ in
            for body in [#"{"jsonrpc": "2.0", "id": 1, "method": "#, "not json", ""] {
                let response = try await client.post(bytes: Array(body.utf8), headers: MCPTestClient.bearer(Tokens.alice))
                expectRPCError(response, status: 400, code: -32700, id: .null)
            }
        }
    }

    @Test func malformedMessagesAreInvalidRequests() async throws {
        try await withGateway { _, client, _ in
            let batch: JSONValue = [MCPTestClient.request(id: 1, method: "ping"), MCPTestClient.request(id: 2, method: "ping")]
            expectRPCError(try await client.post(batch, headers: MCPTestClient.bearer(Tokens.alice)), status: 400, code: -32600, id: .null)
            let wrongVersion: JSONValue = ["jsonrpc": "1.0", "id": 3, "method": "ping"]
            expectRPCError(try await client.post(wrongVersion, headers: MCPTestClient.bearer(Tokens.alice)), status: 400, code: -32600, id: 3)
            let listParams: JSONValue = ["jsonrpc": "2.0", "id": 4, "method": "tools/list", "params": [1, 2]]
            expectRPCError(try await client.post(listParams, headers: MCPTestClient.bearer(Tokens.alice)), status: 400, code: -32602, id: 4)
        }
    }

    @Test func transportRulesBeforeJSON() async throws {
        try await withGateway { _, client, _ in
            let body = MCPTestClient.request(method: "ping").serialized
            let textPlain = try await client.post(bytes: body, headers: ["Authorization": "Bearer \(Tokens.alice)", "Content-Type": "text/plain"])
            #expect(textPlain.status == 415)
            let htmlOnly = try await client.post(bytes: body, headers: ["Authorization": "Bearer \(Tokens.alice)", "Accept": "text/html"])
            #expect(htmlOnly.status == 406)
            let foreignOrigin = try await client.post(bytes: body, headers: ["Authorization": "Bearer \(Tokens.alice)", "Origin": "https://evil.example"])
            #expect(foreignOrigin.status == 403)
            let localOrigin = try await client.post(bytes: body, headers: ["Authorization": "Bearer \(Tokens.alice)", "Origin": "http://localhost:3000"])
            #expect(localOrigin.status == 200)
            let foreignHost = try await client.post(bytes: body, headers: ["Authorization": "Bearer \(Tokens.alice)", "Host": "evil.example"])
            #expect(foreignHost.status == 421)
        }
    }

    @Test func sessionsWhenASessionKeyIsSet() async throws {
        try await withGateway(configure: { $0.server.sessions.key = String(repeating: "k", count: 40) }) { _, client, _ in
            let initialize = try await client.legacy(
                "initialize", params: Self.initializeParams("2025-11-25"), token: Tokens.alice, protocolVersion: nil)
            expectResult(initialize)
            let session = try #require(initialize.headers["Mcp-Session-Id"])

            let without = try await client.legacy("tools/list", token: Tokens.alice)
            #expect(without.status == 400)
            let unknown = try await client.legacy("tools/list", token: Tokens.alice, headers: ["Mcp-Session-Id": "s1.bogus.bogus"])
            #expect(unknown.status == 404)
            let with = try await client.legacy("tools/list", token: Tokens.alice, headers: ["Mcp-Session-Id": session])
            #expect(toolNames(expectResult(with)) == allToolNames)

            let deleted = try await client.bare("DELETE", headers: ["Mcp-Session-Id": session, "Authorization": "Bearer \(Tokens.alice)"])
            #expect(deleted.status == 200)
            let after = try await client.legacy("tools/list", token: Tokens.alice, headers: ["Mcp-Session-Id": session])
            #expect(after.status == 404)
        }
    }
}
