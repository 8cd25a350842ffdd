import Auth
import JSON
import MCPCore
import Testing

/// A tool that echoes its arguments, or waits until cancelled.
struct EchoTool: Tool {
    var name = "echo"
    var title: String { "Echo" }
    var description: String { "Echoes its arguments." }
    var inputSchema: JSONValue { ["type": "object", "additionalProperties": false] }
    var outputSchema: JSONValue { ["type": "object"] }
    var annotations: ToolAnnotations { ToolAnnotations(readOnly: name != "write", destructive: name == "write", idempotent: true, openWorld: false) }
    var waitsForever = false

    func call(arguments: JSONObject, context: ToolCallContext) async -> ToolResult {
        if waitsForever {
            // Cancellation ends the sleep at once; the bound keeps a broken test from hanging.
            try? await Task.sleep(for: .seconds(60))
            return .failure("cancelled")
        }
        var echoed = arguments
        echoed["token"] = context.transportToken.map { .string($0.value) } ?? .null
        return .success(echoed)
    }
}

@Suite struct MCPServerTests {
    static let callerToken = "lfpat.0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b.coreTestSecret"
    /// The caller a transport hands the core: already validated.
    static let caller = try? AccessTokenValidator().validate(callerToken).get()

    let server = MCPServer(
        identity: ServerIdentity(name: "loonflow-ticket", version: "9.9", instructions: "hi"), tools: [EchoTool()])

    func call(_ method: String, _ params: JSONObject? = nil, era: ProtocolEra = .legacy) async -> Result<JSONValue, JSONRPCError> {
        await server.handle(method: method, params: params, era: era, context: ToolCallContext(transportToken: Self.caller))
    }

    @Test(arguments: [("2025-03-26", "2025-03-26"), ("2025-06-18", "2025-06-18"), ("2025-11-25", "2025-11-25"), ("2024-11-05", "2025-11-25"), ("2099-01-01", "2025-11-25")])
    func initializeNegotiatesTheVersion(requested: String, answered: String) async throws {
        let result = try await call("initialize", ["protocolVersion": .string(requested), "capabilities": [:]]).get()
        #expect(result["protocolVersion"]?.stringValue == answered)
        #expect(result["serverInfo"] == ["name": "loonflow-ticket", "version": "9.9"])
        #expect(result["capabilities"]?["tools"]?["listChanged"] == false)
        #expect(result["instructions"] == "hi")
    }

    @Test func pingAnswersEmptyObject() async throws {
        #expect(try await call("ping").get() == .object([:]))
    }

    /// The same error in both eras; its HTTP framing is the transport's (`ErrorStatusTests`).
    @Test func unknownMethodIsNotFoundInEitherEra() async {
        #expect(await call("nope") == .failure(.methodNotFound("nope")))
        guard case .failure(let modern) = await call("nope", era: .modern) else { Issue.record("no error"); return }
        #expect(modern == .methodNotFound("nope"))
        // ping and initialize are legacy-only.
        guard case .failure(let ping) = await call("ping", era: .modern) else { Issue.record("no error"); return }
        #expect(ping.code == -32601)
    }

    @Test func modernResultsCarryResultTypeServerInfoAndCacheHints() async throws {
        let list = try await call("tools/list", era: .modern).get()
        #expect(list["resultType"] == "complete")
        #expect(list["cacheScope"] == "private")
        #expect(list["ttlMs"]?.intValue ?? 0 > 0)
        #expect(list["_meta"]?[ProtocolVersion.metaServerInfoKey] == ["name": "loonflow-ticket", "version": "9.9"])
        let legacy = try await call("tools/list").get()
        #expect(legacy["resultType"] == nil)
        #expect(legacy["_meta"] == nil)
    }

    @Test func discoverListsVersionsAndCapabilities() async throws {
        let result = try await call("server/discover", era: .modern).get()
        #expect(result["supportedVersions"] == ["2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"])
        #expect(result["capabilities"]?["tools"] != nil)
        #expect(result["resultType"] == "complete")
    }

