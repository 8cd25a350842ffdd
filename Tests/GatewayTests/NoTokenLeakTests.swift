import HTTPMessage
import JSON
import Testing
import TestSupport

/// Every token the suite uses, in every place a client can put one, through the real
/// executable at debug log level: none may appear in a log line, on stdout or in a response.
@Suite struct NoTokenLeakTests {
    static let allTokens = [
        Tokens.alice, Tokens.admin, Tokens.bob, Tokens.unknown, Tokens.garbage, Tokens.malformedPAT, Tokens.aliceJWT,
        Tokens.aliceJWTWithoutExpiry, Tokens.expiredJWT,
    ]

    /// Sends each token as a Bearer header, as X-Loonflow-Access-Token, as the argument (bare
    /// and with `Bearer `), and in the URL; returns every response as text.
    static func exercise(_ client: MCPTestClient) async throws -> [String] {
        var seen: [String] = []
        for token in allTokens {
            for modern in [false, true] {
                for tool in ["ticket_list", "user_list"] {
                    seen.append(try await client.callTool(tool, token: token, modern: modern).text)
                    seen.append(try await client.callTool(tool, modern: modern, headers: ["X-Loonflow-Access-Token": token]).text)
                    seen.append(try await client.callTool(tool, arguments: ["access_token": .string(token)], modern: modern).text)
                    seen.append(try await client.callTool(
                        tool, arguments: ["access_token": .string("Bearer \(token)"), "simple": false], token: Tokens.garbage,
                        modern: modern).text)
                }
                seen.append(try await client.legacy("tools/list", token: token).text)
            }
            let inURL = try await client.post(MCPTestClient.request(method: "tools/list"), query: "access_token=\(token)")
            seen.append(inURL.text + inURL.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n"))
            let challenge = try await client.legacy("ping", token: token)
            seen.append(challenge.text + (challenge.headers["WWW-Authenticate"] ?? ""))
        }
        return seen
    }

    @Test func noTokenInLogsOrOutputs() async throws {
        let loonflow = try FakeLoonflow()
        defer { loonflow.stop() }
        let environment = [
            "LOONFLOW_BASE_URL": loonflow.baseURL, "LOONFLOW_MCP_LOG_LEVEL": "debug",
            "LOONFLOW_MCP_ACCESS_TOKEN": Tokens.aliceJWT,
        ]
        let http = try await GatewayProcess.startHTTP(environment: environment)
        var responses: [String] = []
        do {
            responses = try await Self.exercise(try http.client())
        } catch {
            _ = await http.stop()
            throw error
        }
        let httpOutput = await http.stop()
        #expect(httpOutput.exitCode == 0)
        #expect(httpOutput.stderr.contains("request"), "debug logging was on and captured")

        var stdioInput: [UInt8] = []
        for (index, token) in Self.allTokens.enumerated() {
            let call = MCPTestClient.request(
                id: .number(index), method: "tools/call",
                params: ["name": "ticket_list", "arguments": ["access_token": .string(token)]])
            stdioInput += call.serialized + [UInt8(ascii: "\n")]
        }
        stdioInput += MCPTestClient.request(id: 99, method: "tools/call", params: ["name": "user_list"]).serialized
        let stdio = try await TestProcess.run(
            try GatewayExecutable.path(), ["--stdio", "--log-level", "debug", "--log-format", "json"],
            environment: environment, stdin: stdioInput, timeout: .seconds(30))
        #expect(stdio.exitCode == 0)
        #expect(stdio.stdout.split(separator: "\n").count == Self.allTokens.count + 1)

        #expect(loonflow.upstream.requests.count > 20, "the tokens really went to Loonflow")
        for (place, text) in [
            ("HTTP gateway stderr", httpOutput.stderr), ("HTTP gateway stdout", httpOutput.stdout),
            ("stdio gateway stderr", stdio.stderr), ("stdio gateway stdout", stdio.stdout),
            ("HTTP responses", responses.joined(separator: "\n")),
            ("every captured child output so far", TestProcess.allOutputs.joined(separator: "\n")),
        ] {
            #expect(Tokens.leaked(in: text).isEmpty, "token material in \(place): \(Tokens.leaked(in: text))")
        }
    }
}
