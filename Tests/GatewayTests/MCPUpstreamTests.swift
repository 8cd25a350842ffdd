import Config
import Gateway
import HTTPMessage
import JSON
import MCPUpstream
import TestSupport
import Testing

/// `upstream.mcp_url`: the gateway in front of a remote Loonflow MCP server (the SaaS),
/// against a loopback stand-in that speaks the 2025 era with sessions.
@Suite struct MCPUpstreamTests {
    static let users = [Tokens.alice: "alice", Tokens.admin: "admin", Tokens.aliceJWT: "alice"]
    /// What a forwarding gateway offers: the five tools a Loonflow MCP server has.
    static let forwardedNames = ["ticket_list", "user_list", "ticket_detail", "ticket_prepare_handle", "ticket_handle"]

    /// A gateway forwarding to a fresh test MCP upstream.
    static func withForwardingGateway(
        configure: @escaping (inout GatewayConfig) -> Void = { _ in },
        _ body: (GatewayHarness, MCPTestClient, TestMCPUpstream) async throws -> Void
    ) async throws {
        let upstream = try TestMCPUpstream(users: users)
        defer { upstream.stop() }
        let gateway = try GatewayHarness(upstreamBaseURL: "unused") { config in
            config.upstream.baseURL = nil
            config.upstream.target = nil
            config.upstream.mcpURL = upstream.url
            configure(&config)
        }
        do {
            try await body(gateway, try gateway.client(), upstream)
        } catch {
            await gateway.stop()
            throw error
        }
        await gateway.stop()
        let leaks = Tokens.leaked(in: gateway.logs.text)
        #expect(leaks.isEmpty, "token material in the log: \(leaks)")
        #expect(upstream.sharedSessionAttempts == 0, "a session was used with another caller's token")
    }

    @Test func eachCallerTokenGetsOneSessionOfItsOwn() async throws {
        try await Self.withForwardingGateway { gateway, client, upstream in
            for _ in 0..<3 {
                let call = try await client.callTool("ticket_list", token: Tokens.alice)
                #expect(expectToolSuccess(call)?["user"] == "alice")
            }
            let admin = try await client.callTool("user_list", arguments: ["search_value": "bo"], token: Tokens.admin)
            #expect(expectToolSuccess(admin)?["user"] == "admin")
            #expect(expectToolSuccess(admin)?["arguments"]?["search_value"] == "bo")
            #expect(upstream.sessionsOpened == 2, "alice's three calls share one session; admin has another")
            #expect(gateway.runtime.forwarding?.sessionCount == 2)
            #expect(upstream.calls(of: "ticket_list") == 3)
            let metrics = gateway.runtime.metrics.render()
            #expect(metrics.contains("endpoint=\"/mcp/tools/call\""), "upstream calls are counted")
            #expect(metrics.contains("endpoint=\"/mcp/initialize\""))
        }
    }

