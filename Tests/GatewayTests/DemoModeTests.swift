import Foundation
import JSON
import Testing
import TestSupport

/// The README's run command on a fresh clone: no configuration at all, so the gateway serves the
/// simulated demo Loonflow, and a real MCP client with demo tokens explores it and acts on it.
@Suite struct DemoModeTests {
    /// The demo's `tokens.json`, found from this file's location.
    static func demoTokens() throws -> JSONObject {
        var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast(3)
        let path = components.joined(separator: "/") + "/Fixtures/simulator/tokens.json"
        let bytes = try #require(FileManager.default.contents(atPath: path).map { [UInt8]($0) }, "missing \(path)")
        return try #require(try JSONParser().parse(bytes).objectValue)
    }

    @Test func theDemoTokensFileNamesTokenKindsAndStartsWithAUserWhoHasWork() throws {
        let tokens = try Self.demoTokens()
        #expect(tokens.members.first?.value["user"] == "alice", "the first-named demo user has tickets to do")
        for (placeholder, entry) in tokens.members {
            let token = try #require(entry["demo_token"]?.stringValue)
            #expect(placeholder.hasPrefix("<PAT_") == token.hasPrefix("lfpat."), "\(placeholder) names the kind it holds")
        }
    }

    @Test func unconfiguredGatewayServesTheSimulatedLoonflowToAPythonClient() async throws {
        let tokens = try Self.demoTokens()
        var byUser: [String: JSONValue] = [:]
        for (_, entry) in tokens.members { byUser[entry["user"]?.stringValue ?? ""] = entry["demo_token"] }
        let gateway = try await GatewayProcess.startHTTP(environment: [:])
        let unknown = "lfpat.0b1c2d3e-4f50-4a1b-8c2d-3e4f5a6b7c8d." + String(repeating: "Q", count: 64)
        let python = try PythonSDK.mcp2.python()
        let output = try await TestProcess.run(
            python, [InteropTests.scriptDirectory + "/demo_client.py"],
            environment: [
                "LMG_URL": gateway.mcpURL, "LMG_TOKENS": JSONSerializer().string(.object(JSONObject(byUser.map { ($0.key, $0.value) }))),
                "LMG_UNKNOWN_TOKEN": unknown, "PYTHONDONTWRITEBYTECODE": "1",
            ],
            timeout: .seconds(120))
        let log = await gateway.stop()
        #expect(log.stderr.contains("simulated Loonflow"), "one plain start-up line says it is the simulated demo")
        #expect(log.stderr.contains("a restart resets it"), "and that its state lives in memory")
        try #require(output.exitCode == 0, "demo client failed:\n\(output.stdout)\n\(output.stderr.suffix(3000))")
        let summary = try JSONParser().parse(String(output.stdout.split(separator: "\n").last ?? ""))
        #expect(summary["protocol_version"] == "2026-07-28")
        try expectExploring(summary)
        try expectActing(summary)
        // Loonflow answers an unknown token with HTTP 500 and an unknown ticket with "Internal Server Error".
        #expect(summary["unknown_token"]?["text"]?.stringValue?.contains("rejects the access token") == true)
        #expect(summary["unknown_ticket"]?["text"]?.stringValue?.contains("Internal Server Error") == true)
        #expect(!log.stderr.contains(unknown))
        for token in byUser.values { #expect(!log.stderr.contains(token.stringValue ?? "?"), "not even a demo token reaches the log") }
        #expect(log.stderr.contains("tokens.json"), "the start-up line says where the demo tokens are")
    }

    /// stdio has no HTTP headers, so the demo hint names the environment variable and the argument.
    @Test func stdioDemoHintAndCheckConfigNameDemoMode() async throws {
        let alice = try #require(try Self.demoTokens().members.first?.value["demo_token"]?.stringValue)
        let call = MCPTestClient.request(
            id: 1, method: "tools/call", params: ["name": "ticket_list", "arguments": ["category": "duty"], "_meta": .object(MCPTestClient.modernMeta())])
        let discover = MCPTestClient.request(id: 2, method: "server/discover", params: ["_meta": .object(MCPTestClient.modernMeta())])
        let input = [call, discover].map { JSONSerializer().string($0) + "\n" }.joined()
        let stdio = try await ExecutableTests.run(["--stdio"], environment: ["LOONFLOW_MCP_ACCESS_TOKEN": alice], stdin: Array(input.utf8))
        #expect(stdio.stderr.contains("LOONFLOW_MCP_ACCESS_TOKEN") && stdio.stderr.contains("access_token"))
        #expect(!stdio.stderr.contains("Authorization"), "no HTTP header in a stdio hint")
        let lines = try stdio.stdout.split(separator: "\n").map { try JSONParser().parse(String($0)) }
        let answer = try #require(lines.first { $0["id"] == 1 })
        #expect((answer["result"]?["structuredContent"]?["total"]?.intValue ?? 0) > 0, "alice has tickets to do: \(answer)")
        let instructions = try #require(lines.first { $0["id"] == 2 }?["result"]?["instructions"]?.stringValue)
        #expect(instructions.contains("simulated Loonflow") && instructions.contains("restart"), "the instructions say state resets")
        #expect(!stdio.stderr.contains(alice))
        let config = try await ExecutableTests.run(["check-config"])
        #expect(config.stdout.contains("DEMO MODE"))
    }

    /// The calls that hit "no recorded exchange" walls under exact replay all answer sensibly.
    private func expectExploring(_ summary: JSONValue) throws {
        let lists = try #require(summary["lists"])
        for name in ["per_page_5", "per_page_20", "page_2", "search_leave", "finished", "reverse_0", "create_start"] {
            #expect(lists[name]?["error"] == false, "ticket_list \(name): \(lists[name] ?? .null)")
        }
        #expect(lists["per_page_5"]?["titles"]?.arrayValue?.count == 5)
        #expect(lists["per_page_20"]?["titles"]?.arrayValue?.count == 15)
        #expect(lists["page_2"]?["page"] == 2)
        #expect(lists["page_2"]?["titles"] != lists["per_page_5"]?["titles"])
        let leave = lists["search_leave"]?["titles"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(!leave.isEmpty && leave.allSatisfy { $0.contains("leave") })
        #expect(lists["finished"]?["total"] == 2, "the two finished demo tickets")
        let newest = lists["per_page_20"]?["titles"]?.arrayValue ?? []
        #expect(lists["reverse_0"]?["titles"]?.arrayValue?.first == newest.last, "reverse 0 lists the oldest first")
        let users = try #require(summary["users"])
        #expect(users["search_bob"]?["titles"] == ["bob"])
        #expect(users["per_page_100"]?["total"] == 5)
        #expect(users["page_2"]?["titles"]?.arrayValue?.count == 2)
        #expect(users["full_rows"]?["error"] == false, "the admin reads full rows")
    }

    /// An approval moves the ticket from alice's duty list to bob's.
    private func expectActing(_ summary: JSONValue) throws {
        #expect(summary["handle"]?["error"] == false, "\(summary["handle"] ?? .null)")
        let title = try #require(summary["handled_title"])
        #expect(summary["alice_duty_after"]?["titles"]?.arrayValue?.contains(title) == false)
        #expect(summary["alice_worked_after"]?["titles"]?.arrayValue?.contains(title) == true)
        #expect(summary["bob_duty_after"]?["titles"]?.arrayValue?.contains(title) == true)
    }
}
