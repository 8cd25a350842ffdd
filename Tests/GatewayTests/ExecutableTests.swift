import JSON
import Testing
import TestSupport

/// The built executable: its command line, stdio transport and HTTP serving.
@Suite struct ExecutableTests {
    static func run(_ arguments: [String], environment: [String: String] = [:], stdin: [UInt8]? = nil) async throws -> ProcessOutput {
        try await TestProcess.run(try GatewayExecutable.path(), arguments, environment: environment, stdin: stdin, timeout: .seconds(30))
    }

    @Test func versionAndHelp() async throws {
        let version = try await Self.run(["--version"])
        #expect(version.exitCode == 0)
        #expect(version.stdout.hasPrefix("loonflow-mcp-gateway "))
        let help = try await Self.run(["--help"])
        #expect(help.exitCode == 0)
        #expect(help.stdout.contains("USAGE") && help.stdout.contains("--stdio"))
    }

    @Test(arguments: [["--bogus"], ["frobnicate"], ["--port"]])
    func badCommandLineExitsWithUsageError(arguments: [String]) async throws {
        let output = try await Self.run(arguments)
        #expect(output.exitCode == 2, "stderr: \(output.stderr)")
        #expect(output.stderr.contains("loonflow-mcp-gateway:"))
        #expect(output.stdout.isEmpty)
    }

    @Test func checkConfigNeverPrintsTheToken() async throws {
        let output = try await Self.run(
            ["check-config"],
            environment: ["LOONFLOW_BASE_URL": "http://127.0.0.1:9", "LOONFLOW_MCP_ACCESS_TOKEN": Tokens.alice])
        #expect(output.exitCode == 0, "stderr: \(output.stderr)")
        #expect(output.stdout.contains("http://127.0.0.1:9"))
        #expect(Tokens.leaked(in: output.combined).isEmpty)
    }

    @Test(arguments: [Tokens.expiredJWT, Tokens.garbage])
    func unusableDefaultTokenStopsStartUp(token: String) async throws {
        let output = try await Self.run(
            ["--stdio"], environment: ["LOONFLOW_BASE_URL": "http://127.0.0.1:9", "LOONFLOW_MCP_ACCESS_TOKEN": token])
        #expect(output.exitCode == 1)
        #expect(output.stderr.contains("LOONFLOW_MCP_ACCESS_TOKEN"))
        #expect(Tokens.leaked(in: output.combined).isEmpty)
    }

    /// Over stdio with no server token, a call authorizes itself with its `access_token`
    /// argument, and one without any token is a tool error that says where a token can come from.
    @Test func stdioTakesTheTokenFromTheArgument() async throws {
        let loonflow = try FakeLoonflow()
        defer { loonflow.stop() }
        let lines: [JSONValue] = [
            MCPTestClient.request(id: 1, method: "initialize", params: LegacyProtocolTests.initializeParams("2025-06-18")),
            MCPTestClient.notification(method: "notifications/initialized"),
            MCPTestClient.request(id: 2, method: "tools/call", params: ["name": "ticket_list", "arguments": ["access_token": .string(Tokens.alice)]]),
            MCPTestClient.request(id: 3, method: "tools/call", params: ["name": "ticket_list", "arguments": [:]]),
        ]
        let output = try await Self.run(
            ["--stdio"], environment: ["LOONFLOW_BASE_URL": loonflow.baseURL],
            stdin: lines.flatMap { $0.serialized + [UInt8(ascii: "\n")] })
        #expect(output.exitCode == 0, "stderr: \(output.stderr)")
        var byID: [Int: JSONValue] = [:]
        for line in output.stdout.split(separator: "\n") {
            if let answer = try? JSONParser().parse(String(line)), let id = answer["id"]?.intValue { byID[id] = answer }
        }
        #expect(byID[2]?["result"]?["isError"] == false)
        #expect(byID[2]?["result"]?["structuredContent"]?["total"] == 4)
        #expect(byID[3]?["result"]?["isError"] == true)
        #expect(byID[3]?["result"]?["content"]?.arrayValue?.first?["text"]?.stringValue?.contains("access_token is required") == true)
        #expect(loonflow.upstream.requests.map { $0.headers["Authorization"] } == ["Bearer \(Tokens.alice)"])
        #expect(Tokens.leaked(in: output.combined).isEmpty)
    }

