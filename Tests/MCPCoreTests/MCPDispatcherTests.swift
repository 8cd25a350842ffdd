import JSON
import MCPCore
import Testing

/// The transport-neutral rules every transport shares: decoding, era selection with and
/// without protocol headers, cancellation by caller, and the typed outcome.
@Suite struct MCPDispatcherTests {
    let dispatcher = MCPDispatcher(
        server: MCPServer(identity: ServerIdentity(name: "loonflow-ticket", version: "9.9"), tools: [EchoTool(), EchoTool(name: "wait", waitsForever: true)]))

    static let modernMeta: JSONValue = [
        ProtocolVersion.metaVersionKey: "2026-07-28", ProtocolVersion.metaCapabilitiesKey: [:],
    ]

    func dispatch(_ text: String, headers: TransportHeaders = .none, caller: String = "c") async -> DispatchOutcome {
        await dispatcher.dispatch(Array(text.utf8), headers: headers, caller: caller, context: ToolCallContext())
    }

    @Test func malformedJSONIsRejectedWithoutAnID() async {
        guard case .rejected(let rejection) = await dispatch(#"{"jsonrpc":"2.0","id":1,"#) else {
            Issue.record("expected a rejection")
            return
        }
        #expect(rejection.id == nil)
        #expect(rejection.error.code == JSONRPCError.parseErrorCode)
    }

    @Test func aMessageThatIsNotARequestIsRejectedEchoingItsID() async {
        guard case .rejected(let rejection) = await dispatch(#"{"jsonrpc":"1.0","id":"x","method":"ping"}"#) else {
            Issue.record("expected a rejection")
            return
        }
        #expect(rejection.id == .string("x"))
        #expect(rejection.error.code == JSONRPCError.invalidRequestCode)
    }

    @Test func notificationsAndResponsesGetNoAnswer() async {
        #expect(await dispatch(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).message == nil)
        #expect(await dispatch(#"{"jsonrpc":"2.0","id":3,"result":{}}"#).message == nil)
    }

    @Test func withoutHeadersTheBodyAloneSelectsTheEra() throws {
        let modern: JSONObject = ["_meta": Self.modernMeta]
        #expect(try dispatcher.era(method: "tools/list", params: modern, headers: .none).get() == .modern)
        #expect(try dispatcher.era(method: "server/discover", params: nil, headers: .none).get() == .legacy)
        #expect(try dispatcher.era(method: "initialize", params: nil, headers: .none).get() == .legacy)
    }

    @Test func withHeadersAModernRequestMustRepeatItsEnvelope() throws {
        let params: JSONObject = ["name": "echo", "_meta": Self.modernMeta]
        let matching = TransportHeaders(protocolVersion: "2026-07-28", method: "tools/call", name: "echo")
        #expect(try dispatcher.era(method: "tools/call", params: params, headers: matching).get() == .modern)
        let cases: [(TransportHeaders, String)] = [
            (TransportHeaders(method: "tools/call", name: "echo"), "is required"),
            (TransportHeaders(protocolVersion: "2025-11-25", method: "tools/call", name: "echo"), "differs"),
            (TransportHeaders(protocolVersion: "2026-07-28", method: "tools/list", name: "echo"), "Mcp-Method"),
            (TransportHeaders(protocolVersion: "2026-07-28", method: "tools/call", name: "other"), "Mcp-Name"),
            (TransportHeaders(protocolVersion: "2026-07-28", method: "tools/call", name: .some(nil)), "Mcp-Name"),
        ]
        for (headers, phrase) in cases {
            let error = dispatcher.era(method: "tools/call", params: params, headers: headers).failure
            #expect(error?.code == JSONRPCError.headerMismatchCode, "\(headers)")
            #expect(error?.message.contains(phrase) == true, "\(error?.message ?? "no error")")
        }
        // Over stdio the same body needs no headers.
        #expect(try dispatcher.era(method: "tools/call", params: params, headers: .none).get() == .modern)
    }

    @Test func anUnservedVersionIsRefusedOnEveryTransport() {
        let params: JSONObject = [
            "_meta": [ProtocolVersion.metaVersionKey: "2099-01-01", ProtocolVersion.metaCapabilitiesKey: [:]],
        ]
        let headers = TransportHeaders(protocolVersion: "2099-01-01", method: "tools/list")
        for transport in [TransportHeaders.none, headers] {
            #expect(dispatcher.era(method: "tools/list", params: params, headers: transport).failure?.code == JSONRPCError.unsupportedVersionCode)
        }
        let legacyHeader = TransportHeaders(protocolVersion: "1999-01-01", method: "tools/list")
        #expect(dispatcher.era(method: "tools/list", params: nil, headers: legacyHeader).failure?.code == JSONRPCError.unsupportedVersionCode)
    }

    @Test func aCallIsAnsweredWithItsMethodToolAndOutcome() async {
        let outcome = await dispatch(#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"a":1}}}"#)
        guard case .answered(let answer) = outcome else {
            Issue.record("expected an answer")
            return
        }
        #expect(answer.id == JSONRPCID(7))
        #expect(answer.era == .legacy)
        #expect(answer.method == "tools/call")
        #expect(answer.tool == "echo")
        #expect(!answer.isToolError)
        #expect(!answer.cancelled)
        #expect(answer.message["result"]?["structuredContent"]?["a"] == 1)
    }

    @Test func onlyTheSameCallerCancelsACall() async {
        let call = Task {
            await dispatch(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"wait"}}"#, caller: "alice")
        }
        // The call registers before its tool awaits anything; yielding lets it get there.
        for _ in 0..<1_000_000 where dispatcher.inFlight.count == 0 { await Task.yield() }
        #expect(dispatcher.inFlight.count == 1, "the call is in flight")
        #expect(dispatcher.receive(notification: "notifications/cancelled", params: ["requestId": 1], caller: "bob") == "no such call 1")
        #expect(dispatcher.inFlight.count == 1)
        #expect(dispatcher.receive(notification: "notifications/cancelled", params: ["requestId": 1], caller: "alice") == "cancelled 1")
        guard case .answered(let answer) = await call.value else {
            Issue.record("expected an answer")
            return
        }
        #expect(answer.cancelled)
        #expect(dispatcher.inFlight.count == 0)
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
