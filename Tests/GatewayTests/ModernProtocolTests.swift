import HTTPMessage
import JSON
import Testing
import TestSupport

/// The stateless 2026-07-28 era over real HTTP on loopback.
@Suite struct ModernProtocolTests {
    static let serverInfoKey = "io.modelcontextprotocol/serverInfo"

    @Test func discoverDescribesTheServer() async throws {
        try await withGateway { _, client, _ in
            let response = try await client.modern("server/discover", token: Tokens.alice)
            let result = try #require(expectResult(response))
            #expect(result["supportedVersions"] == ["2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"])
            #expect(result["capabilities"]?["tools"]?["listChanged"] == false)
            #expect(result["resultType"] == "complete")
            #expect(result["cacheScope"] == "private")
            #expect(result["ttlMs"]?.intValue.map { $0 > 0 } == true)
            #expect(result["instructions"]?.stringValue?.contains("ticket_list") == true)
            #expect(result["_meta"]?[Self.serverInfoKey]?["name"] == "loonflow-ticket")
            #expect(result["_meta"]?[Self.serverInfoKey]?["version"]?.stringValue?.isEmpty == false)
            #expect(response.headers["Content-Type"] == "application/json")
        }
    }

    /// `initialize` does not exist in the 2026-07-28 era: 404 with "Method not found".
    @Test func initializeInTheModernEraIsAnUnknownMethod() async throws {
        try await withGateway { _, client, _ in
            let response = try await client.modern(
                "initialize", params: LegacyProtocolTests.initializeParams("2026-07-28"), token: Tokens.alice)
            expectRPCError(response, status: 404, code: -32601, id: 1)
            let bare = try await client.modern("initialize", params: LegacyProtocolTests.initializeParams("2026-07-28"))
            expectRPCError(bare, status: 404, code: -32601, id: 1)
        }
    }

    /// Optional whitespace around a field value is not part of it (RFC 9110 §5.5).
    @Test func headerValuesAreComparedWithoutSurroundingWhitespace() async throws {
        try await withGateway { _, client, _ in
            let padded: HTTPHeaders = [
                "Mcp-Name": "  ticket_list  ", "Mcp-Method": " tools/call\t", "MCP-Protocol-Version": "\t2026-07-28 ",
            ]
            let call = try await client.callTool("ticket_list", token: Tokens.alice, modern: true, headers: padded)
            #expect(call.status == 200, "\(call.text)")
            expectToolSuccess(call)
        }
    }

    @Test func everyResultIsCompleteAndNamesTheServer() async throws {
        try await withGateway { _, client, _ in
            let list = try #require(expectResult(try await client.modern("tools/list", token: Tokens.alice)))
            #expect(list["resultType"] == "complete")
            #expect(list["_meta"]?[Self.serverInfoKey]?["name"] == "loonflow-ticket")
            #expect(list["ttlMs"]?.intValue.map { $0 > 0 } == true)
            #expect(list["cacheScope"] == "private")
            #expect(toolNames(list) == allToolNames)

            let call = try await client.callTool("ticket_list", token: Tokens.alice, modern: true)
            let result = try #require(call.result)
            #expect(call.status == 200)
            #expect(result["resultType"] == "complete")
            #expect(result["_meta"]?[Self.serverInfoKey]?["name"] == "loonflow-ticket")
            #expect(result["isError"] == false)
            #expect(result["ttlMs"] == nil, "only cacheable results carry cache hints")

            let failed = try await client.callTool("ticket_list", arguments: ["category": "nope"], token: Tokens.alice, modern: true)
            #expect(failed.result?["resultType"] == "complete")
            #expect(failed.isToolError == true)
        }
    }

