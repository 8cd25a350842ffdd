import HTTPMessage
import JSON
import Testing
import TestSupport

/// Progress over SSE: with `Accept: text/event-stream` and `params._meta.progressToken`,
/// `tools/call` streams `notifications/progress` and then its result.
@Suite struct StreamingTests {
    /// 250 tickets: three pages of 100 for the act_state scan; 83 are finished.
    static let total = 250
    static let finished = 83

    static func arguments() -> JSONObject { ["act_state": "finished", "per_page": 5] }

    static func checkStream(_ response: MCPTestResponse, token: JSONValue, id: JSONValue = 1) {
        #expect(response.status == 200)
        #expect(response.headers["Content-Type"]?.hasPrefix("text/event-stream") == true)
        #expect(response.headers["X-Accel-Buffering"] == "no")
        #expect(response.headers["Cache-Control"]?.contains("no-cache") == true)
        let messages = response.sseMessages
        #expect(messages.count == 4, "three progress events, then the result: \(response.text.prefix(2000))")
        let progress = messages.dropLast()
        for (index, event) in progress.enumerated() {
            #expect(event["method"] == "notifications/progress")
            #expect(event["id"] == nil)
            #expect(event["params"]?["progressToken"] == token)
            #expect(event["params"]?["progress"] == .number(JSONNumber(index + 1)))
            #expect(event["params"]?["total"] == 3)
            #expect(event["params"]?["message"]?.stringValue == "read page \(index + 1) of 3 from Loonflow")
        }
        let last = messages.last
        #expect(last?["id"] == id)
        #expect(last?["result"]?["isError"] == false, "\(String(describing: last))")
        #expect(last?["result"]?["structuredContent"]?["total"] == .number(JSONNumber(finished)))
    }

    @Test func legacyCallStreamsEveryPageThenTheResult() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route("GET", FakeTickets.path, FakeTickets.route(total: Self.total))
        try await withHarness(upstream) { _, client in
            let params: JSONObject = ["name": "ticket_list", "arguments": .object(Self.arguments()), "_meta": ["progressToken": "tok-1"]]
            let response = try await client.legacy("tools/call", params: params, token: Tokens.alice)
            Self.checkStream(response, token: "tok-1")
            #expect(upstream.requestCount("GET", FakeTickets.path) == 3)
        }
    }

    @Test func modernCallStreamsToo() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route("GET", FakeTickets.path, FakeTickets.route(total: Self.total))
        try await withHarness(upstream) { _, client in
            var meta = MCPTestClient.modernMeta()
            meta["progressToken"] = 42
            let params: JSONObject = ["name": "ticket_list", "arguments": .object(Self.arguments()), "_meta": .object(meta)]
            let response = try await client.modern("tools/call", params: params, id: 9, token: Tokens.alice)
            Self.checkStream(response, token: 42, id: 9)
            #expect(response.sseMessages.last?["result"]?["resultType"] == "complete")
        }
    }

    @Test func noStreamWithoutATokenOrWithoutAcceptingIt() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route("GET", FakeTickets.path, FakeTickets.route(total: Self.total))
        try await withHarness(upstream) { _, client in
            let plain = try await client.callTool("ticket_list", arguments: Self.arguments(), token: Tokens.alice)
            #expect(plain.headers["Content-Type"]?.hasPrefix("application/json") == true)
            #expect(plain.structured?["total"] == .number(JSONNumber(Self.finished)))
            let params: JSONObject = ["name": "ticket_list", "arguments": .object(Self.arguments()), "_meta": ["progressToken": "t"]]
            let jsonOnly = try await client.legacy("tools/call", params: params, token: Tokens.alice, headers: ["Accept": "application/json"])
            #expect(jsonOnly.headers["Content-Type"]?.hasPrefix("application/json") == true)
            #expect(jsonOnly.isToolError == false)
        }
    }

    @Test func progressArrivesBeforeTheLastPageIsRead() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let lastPage = TestGate()
        let lastPageAsked = TestGate()
        upstream.route("GET", FakeTickets.path) { request in
            if FakeTickets.query(request, "page") == "3" {
                lastPageAsked.open()
                await lastPage.wait()
            }
            return FakeTickets.reply(request, total: Self.total)
        }
        try await withHarness(upstream) { gateway, _ in
            let port = gateway.port
            let body = #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"ticket_list","arguments":{"act_state":"finished"},"_meta":{"progressToken":"p"}}}"#
            let socket = try #require(await RawSocket.connect(port: port))
            #expect(await socket.send(HTTPWire.request(headers: HTTPWire.mcpHeaders(port: port, token: Tokens.alice), body: Array(body.utf8))))
            let early = await socket.read(until: { String(decoding: $0, as: UTF8.self).contains("read page 2 of 3") }, timeout: .seconds(10))
            let earlyText = String(decoding: early ?? [], as: UTF8.self)
            #expect(early != nil, "progress for pages 1 and 2 is on the wire while page 3 is held: \(earlyText)")
            #expect(earlyText.contains("X-Accel-Buffering: no"))
            #expect(!earlyText.contains(#""result""#))
            #expect(await lastPageAsked.wait(timeout: .seconds(10)))
            lastPage.open()
            let response = try #require(await socket.readResponse())
            let messages = HTTPWire.sseMessages(response.text)
            #expect(messages.count == 4)
            #expect(messages.last?["result"]?["structuredContent"]?["total"] == .number(JSONNumber(Self.finished)))
        }
    }
}
