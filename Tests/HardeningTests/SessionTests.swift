import Config
import HTTPMessage
import JSON
import MCPHTTP
import TestSupport
import Testing

/// Signed legacy sessions (`server.sessions.key` / `LOONFLOW_MCP_SESSION_KEY`).
@Suite struct SessionTests {
    static let key = "session-signing-key-for-hardening-tests-0123456789"
    static let otherKey = "another-session-key-nobody-shares-9876543210abcdef"

    static let initializeParams: JSONObject = [
        "protocolVersion": "2025-06-18", "capabilities": [:], "clientInfo": ["name": "hardening", "version": "1"],
    ]

    static func initialize(_ client: MCPTestClient) async throws -> String {
        let response = try await client.legacy("initialize", params: initializeParams, id: 0, token: Tokens.alice, protocolVersion: nil)
        #expect(response.status == 200, "initialize: \(response.text)")
        let id = try #require(response.headers["Mcp-Session-Id"], "initialize issues Mcp-Session-Id")
        #expect(id.hasPrefix("s1."))
        return id
    }

    static func session(_ id: String) -> HTTPHeaders { ["Mcp-Session-Id": id] }

    @Test func lifecycle() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route("GET", FakeTickets.path, FakeTickets.route())
        try await withHarness(upstream, configure: { $0.server.sessions.key = Self.key }) { _, client in
            let id = try await Self.initialize(client)
            let list = try await client.legacy("tools/list", id: 2, token: Tokens.alice, protocolVersion: "2025-06-18", headers: Self.session(id))
            #expect(list.status == 200 && list.error == nil, "\(list.text)")
            let call = try await client.callTool("ticket_list", token: Tokens.alice, headers: Self.session(id))
            #expect(call.isToolError == false, "\(call.text)")

            let missing = try await client.legacy("tools/list", id: 3, token: Tokens.alice)
            #expect(missing.status == 400 && missing.errorCode == -32600, "\(missing.text)")
            #expect(missing.errorMessage?.contains("Mcp-Session-Id") == true)
            #expect(missing.json?["id"] == 3)

            var characters = Array(id)
            let middle = characters.count - 10  // inside the signature, where every bit counts
            characters[middle] = characters[middle] == "A" ? "B" : "A"
            let tampered = String(characters)
            let badSignature = try await client.legacy("tools/list", id: 4, token: Tokens.alice, headers: Self.session(tampered))
            #expect(badSignature.status == 404, "\(badSignature.text)")
            #expect(badSignature.errorMessage?.contains("not found") == true)

            let foreign = SessionTokens(key: Array(Self.otherKey.utf8)).issue(version: "2025-06-18")
            #expect(try await client.legacy("tools/list", token: Tokens.alice, headers: Self.session(foreign)).status == 404)

            // Signed with the right key, but its expiry lies in 1970.
            let expired = SessionTokens(key: Array(Self.key.utf8), lifetimeSeconds: 60, now: { 1_000 }).issue(version: "2025-06-18")
            let stale = try await client.legacy("tools/list", id: 5, token: Tokens.alice, headers: Self.session(expired))
            #expect(stale.status == 404, "\(stale.text)")
            #expect(stale.errorMessage?.contains("expired") == true)

            let noID = try await client.bare("DELETE", headers: MCPTestClient.bearer(Tokens.alice))
            #expect(noID.status == 400)
            var deleteHeaders = Self.session(id)
            deleteHeaders.add("Authorization", "Bearer \(Tokens.alice)")
            let ended = try await client.bare("DELETE", headers: deleteHeaders)
            #expect(ended.status == 200, "\(ended.text)")
            let after = try await client.legacy("tools/list", id: 6, token: Tokens.alice, headers: Self.session(id))
            #expect(after.status == 404, "\(after.text)")
            #expect(after.errorMessage?.contains("terminated") == true)
            #expect(try await client.bare("DELETE", headers: deleteHeaders).status == 404)

            let fresh = try await Self.initialize(client)
            #expect(fresh != id)
            #expect(try await client.legacy("ping", token: Tokens.alice, headers: Self.session(fresh)).status == 200)
        }
    }

    @Test func statelessModeIssuesNoSessionAndIgnoresOne() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        try await withHarness(upstream) { _, client in
            let response = try await client.legacy("initialize", params: Self.initializeParams, id: 0, token: Tokens.alice, protocolVersion: nil)
            #expect(response.headers["Mcp-Session-Id"] == nil)
            let ping = try await client.legacy("ping", token: Tokens.alice, headers: Self.session("s1.whatever.bogus"))
            #expect(ping.status == 200)
            #expect(try await client.bare("DELETE").status == 405)
        }
    }

    @Test func sessionsWorkAcrossProcessesSharingTheKey() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route("GET", FakeTickets.path, FakeTickets.route())
        let yaml = gatewayYAML(upstream: upstream.baseURL)
        async let startFirst = GatewayProcess.start(yaml: yaml, environment: ["LOONFLOW_MCP_SESSION_KEY": Self.key])
        async let startSecond = GatewayProcess.start(yaml: yaml + "server:\n  sessions:\n    key: \"\(Self.key)\"\n")
        async let startStranger = GatewayProcess.start(yaml: yaml, environment: ["LOONFLOW_MCP_SESSION_KEY": Self.otherKey])
        let (first, second, stranger) = try await (startFirst, startSecond, startStranger)

        let id = try await Self.initialize(try first.client())
        let onSecond = try second.client()
        let list = try await onSecond.legacy("tools/list", id: 2, token: Tokens.alice, protocolVersion: "2025-06-18", headers: Self.session(id))
        #expect(list.status == 200 && list.error == nil, "\(list.text)")
        let call = try await onSecond.callTool("ticket_list", token: Tokens.alice, headers: Self.session(id))
        #expect(call.status == 200 && call.isToolError == false, "\(call.text)")
        let refused = try await stranger.client().legacy("tools/list", token: Tokens.alice, headers: Self.session(id))
        #expect(refused.status == 404, "a replica with another key does not know the session")

        for gateway in [first, second, stranger] {
            let output = await gateway.stop()
            #expect(output.exitCode == 0)
            #expect(!output.combined.contains(Self.key), "the session key is never logged")
            #expect(Tokens.leaked(in: output.combined).isEmpty)
        }
    }
}