    @Test func missingMetaIsInvalidParams() async throws {
        try await withGateway { _, client, _ in
            let headers: HTTPHeaders = [
                "Authorization": "Bearer \(Tokens.alice)", "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/list",
            ]
            let noMeta = try await client.post(MCPTestClient.request(id: 7, method: "tools/list", params: [:]), headers: headers)
            expectRPCError(noMeta, status: 400, code: -32602, id: 7)
            let noParams = try await client.post(MCPTestClient.request(id: 8, method: "tools/list"), headers: headers)
            expectRPCError(noParams, status: 400, code: -32602, id: 8)

            let withoutCapabilities: JSONObject = ["_meta": [MCPTestClient.metaVersionKey: "2026-07-28"]]
            let partial = try await client.modern("tools/list", params: withoutCapabilities, id: 9, token: Tokens.alice)
            expectRPCError(partial, status: 400, code: -32602, id: 9)
            #expect(partial.errorMessage?.contains("clientCapabilities") == true)
        }
    }

    @Test func unsupportedVersionListsTheSupportedOnes() async throws {
        try await withGateway { _, client, _ in
            let meta: JSONObject = ["_meta": .object(MCPTestClient.modernMeta(version: "2099-01-01"))]
            let response = try await client.modern(
                "tools/list", params: meta, id: "v", token: Tokens.alice, headers: ["MCP-Protocol-Version": "2099-01-01"])
            expectRPCError(response, status: 400, code: -32022, id: "v")
            #expect(response.error?["data"]?["supported"] == ["2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"])
            #expect(response.error?["data"]?["requested"] == "2099-01-01")

            let legacyHeader = try await client.legacy("tools/list", id: 2, token: Tokens.alice, protocolVersion: "1999-01-01")
            expectRPCError(legacyHeader, status: 400, code: -32022, id: 2)
            #expect(legacyHeader.error?["data"]?["supported"]?.arrayValue?.count == 4)
        }
    }

    @Test func disagreementIsReportedBeforeTheUnsupportedVersion() async throws {
        try await withGateway { _, client, _ in
            // The header names a served version, the body another: the client disagrees with itself.
            let meta: JSONObject = ["_meta": .object(MCPTestClient.modernMeta(version: "2099-01-01"))]
            let response = try await client.modern("tools/list", params: meta, id: 3, token: Tokens.alice)
            expectRPCError(response, status: 400, code: -32020, id: 3)
            let wrongMethod = try await client.modern(
                "tools/list", params: meta, id: 4, token: Tokens.alice,
                headers: ["MCP-Protocol-Version": "2099-01-01", "Mcp-Method": "tools/call"])
            expectRPCError(wrongMethod, status: 400, code: -32020, id: 4)
        }
    }

    @Test func protocolVersionHeaderMustMatchMeta() async throws {
        try await withGateway { _, client, _ in
            let missing = try await client.modern("tools/list", id: 1, token: Tokens.alice, omitting: ["MCP-Protocol-Version"])
            expectRPCError(missing, status: 400, code: -32020)
            let different = try await client.modern(
                "tools/list", id: 2, token: Tokens.alice, headers: ["MCP-Protocol-Version": "2025-11-25"])
            expectRPCError(different, status: 400, code: -32020, id: 2)
        }
    }

    @Test func methodHeaderMustMatchTheBody() async throws {
        try await withGateway { _, client, _ in
            let missing = try await client.modern("tools/list", token: Tokens.alice, omitting: ["Mcp-Method"])
            expectRPCError(missing, status: 400, code: -32020)
            let different = try await client.modern("tools/list", token: Tokens.alice, headers: ["Mcp-Method": "tools/call"])
            expectRPCError(different, status: 400, code: -32020)
            let casing = try await client.modern("tools/list", token: Tokens.alice, headers: ["Mcp-Method": "Tools/List"])
            expectRPCError(casing, status: 400, code: -32020)
        }
    }

    @Test func nameHeaderMustMatchTheTool() async throws {
        try await withGateway { _, client, loonflow in
            let missing = try await client.callTool("ticket_list", token: Tokens.alice, modern: true, headers: ["Mcp-Name": ""])
            expectRPCError(missing, status: 400, code: -32020)
            let absent = try await client.modern(
                "tools/call", params: ["name": "ticket_list", "arguments": [:]], token: Tokens.alice, omitting: ["Mcp-Name"])
            expectRPCError(absent, status: 400, code: -32020)
            let other = try await client.callTool("ticket_list", token: Tokens.alice, modern: true, headers: ["Mcp-Name": "user_list"])
            expectRPCError(other, status: 400, code: -32020)
            let otherEncoded = try await client.callTool(
                "ticket_list", token: Tokens.alice, modern: true, headers: ["Mcp-Name": "=?base64?dXNlcl9saXN0?="])
            expectRPCError(otherEncoded, status: 400, code: -32020)
            #expect(loonflow.upstream.requests.isEmpty, "a refused request never reaches Loonflow")

            // `ticket_list` as RFC 2047-style base64: the same name, so the call goes through.
            let encoded = try await client.callTool(
                "ticket_list", token: Tokens.alice, modern: true, headers: ["Mcp-Name": "=?base64?dGlja2V0X2xpc3Q=?="])
            expectToolSuccess(encoded)
        }
    }

