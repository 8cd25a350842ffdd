import HTTPMessage
import JSON
import TestSupport
import Testing

/// Per-request narrowing: `X-MCP-Readonly`, `X-MCP-Tools` and the read-only path, in both
/// eras; `tools/list` and `tools/call` agree, and nothing widens what the operator allows.
@Suite struct ToolScopeTests {
    static let readOnlyTools = [
        "ticket_list", "user_list", "ticket_detail", "ticket_prepare_handle", "workflow_list", "ticket_prepare_create",
        "ticket_history",
    ]

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var headers: HTTPHeaders
        var readOnlyPath = false
        var listed: [String]
        var unknown: [String] = []
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "no narrowing", headers: [:], listed: allToolNames),
        Case(name: "X-MCP-Readonly: true", headers: ["X-MCP-Readonly": "true"], listed: readOnlyTools),
        Case(name: "X-MCP-Readonly: false", headers: ["X-MCP-Readonly": "false"], listed: allToolNames),
        Case(name: "a mistyped X-MCP-Readonly narrows", headers: ["X-MCP-Readonly": "yes please"], listed: readOnlyTools),
        Case(name: "read-only path", headers: [:], readOnlyPath: true, listed: readOnlyTools),
        Case(name: "read-only path cannot be widened", headers: ["X-MCP-Readonly": "false"], readOnlyPath: true, listed: readOnlyTools),
        Case(name: "named tools", headers: ["X-MCP-Tools": "ticket_detail, ticket_list"], listed: ["ticket_list", "ticket_detail"]),
        Case(name: "toolsets", headers: ["X-MCP-Tools": "history,create"], listed: ["workflow_list", "ticket_prepare_create", "ticket_create", "ticket_history"]),
        Case(name: "toolsets and read-only", headers: ["X-MCP-Tools": "create,handle", "X-MCP-Readonly": "1"], listed: ["ticket_prepare_handle", "workflow_list", "ticket_prepare_create"]),
        Case(name: "unknown names enable nothing", headers: ["X-MCP-Tools": "ticket_delete,everything"], listed: [], unknown: ["ticket_delete", "everything"]),
        Case(name: "unknown beside known", headers: ["X-MCP-Tools": "users,ticket_delete"], listed: ["user_list"], unknown: ["ticket_delete"]),
        Case(name: "empty X-MCP-Tools enables nothing", headers: ["X-MCP-Tools": ""], listed: []),
    ]

    @Test(arguments: cases, [false, true])
    func listAndCallAgree(_ scope: Case, modern: Bool) async throws {
        try await withGateway { gateway, client, _ in
            let client = scope.readOnlyPath ? try MCPTestClient(url: gateway.mcpURL + "/readonly") : client
            let list = modern
                ? try await client.modern("tools/list", token: Tokens.alice, headers: scope.headers)
                : try await client.legacy("tools/list", token: Tokens.alice, headers: scope.headers)
            let result = expectResult(list)
            #expect(toolNames(result) == scope.listed)
            let unknown = result?["_meta"]?["loonflow-mcp-gateway/unknown_tools"]
            #expect(unknown == (scope.unknown.isEmpty ? nil : .array(scope.unknown.map { .string($0) })))
            for tool in allToolNames {
                let call = try await client.callTool(tool, arguments: ["x_unknown": 1], token: Tokens.alice, modern: modern, headers: scope.headers)
                if scope.listed.contains(tool) {
                    // Reaches the tool, which refuses the unknown argument without calling Loonflow.
                    #expect(call.errorCode == nil, "\(tool): \(call.text)")
                    #expect(call.json?["result"]?["isError"] == true)
                } else {
                    #expect(call.errorCode == -32602, "\(tool) must be refused: \(call.text)")
                    #expect(call.status == (modern ? 400 : 200))
                    if !scope.unknown.isEmpty {
                        #expect(call.errorMessage?.contains("X-MCP-Tools names no tool or toolset: \(scope.unknown.joined(separator: ", "))") == true)
                    }
                }
            }
        }
    }

    @Test func narrowingNeverWidensTheOperatorsChoice() async throws {
        try await withGateway(configure: { $0.tools.enabled = ["read"]; $0.tools.readOnly = false }) { _, client, _ in
            let headers: HTTPHeaders = ["X-MCP-Tools": "ticket_handle,create,ticket_list", "X-MCP-Readonly": "false"]
            let list = try await client.legacy("tools/list", token: Tokens.alice, headers: headers)
            #expect(toolNames(expectResult(list)) == ["ticket_list"])
            // Enabled elsewhere but not here: not unknown, just not offered.
            #expect(expectResult(list)?["_meta"]?["loonflow-mcp-gateway/unknown_tools"] == ["ticket_handle"])
            let call = try await client.callTool("ticket_handle", token: Tokens.alice, headers: headers)
            #expect(call.errorCode == -32602)
        }
    }

    @Test func aNarrowedRequestIsToldWhyAToolIsMissing() async throws {
        try await withGateway { _, client, _ in
            let call = try await client.callTool("ticket_create", token: Tokens.alice, headers: ["X-MCP-Readonly": "true"])
            #expect(call.errorMessage?.hasPrefix("Invalid params: tool \"ticket_create\" is not available on this request: the client narrowed the tools") == true, "\(call.text)")
        }
    }
}
