import Config
import HTTPMessage
import JSON
import TestSupport
import Testing

/// How callers prove who they are, and what the gateway passes on to Loonflow.
@Suite struct AuthenticationTests {
    static let realm = #"Bearer realm="loonflow-ticket""#

    /// Neither the body nor any header of the response holds token material.
    static func expectNoTokenIn(_ response: MCPTestResponse, sourceLocation: SourceLocation = #_sourceLocation) {
        let headerText = response.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
        #expect(Tokens.leaked(in: response.text + headerText).isEmpty, "token echoed: \(response.text)", sourceLocation: sourceLocation)
    }

    @Test(arguments: [false, true])
    func strictDiscoveryWantsATokenForEverything(modern: Bool) async throws {
        try await withGateway(configure: { $0.auth.anonymousDiscovery = false }) { _, client, loonflow in
            let response = modern
                ? try await client.modern("tools/list", id: 11)
                : try await client.legacy("tools/list", id: 11)
            expectRPCError(response, status: 401, code: -32001, id: 11)
            #expect(response.headers["WWW-Authenticate"] == Self.realm)
            #expect(response.errorMessage?.contains("Authorization: Bearer") == true)
            let call = try await client.callTool("ticket_list", modern: modern)
            #expect(call.status == 401)
            let initialized = try await client.post(MCPTestClient.notification(method: "notifications/initialized"))
            #expect(initialized.status == 401)
            #expect(loonflow.upstream.requests.isEmpty)
        }
    }