    @Test func nonASCIINameTravelsAsBase64() async throws {
        try await withGateway { _, client, _ in
            // "tïcket" is no tool of ours: with a matching encoded header the core answers unknown tool.
            let name = "t\u{EF}cket"
            let header = "=?base64?dMOvY2tldA==?="
            let response = try await client.modern(
                "tools/call", params: ["name": .string(name), "arguments": [:]], token: Tokens.alice,
                headers: ["Mcp-Name": header])
            #expect(response.errorCode == -32602, "body: \(response.text)")
            #expect(response.errorMessage?.contains("unknown tool") == true)
            let raw = try await client.modern(
                "tools/call", params: ["name": .string(name), "arguments": [:]], token: Tokens.alice,
                headers: ["Mcp-Name": "=?base64?not base64?="])
            expectRPCError(raw, status: 400, code: -32020)
        }
    }

    @Test func notificationsAreAccepted() async throws {
        try await withGateway { _, client, _ in
            var headers = MCPTestClient.bearer(Tokens.alice)
            headers.add("MCP-Protocol-Version", "2026-07-28")
            headers.add("Mcp-Method", "notifications/cancelled")
            let params: JSONObject = ["requestId": 42, "_meta": .object(MCPTestClient.modernMeta())]
            let response = try await client.post(
                MCPTestClient.notification(method: "notifications/cancelled", params: params), headers: headers)
            expectAccepted(response)

            var unsupported = MCPTestClient.bearer(Tokens.alice)
            unsupported.add("MCP-Protocol-Version", "2099-01-01")
            let refused = try await client.post(MCPTestClient.notification(method: "notifications/initialized"), headers: unsupported)
            expectRPCError(refused, status: 400, code: -32022, id: .null)
        }
    }

    @Test func getAndDeleteAreNotAllowed() async throws {
        try await withGateway { _, client, _ in
            for method in ["GET", "DELETE"] {
                var headers = MCPTestClient.bearer(Tokens.alice)
                headers.add("MCP-Protocol-Version", "2026-07-28")
                headers.add("Accept", "text/event-stream")
                let response = try await client.bare(method, headers: headers)
                #expect(response.status == 405, "\(method): \(response.text)")
                #expect(response.headers["Allow"] == "POST")
            }
        }
    }

    @Test func unknownMethodIsNotFound() async throws {
        try await withGateway { _, client, _ in
            let response = try await client.modern("prompts/list", id: "r1", token: Tokens.alice)
            expectRPCError(response, status: 404, code: -32601, id: "r1")
            let ping = try await client.modern("ping", id: 3, token: Tokens.alice)
            expectRPCError(ping, status: 404, code: -32601, id: 3)
        }
    }

    @Test func sessionIdIsIgnored() async throws {
        try await withGateway { _, client, _ in
            let response = try await client.modern(
                "tools/list", token: Tokens.alice, headers: ["Mcp-Session-Id": "no-such-session"])
            #expect(toolNames(expectResult(response)) == allToolNames)
            #expect(response.headers["Mcp-Session-Id"] == nil)
        }
    }

    @Test func unknownToolIsInvalidParams() async throws {
        try await withGateway { _, client, _ in
            let response = try await client.callTool("ticket_delete", token: Tokens.alice, modern: true)
            #expect(response.errorCode == -32602, "body: \(response.text)")
            #expect(response.errorMessage?.contains("ticket_list") == true, "names the tools that exist")
        }
    }
}
