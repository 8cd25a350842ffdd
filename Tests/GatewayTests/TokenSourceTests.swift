import HTTPMessage
import JSON
import Testing
import TestSupport

/// The four places a caller's token can come from, alone and in pairs, with the precedence
/// Loonflow's own server uses: the `access_token` argument, then `Authorization: Bearer`,
/// then `X-Loonflow-Access-Token`, then `LOONFLOW_MCP_ACCESS_TOKEN`.
@Suite struct TokenSourceTests {
    enum Source: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case argument, authorization, loonflowHeader, environment

        /// A distinct token Loonflow (the fake) accepts, one per source.
        var token: String {
            switch self {
            case .argument: Tokens.admin
            case .authorization: Tokens.alice
            case .loonflowHeader: Tokens.aliceJWT
            case .environment: Tokens.aliceJWTLater
            }
        }

        var testDescription: String { rawValue }
    }

    /// Every single source and every pair of them.
    static let combinations: [[Source]] = {
        var result = Source.allCases.map { [$0] }
        for (i, first) in Source.allCases.enumerated() {
            for second in Source.allCases.dropFirst(i + 1) { result.append([first, second]) }
        }
        return result
    }()

    @Test(arguments: combinations, [false, true])
    func theStrongestSourceIsTheOneLoonflowSees(sources: [Source], modern: Bool) async throws {
        let environment = sources.contains(.environment) ? ["LOONFLOW_MCP_ACCESS_TOKEN": Source.environment.token] : [:]
        try await withGateway(environment: environment) { _, client, loonflow in
            var arguments: JSONObject = [:]
            var headers = HTTPHeaders()
            if sources.contains(.argument) { arguments["access_token"] = .string(Source.argument.token) }
            if sources.contains(.authorization) { headers.add("Authorization", "Bearer \(Source.authorization.token)") }
            if sources.contains(.loonflowHeader) { headers.add("X-Loonflow-Access-Token", Source.loonflowHeader.token) }
            let response = try await client.callTool("user_list", arguments: arguments, modern: modern, headers: headers)
            expectToolSuccess(response)
            let winner = try #require(Source.allCases.first { sources.contains($0) })
            #expect(loonflow.upstream.requests.map { $0.headers["Authorization"] } == ["Bearer \(winner.token)"])
        }
    }

    /// A client configured without headers: the handshake and the tool list need no token,
    /// and each call authorizes itself with its argument.
    @Test(arguments: [Tokens.alice, Tokens.aliceJWT, "Bearer \(Tokens.alice)"])
    func anArgumentTokenAloneWorksInTheLegacyEra(token: String) async throws {
        try await withGateway { _, client, loonflow in
            let initialize = try await client.legacy(
                "initialize", params: LegacyProtocolTests.initializeParams("2025-06-18"), protocolVersion: nil)
            expectResult(initialize)
            expectAccepted(try await client.post(MCPTestClient.notification(method: "notifications/initialized")))
            #expect(toolNames(expectResult(try await client.legacy("tools/list"))) == allToolNames)
            let call = try await client.callTool("ticket_list", arguments: ["access_token": .string(token)])
            #expect(expectToolSuccess(call)?["total"] == 4)
            let bare = token.hasPrefix("Bearer ") ? String(token.dropFirst(7)) : token
            #expect(loonflow.upstream.requests.map { $0.headers["Authorization"] } == ["Bearer \(bare)"])
        }
    }

    @Test func anArgumentTokenAloneWorksInTheModernEra() async throws {
        try await withGateway { _, client, loonflow in
            expectResult(try await client.modern("server/discover"))
            #expect(toolNames(expectResult(try await client.modern("tools/list"))) == allToolNames)
            let call = try await client.callTool("ticket_list", arguments: ["access_token": .string(Tokens.aliceJWT)], modern: true)
            #expect(expectToolSuccess(call)?["total"] == 4)
            #expect(loonflow.upstream.requests.first?.headers["Authorization"] == "Bearer \(Tokens.aliceJWT)")
        }
    }

    @Test(arguments: [false, true])
    func aCallWithNoTokenAnywhereIs401(modern: Bool) async throws {
        try await withGateway { _, client, loonflow in
            let call = try await client.callTool("ticket_list", modern: modern)
            expectRPCError(call, status: 401, code: -32001)
            #expect(call.headers["WWW-Authenticate"] == AuthenticationTests.realm)
            #expect(loonflow.upstream.requests.isEmpty)
        }
    }

    @Test(arguments: [Tokens.garbage, Tokens.malformedPAT, Tokens.expiredJWT])
    func aMalformedArgumentTokenIsAToolErrorThatNamesTheProblem(token: String) async throws {
        try await withGateway { _, client, loonflow in
            let call = try await client.callTool("ticket_list", arguments: ["access_token": .string(token)])
            expectToolError(call, containing: ["argument \"access_token\""])
            AuthenticationTests.expectNoTokenIn(call)
            #expect(loonflow.upstream.requests.isEmpty)
        }
    }

    @Test func aMalformedHeaderTokenIsStill401OnDiscovery() async throws {
        try await withGateway { _, client, _ in
            let response = try await client.legacy("tools/list", token: Tokens.garbage)
            expectRPCError(response, status: 401, code: -32001)
        }
    }
}
