import JSON
import Testing
import TestSupport

/// Tickets as resources, through both official Python SDKs and both eras, against the demo
/// set (recorded from Loonflow): the template, a listing, a read by a user who may view the
/// ticket and a refusal for one who may not (carol views only IT Incident tickets), and the
/// resource links in `ticket_list` results.
@Suite struct ResourcesTests {
    static func token(_ user: String) throws -> String {
        let tokens = try DemoModeTests.demoTokens()
        let entry = try #require(tokens.members.first { $0.value["user"]?.stringValue == user })
        return try #require(entry.value["demo_token"]?.stringValue)
    }

    @Test(arguments: [("1", "legacy", "2025-11-25"), ("2", "legacy", "2025-11-25"), ("2", "2026-07-28", "2026-07-28")])
    func ticketsAsResources(_ sdk: String, _ mode: String, _ version: String) async throws {
        let gateway = try await GatewayProcess.startHTTP(environment: [:])
        let python = try (sdk == "1" ? PythonSDK.mcp1 : PythonSDK.mcp2).python()
        let output = try await TestProcess.run(
            python, [InteropTests.scriptDirectory + "/resources_client.py"],
            environment: [
                "LMG_URL": gateway.mcpURL, "LMG_SDK": sdk, "LMG_MODE": mode, "LMG_VIEWER_TOKEN": try Self.token("alice"),
                "LMG_STRANGER_TOKEN": try Self.token("carol"), "PYTHONDONTWRITEBYTECODE": "1",
            ],
            timeout: .seconds(90))
        _ = await gateway.stop()
        try #require(output.exitCode == 0, "resources client failed:\n\(output.stdout)\n\(output.stderr.suffix(3000))")
        let summary = try JSONParser().parse(String(output.stdout.split(separator: "\n").last ?? ""))
        #expect(summary["protocol_version"] == .string(version))
        #expect(summary["templates"] == ["loonflow://tickets/{ticket_id}"])
        #expect(summary["listed"] == 10)
        #expect(summary["next_cursor"] == "2")
        #expect(summary["uris"]?.arrayValue?.allSatisfy { $0.stringValue?.hasPrefix("loonflow://tickets/") == true } == true)
        #expect(summary["read_mime"] == "application/json")
        #expect(summary["read_keys"]?.arrayValue?.contains("required_fields") == true)
        #expect(summary["read_keys"]?.arrayValue?.contains("actions") == true)
        let refusal = summary["refused"]?.stringValue ?? ""
        #expect(refusal.contains("user has no view permission"), "\(refusal)")
        let links = summary["link_uris"]?.arrayValue ?? []
        let rows = summary["row_ids"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(links == .init(rows.map { .string("loonflow://tickets/\($0)") }))
        #expect(!links.isEmpty)
    }
}