    /// Newline-delimited JSON-RPC in, one answer line per request out, logs on stderr only.
    @Test func stdioServesBothEras() async throws {
        let loonflow = try FakeLoonflow()
        defer { loonflow.stop() }
        let meta = JSONValue.object(MCPTestClient.modernMeta())
        let lines: [JSONValue] = [
            MCPTestClient.request(id: 1, method: "initialize", params: LegacyProtocolTests.initializeParams("2025-06-18")),
            MCPTestClient.notification(method: "notifications/initialized"),
            MCPTestClient.request(id: 2, method: "tools/list"),
            MCPTestClient.request(id: 3, method: "tools/call", params: ["name": "ticket_list", "arguments": [:]]),
            MCPTestClient.request(id: 4, method: "ping"),
            MCPTestClient.request(id: 5, method: "no/such"),
            MCPTestClient.request(id: 6, method: "server/discover", params: ["_meta": meta]),
            MCPTestClient.request(id: 7, method: "tools/list", params: ["_meta": meta]),
            MCPTestClient.request(
                id: 8, method: "tools/call",
                params: ["name": "user_list", "arguments": ["access_token": .string(Tokens.unknown)], "_meta": meta]),
            MCPTestClient.request(id: 9, method: "tools/list", params: ["_meta": .object(MCPTestClient.modernMeta(version: "2099-01-01"))]),
        ]
        var input = lines.flatMap { $0.serialized + [UInt8(ascii: "\n")] }
        input += Array("{not json\n\n".utf8)
        let output = try await Self.run(
            ["--stdio"],
            environment: ["LOONFLOW_BASE_URL": loonflow.baseURL, "LOONFLOW_MCP_ACCESS_TOKEN": Tokens.alice, "LOONFLOW_MCP_LOG_LEVEL": "debug"],
            stdin: input)
        #expect(output.exitCode == 0, "stderr: \(output.stderr)")
        let answers = output.stdout.split(separator: "\n").compactMap { try? JSONParser().parse(String($0)) }
        #expect(answers.count == output.stdout.split(separator: "\n").count, "stdout carries only JSON-RPC")
        #expect(answers.count == 10, "nine requests plus the parse error; stdout:\n\(output.stdout)")
        var byID: [Int: JSONValue] = [:]
        for answer in answers { if let id = answer["id"]?.intValue { byID[id] = answer } }

        #expect(byID[1]?["result"]?["protocolVersion"] == "2025-06-18")
        #expect(toolNames(byID[2]?["result"]) == allToolNames)
        #expect(byID[2]?["result"]?["resultType"] == nil)
        #expect(byID[3]?["result"]?["isError"] == false)
        #expect(byID[3]?["result"]?["structuredContent"]?["total"] == 4)
        #expect(byID[4]?["result"] == .object([:]))
        #expect(byID[5]?["error"]?["code"] == -32601)
        #expect(byID[6]?["result"]?["supportedVersions"]?.arrayValue?.contains("2026-07-28") == true)
        #expect(byID[7]?["result"]?["resultType"] == "complete")
        #expect(byID[7]?["result"]?["cacheScope"] == "private")
        #expect(byID[8]?["result"]?["isError"] == true, "the argument wins over the server's token")
        #expect(byID[8]?["result"]?["content"]?.arrayValue?.first?["text"]?.stringValue?.contains("HTTP 500") == true)
        #expect(byID[9]?["error"]?["code"] == -32022)
        #expect(answers.contains { $0["id"] == .null && $0["error"]?["code"] == -32700 })
        #expect(Set(loonflow.upstream.requests.map { $0.headers["Authorization"] ?? "" })
            == ["Bearer \(Tokens.alice)", "Bearer \(Tokens.unknown)"])
        #expect(Tokens.leaked(in: output.combined).isEmpty, "token material in stdio output")
    }

    @Test func servesHTTPAndStopsOnSIGTERM() async throws {
        let loonflow = try FakeLoonflow()
        defer { loonflow.stop() }
        let gateway = try await GatewayProcess.startHTTP(environment: ["LOONFLOW_BASE_URL": loonflow.baseURL])
        let client = try gateway.client()
        let call = try await client.callTool("ticket_list", token: Tokens.alice, modern: true)
        let health = try await MCPTestClient(url: String(gateway.mcpURL.dropLast(4)) + "/healthz").bare("GET")
        let output = await gateway.stop()
        expectToolSuccess(call)
        #expect(health.status == 200)
        #expect(output.exitCode == 0, "stderr: \(output.stderr)")
        #expect(output.stderr.contains("stopped"))
        #expect(output.stdout.isEmpty, "HTTP mode writes nothing to stdout")
    }
}