    @Test func toolsCallErrorsAreInvalidParams() async {
        for params: JSONObject in [["name": "missing"], [:], ["name": 3], ["name": "echo", "arguments": [1]], ["name": "echo", "arguments": "x"]] {
            guard case .failure(let error) = await call("tools/call", params) else { Issue.record("accepted \(params)"); continue }
            #expect(error.code == -32602)
        }
    }

    @Test func toolsCallReturnsStructuredAndTextContent() async throws {
        let result = try await call("tools/call", ["name": "echo", "arguments": ["a": 1]]).get()
        #expect(result["isError"] == false)
        #expect(result["structuredContent"] == ["a": 1, "token": .string(Self.callerToken)])
        let text = try #require(result["content"]?.arrayValue?.first?["text"]?.stringValue)
        #expect(try JSONParser().parse(text) == result["structuredContent"])
    }

    @Test func toolsListRejectsCursors() async {
        guard case .failure(let error) = await call("tools/list", ["cursor": "abc"]) else { Issue.record("accepted"); return }
        #expect(error.code == -32602)
    }

    @Test func callTimeoutAnswersAToolErrorNamingTheLimit() async throws {
        let slow = MCPServer(identity: ServerIdentity(name: "x", version: "1"), tools: [EchoTool(waitsForever: true)], callTimeout: .milliseconds(50))
        let result = try await slow.handle(method: "tools/call", params: ["name": "echo"], era: .legacy, context: ToolCallContext()).get()
        #expect(result["isError"] == true)
        #expect(result["content"]?.arrayValue?.first?["text"]?.stringValue?.contains("limits.call_timeout_ms = 50 ms") == true)
    }

    @Test func modernMetaIsChecked() {
        #expect(MCPServer.modernVersion(of: nil).failureCode == -32602)
        #expect(MCPServer.modernVersion(of: ["_meta": [ProtocolVersion.metaVersionKey: "2026-07-28"]]).failureCode == -32602)
        let unsupported = MCPServer.modernVersion(of: ["_meta": [ProtocolVersion.metaVersionKey: "2030-01-01", ProtocolVersion.metaCapabilitiesKey: [:]]])
        #expect(unsupported.failureCode == -32022)
        #expect((try? MCPServer.modernVersion(of: ["_meta": [ProtocolVersion.metaVersionKey: "2026-07-28", ProtocolVersion.metaCapabilitiesKey: [:]]]).get()) == "2026-07-28")
    }

    @Test func classifiesMessages() {
        func classify(_ text: String) -> Result<IncomingMessage, JSONRPCError> {
            IncomingMessage.classify(try! JSONParser().parse(text))
        }
        guard case .success(.request(let id, "tools/list", nil)) = classify(#"{"jsonrpc":"2.0","id":"a","method":"tools/list"}"#) else { Issue.record("request"); return }
        #expect(id == .string("a"))
        guard case .success(.notification("notifications/initialized", _)) = classify(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#) else { Issue.record("notification"); return }
        guard case .success(.response) = classify(#"{"jsonrpc":"2.0","id":1,"result":{}}"#) else { Issue.record("response"); return }
        for bad in [#"[]"#, #"1"#, #"{"id":1,"method":"x"}"#, #"{"jsonrpc":"1.0","id":1,"method":"x"}"#, #"{"jsonrpc":"2.0","id":1,"method":5}"#, #"{"jsonrpc":"2.0","id":{},"method":"x"}"#, #"{"jsonrpc":"2.0","id":null,"method":"x"}"#] {
            guard case .failure(let error) = classify(bad) else { Issue.record("accepted \(bad)"); continue }
            #expect(error.code == -32600)
        }
        guard case .failure(let params) = classify(#"{"jsonrpc":"2.0","id":1,"method":"x","params":[1]}"#) else { Issue.record("params"); return }
        #expect(params.code == -32602)
    }
}

extension Result where Failure == JSONRPCError {
    var failureCode: Int? {
        if case .failure(let error) = self { return error.code }
        return nil
    }
}