    @Test(arguments: [Tokens.garbage, Tokens.malformedPAT, Tokens.expiredJWT, Tokens.aliceJWTWithoutExpiry, Tokens.stringExpiryJWT, "lfpat.x.y", "a.b.c"])
    func badHeaderTokenIs401InvalidToken(token: String) async throws {
        try await withGateway { _, client, loonflow in
            for headers: HTTPHeaders in [["Authorization": "Bearer \(token)"], ["X-Loonflow-Access-Token": token]] {
                let response = try await client.legacy("tools/list", id: 4, headers: headers)
                expectRPCError(response, status: 401, code: -32001, id: 4)
                let challenge = try #require(response.headers["WWW-Authenticate"])
                #expect(challenge.hasPrefix(Self.realm + ", "))
                #expect(challenge.contains(#"error="invalid_token""#))
                #expect(challenge.contains("error_description=\""))
                #expect(!challenge.contains(token), "the challenge never echoes the token")
                #expect(!response.text.contains(token), "the body never echoes the token")
                Self.expectNoTokenIn(response)
            }
            let expired = try await client.callTool("ticket_list", token: Tokens.expiredJWT, modern: true)
            #expect(expired.status == 401)
            if token == Tokens.expiredJWT { #expect(expired.headers["WWW-Authenticate"]?.contains("expired") == true) }
            #expect(loonflow.upstream.requests.isEmpty)
        }
    }

    @Test(arguments: [Tokens.alice, Tokens.aliceJWT])
    func goodHeaderTokenReachesLoonflowAsBearer(token: String) async throws {
        try await withGateway { _, client, loonflow in
            let response = try await client.callTool("ticket_list", token: token)
            #expect(expectToolSuccess(response)?["total"] == 4)
            let seen = try #require(loonflow.upstream.requests.first)
            #expect(seen.headers.values(for: "Authorization") == ["Bearer \(token)"])
            Self.expectNoTokenIn(response)
        }
    }

    @Test func xLoonflowAccessTokenHeaderWorks() async throws {
        try await withGateway { _, client, loonflow in
            let response = try await client.callTool("user_list", headers: ["X-Loonflow-Access-Token": Tokens.alice])
            expectToolSuccess(response)
            #expect(loonflow.upstream.requests.first?.headers["Authorization"] == "Bearer \(Tokens.alice)")
        }
    }

    @Test func argumentWinsAndHeadersAreThenNotExamined() async throws {
        try await withGateway { _, client, loonflow in
            let garbageHeader = try await client.callTool(
                "ticket_list", arguments: ["access_token": .string(Tokens.alice)], modern: true,
                headers: ["Authorization": "Bearer \(Tokens.garbage)", "X-Loonflow-Access-Token": Tokens.expiredJWT])
            expectToolSuccess(garbageHeader)
            #expect(loonflow.upstream.requests.last?.headers["Authorization"] == "Bearer \(Tokens.alice)")

            let otherUser = try await client.callTool(
                "ticket_list", arguments: ["access_token": .string(Tokens.admin)], token: Tokens.alice)
            #expect(expectToolSuccess(otherUser)?["total"] == 15, "the argument's user, not the header's")
            #expect(loonflow.upstream.requests.last?.headers["Authorization"] == "Bearer \(Tokens.admin)")
        }
    }

    @Test(arguments: [Tokens.garbage, Tokens.malformedPAT, Tokens.expiredJWT])
    func badArgumentWithGoodHeaderIsAToolError(argument: String) async throws {
        try await withGateway { _, client, loonflow in
            let response = try await client.callTool(
                "ticket_list", arguments: ["access_token": .string(argument)], token: Tokens.alice)
            expectToolError(response, containing: ["access_token"])
            Self.expectNoTokenIn(response)
            #expect(loonflow.upstream.requests.isEmpty, "a bad argument never falls back to the header")
        }
    }

    @Test func bearerPrefixInTheArgumentIsStripped() async throws {
        try await withGateway { _, client, loonflow in
            let response = try await client.callTool(
                "user_list", arguments: ["access_token": .string("Bearer \(Tokens.alice)")], modern: true)
            expectToolSuccess(response)
            #expect(loonflow.upstream.requests.first?.headers["Authorization"] == "Bearer \(Tokens.alice)")
        }
    }

    @Test(arguments: ["", "   ", "\t"])
    func blankArgumentMeansAbsent(blank: String) async throws {
        try await withGateway { _, client, loonflow in
            let withHeader = try await client.callTool("user_list", arguments: ["access_token": .string(blank)], token: Tokens.alice)
            expectToolSuccess(withHeader)
            #expect(loonflow.upstream.requests.first?.headers["Authorization"] == "Bearer \(Tokens.alice)")
            let withoutHeader = try await client.callTool("user_list", arguments: ["access_token": .string(blank)])
            #expect(withoutHeader.status == 401, "blank is no token at all")
        }
    }

    @Test(arguments: ["access_token", "token", "Authorization", "ACCESS_TOKEN"])
    func tokenInTheQueryIsRefused(key: String) async throws {
        try await withGateway { _, client, loonflow in
            let response = try await client.post(
                MCPTestClient.request(method: "tools/list"), headers: MCPTestClient.bearer(Tokens.alice),
                query: "\(key)=\(Tokens.alice)")
            expectRPCError(response, status: 400, code: -32600, id: nil)
            Self.expectNoTokenIn(response)
            #expect(loonflow.upstream.requests.isEmpty)
        }
    }

    @Test func discoveryNeedsNoTokenByDefaultButToolCallsDo() async throws {
        try await withGateway { _, client, loonflow in
            let initialize = try await client.legacy(
                "initialize", params: LegacyProtocolTests.initializeParams("2025-11-25"), protocolVersion: nil)
            expectResult(initialize)
            expectAccepted(try await client.post(MCPTestClient.notification(method: "notifications/initialized")))
            #expect(toolNames(expectResult(try await client.legacy("tools/list"))) == allToolNames)
            #expect(expectResult(try await client.legacy("ping")) == .object([:]))
            #expect(toolNames(expectResult(try await client.modern("tools/list"))) == allToolNames)
            expectResult(try await client.modern("server/discover"))

            let call = try await client.callTool("ticket_list")
            expectRPCError(call, status: 401, code: -32001)
            #expect(call.headers["WWW-Authenticate"] == Self.realm)
            let modernCall = try await client.callTool("ticket_list", modern: true)
            #expect(modernCall.status == 401)
            let badToken = try await client.legacy("tools/list", token: Tokens.garbage)
            #expect(badToken.status == 401, "a bad token is refused even where none is needed")
            #expect(loonflow.upstream.requests.isEmpty)
        }
    }

    @Test func loonflowSeesOnlyTheBearerAndNoClientHeaders() async throws {
        try await withGateway { _, client, loonflow in
            let clientHeaders: HTTPHeaders = [
                "Cookie": "sessionid=client-cookie", "X-Forwarded-For": "203.0.113.9", "X-Custom-Header": "client-value",
                "appname": "spoofed", "Mcp-Session-Id": "client-session", "User-Agent": "client-agent/1.0",
            ]
            let response = try await client.callTool("ticket_list", token: Tokens.alice, headers: clientHeaders)
            expectToolSuccess(response)
            let seen = try #require(loonflow.upstream.requests.first)
            #expect(seen.headers.values(for: "Authorization") == ["Bearer \(Tokens.alice)"])
            for field in clientHeaders {
                #expect(seen.headers.values(for: field.name).allSatisfy { $0 != field.value }, "\(field.name) passed through")
            }
            #expect(seen.headers["appname"] == nil)
            #expect(seen.headers["X-Loonflow-Access-Token"] == nil)
            #expect(seen.headers["MCP-Protocol-Version"] == nil)
        }
    }

    @Test func appNameHeaderOnlyForAllowedNonDefaultApps() async throws {
        try await withGateway(configure: { $0.upstream.allowedAppNames = ["loonflow", "other_app"] }) { _, client, loonflow in
            expectToolSuccess(try await client.callTool("ticket_list", arguments: ["app_name": "other_app"], token: Tokens.alice))
            #expect(loonflow.upstream.requests.last?.headers.values(for: "appname") == ["other_app"])

            expectToolSuccess(try await client.callTool("ticket_list", arguments: ["app_name": "loonflow"], token: Tokens.alice))
            #expect(loonflow.upstream.requests.last?.headers["appname"] == nil)

            let count = loonflow.upstream.requests.count
            let refused = try await client.callTool("ticket_list", arguments: ["app_name": "evil_app"], token: Tokens.alice)
            expectToolError(refused, containing: ["evil_app", "allowed_app_names"])
            #expect(loonflow.upstream.requests.count == count, "nothing sent for an app that is not allowed")
        }
    }

    @Test(arguments: ["ticket_list", "user_list"])
    func loonflow500MeansTheTokenWasProbablyRejected(tool: String) async throws {
        try await withGateway { _, client, loonflow in
            let response = try await client.callTool(tool, token: Tokens.unknown)
            expectToolError(response, containing: ["HTTP 500", "token", "not retried"])
            Self.expectNoTokenIn(response)
            #expect(loonflow.upstream.requests.count == 1, "exactly one upstream request, never retried")
            #expect(loonflow.upstream.requests.first?.headers["Authorization"] == "Bearer \(Tokens.unknown)")
        }
    }

    @Test func defaultTokenServesCallsWithoutOne() async throws {
        try await withGateway(environment: ["LOONFLOW_MCP_ACCESS_TOKEN": Tokens.alice]) { _, client, loonflow in
            expectToolSuccess(try await client.callTool("ticket_list"))
            #expect(loonflow.upstream.requests.first?.headers["Authorization"] == "Bearer \(Tokens.alice)")
            expectToolSuccess(try await client.callTool("ticket_list", token: Tokens.admin))
            #expect(loonflow.upstream.requests.last?.headers["Authorization"] == "Bearer \(Tokens.admin)")
        }
    }
}
