import Foundation
import JSON
import Testing
import TestSupport

/// The README's run command on a fresh clone: no configuration at all, so the gateway serves
/// the bundled demo set, and a real MCP client with a demo token gets tickets.
@Suite struct DemoModeTests {
    /// The demo set's `tokens.json`, found from this file's location.
    static func demoTokens() throws -> JSONObject {
        var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast(3)
        let path = components.joined(separator: "/") + "/Fixtures/demo/tokens.json"
        let bytes = try #require(FileManager.default.contents(atPath: path).map { [UInt8]($0) }, "missing \(path)")
        return try #require(try JSONParser().parse(bytes).objectValue)
    }

    @Test func unconfiguredGatewayServesTheDemoSetToAPythonClient() async throws {
        let tokens = try Self.demoTokens()
        let admin = try #require(tokens.members.first?.value["demo_token"]?.stringValue)
        #expect(tokens.members.first?.value["user"] == "admin", "the admin's demo token comes first")
        let gateway = try await GatewayProcess.startHTTP(environment: [:])
        let unknown = "lfpat.0b1c2d3e-4f50-4a1b-8c2d-3e4f5a6b7c8d." + String(repeating: "Q", count: 64)
        let python = try PythonSDK.mcp2.python()
        let script = InteropTests.scriptDirectory + "/demo_client.py"
        let output = try await TestProcess.run(
            python, [script],
            environment: ["LMG_URL": gateway.mcpURL, "LMG_TOKEN": admin, "LMG_UNKNOWN_TOKEN": unknown, "PYTHONDONTWRITEBYTECODE": "1"],
            timeout: .seconds(90))
        let log = await gateway.stop()
        #expect(log.stderr.contains("serving the bundled demo fixtures"), "one plain start-up line says it is demo data")
        try #require(output.exitCode == 0, "demo client failed:\n\(output.stdout)\n\(output.stderr.suffix(3000))")
        let summary = try JSONParser().parse(String(output.stdout.split(separator: "\n").last ?? ""))
        #expect(summary["ticket_total"]?.intValue ?? 0 >= 15)
        #expect(summary["protocol_version"] == "2026-07-28")
        // Loonflow answers an unknown token with HTTP 500; the tool error says what that means.
        #expect(summary["unknown_text"]?.stringValue?.contains("rejects the access token") == true)
        #expect(!log.stderr.contains(unknown))
        #expect(!log.stderr.contains(admin), "not even a demo token reaches the log")
        #expect(log.stderr.contains("tokens.json"), "the start-up line says where the demo tokens are")
    }
}