    @Test func concurrentFirstCallsOpenOneSession() async throws {
        try await Self.withForwardingGateway { _, client, upstream in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask { expectToolSuccess(try await client.callTool("ticket_list", token: Tokens.alice)) }
                }
                try await group.waitForAll()
            }
            #expect(upstream.sessionsOpened == 1)
        }
    }

    @Test func theTokenTravelsInTheHeaderNeverInTheArguments() async throws {
        try await Self.withForwardingGateway { _, client, upstream in
            let call = try await client.callTool("ticket_list", arguments: ["access_token": .string(Tokens.admin)])
            let result = try #require(expectToolSuccess(call))
            #expect(result["user"] == "admin", "the argument token authorizes the call, with no header at all")
            #expect(result["arguments"]?["access_token"] == nil)
            #expect(!upstream.http.requests.contains { $0.bodyText.contains(Tokens.adminSecret) })
        }
    }

    @Test func aForgottenSessionIsOpenedAgainAndTheReadSentAgain() async throws {
        try await Self.withForwardingGateway { _, client, upstream in
            expectToolSuccess(try await client.callTool("ticket_detail", arguments: ["ticket_id": .string(Self.ticket)], token: Tokens.alice))
            upstream.forgetAllSessions()
            let again = try await client.callTool("ticket_detail", arguments: ["ticket_id": .string(Self.ticket)], token: Tokens.alice)
            #expect(expectToolSuccess(again)?["tool"] == "ticket_detail")
            #expect(upstream.sessionsOpened == 2)
            #expect(upstream.calls(of: "ticket_detail") == 2, "the refused call never ran upstream; it ran once after")
        }
    }

    static let ticket = "089783ed-6e17-4c03-8547-6d84a1001218"
    static let handle: JSONObject = [
        "ticket_id": .string(ticket), "action_type": "agree", "action_id": "3818e520-4436-406b-a3a4-be6302caf2c3",
    ]

    @Test func aHandleIsSentOnceEvenWhenTheConnectionDropsAfterSending() async throws {
        try await Self.withForwardingGateway { gateway, client, upstream in
            upstream.dropConnection(afterReading: "ticket_handle")
            let call = try await client.callTool("ticket_handle", arguments: Self.handle, token: Tokens.alice)
            expectToolError(call, containing: ["outcome unknown", "ticket_detail"])
            #expect(upstream.calls(of: "ticket_handle") == 1, "a write is never sent twice")
            #expect(gateway.logs.text.split(separator: "\n").filter { $0.contains("audit.ticket_handle") }.count == 1)
        }
    }

    @Test func aHandleInAForgottenSessionIsNotSentAgain() async throws {
        try await Self.withForwardingGateway { _, client, upstream in
            expectToolSuccess(try await client.callTool("ticket_list", token: Tokens.alice))
            upstream.forgetAllSessions()
            let call = try await client.callTool("ticket_handle", arguments: Self.handle, token: Tokens.alice)
            expectToolError(call, containing: ["nothing was applied", "call the tool again"])
            let sent = upstream.http.requests.filter { $0.bodyText.contains("\"ticket_handle\"") }
            #expect(sent.count == 1, "sent once, refused for its session, not sent again")
            #expect(upstream.calls(of: "ticket_handle") == 0)
            let retried = try await client.callTool("ticket_handle", arguments: Self.handle, token: Tokens.alice)
            #expect(expectToolSuccess(retried)?["tool"] == "ticket_handle", "the next call opens a new session")
        }
    }

    @Test func readOnlyModeHidesAndRefusesTicketHandle() async throws {
        try await Self.withForwardingGateway(configure: { $0.tools.readOnly = true }) { _, client, upstream in
            let names = toolNames(expectResult(try await client.legacy("tools/list")))
            #expect(names == Self.forwardedNames.filter { $0 != "ticket_handle" })
            let call = try await client.callTool("ticket_handle", arguments: Self.handle, token: Tokens.alice)
            #expect(call.json?["error"] != nil || call.result?["isError"] == true)
            #expect(upstream.calls(of: "ticket_handle") == 0)
        }
    }

    @Test func modernClientsAreServedOverTheLegacyUpstream() async throws {
        try await Self.withForwardingGateway { _, client, upstream in
            #expect(toolNames(expectResult(try await client.modern("tools/list"))) == Self.forwardedNames)
            let call = try await client.callTool("ticket_list", arguments: ["category": "worked"], token: Tokens.aliceJWT, modern: true)
            let result = try #require(call.result)
            #expect(result["resultType"] == "complete")
            #expect(result["structuredContent"]?["arguments"]?["category"] == "worked")
            #expect(upstream.sessionsOpened == 1)
        }
    }

    @Test func argumentsAreCheckedHereBeforeAnythingIsForwarded() async throws {
        try await Self.withForwardingGateway { _, client, upstream in
            let cases: [(String, JSONObject, String)] = [
                ("ticket_list", ["per_page": "ten"], "argument \"per_page\" must be integer"),
                ("ticket_list", ["category": "everything"], "argument \"category\" must be one of"),
                ("ticket_list", ["per_page": 0], "at least 1"),
                ("ticket_list", ["no_such": 1], "unknown argument \"no_such\""),
                ("ticket_detail", [:], "argument \"ticket_id\" is required"),
                ("ticket_detail", ["ticket_id": "abc"], "must be a ticket UUID"),
                ("ticket_list", ["app_name": "evil_app"], "upstream.allowed_app_names"),
                ("ticket_list", ["access_token": .string(Tokens.garbage)], "argument \"access_token\""),
            ]
            for (tool, arguments, expected) in cases {
                let call = try await client.callTool(tool, arguments: arguments, token: Tokens.alice)
                expectToolError(call, containing: [expected])
            }
            #expect(upstream.http.requests.isEmpty, "nothing reached the upstream")
            let anonymous = try await client.callTool("ticket_list")
            #expect(anonymous.status == 401)
        }
    }

    @Test func upstreamErrorsArriveWithoutTheToken() async throws {
        try await Self.withForwardingGateway { _, client, _ in
            let call = try await client.callTool("ticket_list", token: Tokens.unknown)
            expectToolError(call, containing: ["Invalid token"])
            #expect(!call.text.contains("Error executing tool"))
            AuthenticationTests.expectNoTokenIn(call)
        }
    }

    @Test func extraUpstreamToolsAreOfferedOnlyByName() async throws {
        try await Self.withForwardingGateway(configure: { $0.tools.upstreamExtra = ["ticket_flow_summary"] }) { gateway, client, upstream in
            let ready = try await MCPTestClient(url: gateway.baseURL + "/readyz").bare("GET")
            #expect(ready.status == 200 && ready.text.contains("Loonflow MCP server answered"), "\(ready.text)")
            let names = toolNames(expectResult(try await client.legacy("tools/list")))
            #expect(names == Self.forwardedNames + ["ticket_flow_summary"], "ticket_reassign_all is not named, so not offered")
            let call = try await client.callTool("ticket_flow_summary", arguments: ["ticket_id": .string(Self.ticket)], token: Tokens.alice)
            #expect(expectToolSuccess(call)?["tool"] == "ticket_flow_summary")
            let missing = try await client.callTool("ticket_flow_summary", token: Tokens.alice)
            expectToolError(missing, containing: ["argument \"ticket_id\" is required"])
            #expect(upstream.calls(of: "ticket_reassign_all") == 0)
        }
    }

    @Test func checkConfigNamesTheForwardingSetup() async throws {
        let forwarding = try await ExecutableTests.run(["check-config"], environment: ["LOONFLOW_MCP_UPSTREAM_URL": "https://mcp.loonflow.com/mcp"])
        #expect(forwarding.exitCode == 0, "\(forwarding.stderr)")
        #expect(forwarding.stdout.contains("forwarded to the Loonflow MCP server at https://mcp.loonflow.com/mcp"))
        #expect(!forwarding.stdout.contains("DEMO MODE"))
        let both = try await ExecutableTests.run(
            ["check-config"],
            environment: ["LOONFLOW_MCP_UPSTREAM_URL": "https://mcp.loonflow.com/mcp", "LOONFLOW_BASE_URL": "http://127.0.0.1:9"])
        #expect(both.exitCode == 2)
        #expect(both.stderr.contains("not both"))
    }

    @Test func bothUpstreamsAtOnceIsAStartupError() throws {
        #expect(throws: GatewayHarnessError.self) {
            _ = try GatewayHarness(upstreamBaseURL: "http://127.0.0.1:9") { $0.upstream.mcpURL = "http://127.0.0.1:9/mcp" }
        }
    }
}
