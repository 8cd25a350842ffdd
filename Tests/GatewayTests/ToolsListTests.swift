import JSON
import Testing
import TestSupport

/// `tools/list`: every tool in a fixed order with complete schemas, in both eras.
@Suite struct ToolsListTests {
    static let readTools = [
        "ticket_list", "user_list", "ticket_detail", "ticket_prepare_handle", "workflow_list", "ticket_prepare_create",
        "ticket_history",
    ]

    @Test(arguments: [false, true])
    func listsEveryToolWithFullSchemas(modern: Bool) async throws {
        try await withGateway { _, client, _ in
            let response = modern
                ? try await client.modern("tools/list", token: Tokens.alice)
                : try await client.legacy("tools/list", token: Tokens.alice)
            let tools = try #require(expectResult(response)?["tools"]?.arrayValue)
            #expect(tools.compactMap { $0["name"]?.stringValue } == allToolNames)
            for tool in tools {
                let name = tool["name"]?.stringValue ?? "?"
                #expect(tool["title"]?.stringValue?.isEmpty == false, "\(name) has a title")
                #expect((tool["description"]?.stringValue?.count ?? 0) > 40, "\(name) has a useful description")
                let input = try #require(tool["inputSchema"], "\(name) inputSchema")
                #expect(input["type"] == "object")
                #expect(input["additionalProperties"] == false, "\(name) rejects unknown arguments")
                #expect(input["properties"]?["access_token"]?["type"] == "string")
                #expect(input["properties"]?["app_name"]?["default"] == "loonflow")
                let output = try #require(tool["outputSchema"], "\(name) outputSchema")
                #expect(output["type"] == "object")
                let annotations = try #require(tool["annotations"])
                if Self.readTools.contains(name) {
                    #expect(annotations["readOnlyHint"] == true, "\(name) is read-only")
                    #expect(annotations["destructiveHint"] == false)
                    #expect(annotations["idempotentHint"] == true)
                } else {
                    #expect(annotations["readOnlyHint"] == false)
                    // Creating adds a ticket and overwrites nothing; handling changes one.
                    #expect(annotations["destructiveHint"] == .bool(name == "ticket_handle"), "\(name)")
                    #expect(annotations["idempotentHint"] == false, "\(name) repeated acts twice")
                }
                #expect(annotations["openWorldHint"] == false)
            }
            let ticketList = try #require(tools.first)
            let properties = try #require(ticketList["inputSchema"]?["properties"]?.objectValue)
            #expect(properties["category"]?["enum"] == ["duty", "owner", "relation", "worked", "intervene", "view", "all"])
            #expect(properties["category"]?["default"] == "duty")
            #expect(properties["per_page"]?["type"] == "integer")
            #expect(properties["reverse"]?["minimum"] == 0)
            #expect(properties["reverse"]?["maximum"] == 1)
            #expect(ticketList["outputSchema"]?["properties"]?["ticket_list"]?["type"] == "array")
            let userList = tools[1]
            #expect(userList["inputSchema"]?["properties"]?["simple"]?["type"] == "boolean")
            #expect(userList["outputSchema"]?["properties"]?["user_list"]?["type"] == "array")
        }
    }

    @Test func aCursorIsRefused() async throws {
        try await withGateway { _, client, _ in
            let response = try await client.legacy("tools/list", params: ["cursor": "page-2"], token: Tokens.alice)
            #expect(response.errorCode == -32602, "body: \(response.text)")
        }
    }

    @Test func readOnlyModeDropsTheWritingTools() async throws {
        try await withGateway(configure: { $0.tools.readOnly = true }) { _, client, _ in
            let response = try await client.legacy("tools/list", token: Tokens.alice)
            #expect(toolNames(expectResult(response)) == Self.readTools)
            for tool in ["ticket_handle", "ticket_create"] {
                let call = try await client.callTool(tool, token: Tokens.alice)
                #expect(call.errorCode == -32602)
            }
        }
    }
}
