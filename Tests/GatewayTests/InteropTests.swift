import JSON
import Testing
import TestSupport

/// The official Python MCP SDKs (1.27.0 and 2.3.0, from PyPI) against the gateway, over HTTP
/// and stdio. Each client script lists tools, calls ticket_list and user_list, provokes a tool
/// error, prints a JSON summary and exits non-zero on any mismatch.
@Suite struct InteropTests {
    /// `Tests/GatewayTests/Interop`, found from this file's location.
    static var scriptDirectory: String {
        var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast()
        return components.joined(separator: "/") + "/Interop"
    }

    struct Run {
        var summary: JSONValue
        var output: ProcessOutput
    }

    /// Runs one client script and returns its summary; fails with the script's stderr otherwise.
    static func runClient(_ sdk: PythonSDK, environment: [String: String]) async throws -> Run {
        let python = try sdk.python()
        var env = environment
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONUNBUFFERED"] = "1"
        env["LMG_EXPECT_TICKETS"] = "4"
        env["LMG_EXPECT_USERS"] = "5"
        let script = "\(scriptDirectory)/\(sdk.rawValue)_client.py"
        let output = try await TestProcess.run(python, [script], environment: env, timeout: .seconds(90))
        #expect(!output.timedOut, "\(sdk.requirement) client timed out; stderr:\n\(output.stderr.suffix(3000))")
        try #require(output.exitCode == 0, "\(sdk.requirement) client failed (\(output.exitCode)); stderr:\n\(output.stderr.suffix(4000))")
        let lastLine = output.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let summary = try #require(try? JSONParser().parse(lastLine), "no JSON summary; stdout:\n\(output.stdout)")
        let leaks = Tokens.leaked(in: output.stdout + output.stderr)
        #expect(leaks.isEmpty, "token material in the client's or the gateway's output: \(leaks)")
        return Run(summary: summary, output: output)
    }

    static func expectCommonSummary(_ summary: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(summary["tools"] == .array(allToolNames.map { .string($0) }), sourceLocation: sourceLocation)
        #expect(summary["ticket_total"] == 4, sourceLocation: sourceLocation)
        #expect(summary["ticket_rows"] == 4, sourceLocation: sourceLocation)
        #expect(summary["user_rows"] == 5, sourceLocation: sourceLocation)
        #expect(summary["read_only"]?["ticket_list"] == true, sourceLocation: sourceLocation)
        #expect(summary["read_only"]?["ticket_handle"] == false, sourceLocation: sourceLocation)
        #expect(summary["bad_category_error"]?.stringValue?.contains("category is invalid") == true, sourceLocation: sourceLocation)
    }

    /// Runs `sdk` over HTTP against an in-process gateway; the token goes in `Authorization`.
    static func overHTTP(_ sdk: PythonSDK, mode: String? = nil) async throws -> JSONValue {
        var summary: JSONValue = .null
        try await withGateway { gateway, _, loonflow in
            var env = ["LMG_TRANSPORT": "http", "LMG_URL": gateway.mcpURL, "LMG_TOKEN": Tokens.alice]
            if let mode { env["LMG_MODE"] = mode }
            summary = try await runClient(sdk, environment: env).summary
            #expect(loonflow.upstream.requests.count == 2, "ticket_list and user_list; the bad category never left the gateway")
            #expect(loonflow.upstream.requests.allSatisfy { $0.headers["Authorization"] == "Bearer \(Tokens.alice)" })
        }
        expectCommonSummary(summary)
        #expect(summary["transport"] == "http")
        return summary
    }

    /// Runs `sdk` over stdio: the client spawns the gateway executable with `--stdio` and
    /// `LOONFLOW_MCP_ACCESS_TOKEN`.
    static func overStdio(_ sdk: PythonSDK, mode: String? = nil) async throws -> JSONValue {
        let loonflow = try FakeLoonflow()
        defer { loonflow.stop() }
        var env = [
            "LMG_TRANSPORT": "stdio", "LMG_GATEWAY": try GatewayExecutable.path(), "LMG_UPSTREAM": loonflow.baseURL,
            "LMG_TOKEN": Tokens.alice,
        ]
        if let mode { env["LMG_MODE"] = mode }
        let run = try await runClient(sdk, environment: env)
        #expect(run.output.stderr.contains("stdio.ready"), "the gateway's log went to the client's stderr")
        #expect(loonflow.upstream.requests.count == 2)
        #expect(loonflow.upstream.requests.allSatisfy { $0.headers["Authorization"] == "Bearer \(Tokens.alice)" })
        expectCommonSummary(run.summary)
        #expect(run.summary["transport"] == "stdio")
        return run.summary
    }

    @Test func sdk1OverHTTP() async throws {
        let summary = try await Self.overHTTP(.mcp1)
        #expect(summary["sdk"] == "1.27.0")
        #expect(summary["protocol_version"] == "2025-11-25")
        #expect(summary["server_name"] == "loonflow-ticket")
        #expect(summary["bad_token_status"] == 401, "a bad token ends the connection attempt with HTTP 401")
    }

    /// The 2024-11-05 HTTP+SSE transport (`GET /sse`, `POST /messages/`), as older clients and
    /// Loonflow's own server with `LOONFLOW_MCP_TRANSPORT=sse` speak it.
    @Test func sdk1OverHTTPAndSSE() async throws {
        var summary: JSONValue = .null
        try await withGateway { gateway, _, loonflow in
            let env = ["LMG_TRANSPORT": "sse", "LMG_URL": gateway.baseURL + "/sse", "LMG_TOKEN": Tokens.alice]
            summary = try await Self.runClient(.mcp1, environment: env).summary
            #expect(loonflow.upstream.requests.count == 2)
            #expect(loonflow.upstream.requests.allSatisfy { $0.headers["Authorization"] == "Bearer \(Tokens.alice)" })
        }
        Self.expectCommonSummary(summary)
        #expect(summary["transport"] == "sse")
        #expect(summary["protocol_version"] == "2025-11-25")
    }

    @Test func sdk1OverStdio() async throws {
        let summary = try await Self.overStdio(.mcp1)
        #expect(summary["sdk"] == "1.27.0")
        #expect(summary["protocol_version"] == "2025-11-25")
    }

    @Test(arguments: [("auto", "2026-07-28"), ("2026-07-28", "2026-07-28"), ("legacy", "2025-11-25")])
    func sdk2OverHTTP(mode: String, negotiated: String) async throws {
        let summary = try await Self.overHTTP(.mcp2, mode: mode)
        #expect(summary["sdk"] == "2.3.0")
        #expect(summary["protocol_version"] == .string(negotiated), "mode \(mode) settled on \(summary["protocol_version"] ?? .null)")
        if mode != "2026-07-28" {
            // A pinned version adopts a synthesized discover result, which names no server.
            #expect(summary["server_name"] == "loonflow-ticket")
        }
        #expect(summary["bad_token_code"] == -32001, "the 401's JSON-RPC error reaches the SDK's caller")
    }

    @Test(arguments: [("auto", "2026-07-28"), ("2026-07-28", "2026-07-28"), ("legacy", "2025-11-25")])
    func sdk2OverStdio(mode: String, negotiated: String) async throws {
        let summary = try await Self.overStdio(.mcp2, mode: mode)
        #expect(summary["sdk"] == "2.3.0")
        #expect(summary["protocol_version"] == .string(negotiated), "mode \(mode) settled on \(summary["protocol_version"] ?? .null)")
    }
}
