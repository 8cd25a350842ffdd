import Config
import Gateway
import HTTPMessage
import JSON
import TestSupport
import Testing

/// `notifications/cancelled` and client disconnects: read calls stop early, only their own
/// caller can stop them, and a handle POST that was sent is never aborted.
@Suite struct CancellationTests {
    /// A ticket_list upstream that holds each request until the gate named by its
    /// `search_value` opens.
    final class HeldLists: Sendable {
        let gates: [String: TestGate]
        init(_ names: [String]) { gates = Dictionary(uniqueKeysWithValues: names.map { ($0, TestGate()) }) }

        func install(on upstream: TestUpstream) {
            let gates = self.gates
            upstream.route("GET", FakeTickets.path) { request in
                if let gate = FakeTickets.query(request, "search_value").flatMap({ gates[$0] }) { await gate.wait() }
                return FakeTickets.ok
            }
        }

        func open(_ name: String) { gates[name]?.open() }

        func isOpen(_ name: String) -> Bool { gates[name]?.isOpen ?? false }
    }

    static func listParams(_ search: String) -> JSONObject {
        ["name": "ticket_list", "arguments": ["search_value": .string(search)]]
    }

    static func cancel(_ id: JSONValue, token: String, session: String? = nil) -> (JSONValue, HTTPHeaders) {
        var headers = MCPTestClient.bearer(token)
        headers.add("MCP-Protocol-Version", "2025-11-25")
        if let session { headers.add("Mcp-Session-Id", session) }
        return (MCPTestClient.notification(method: "notifications/cancelled", params: ["requestId": id, "reason": "test"]), headers)
    }

    /// Starts a legacy call in a task.
    static func start(
        _ client: MCPTestClient, _ params: JSONObject, id: JSONValue, token: String, session: String? = nil
    ) -> Task<MCPTestResponse, any Error> {
        Task {
            var headers = HTTPHeaders()
            if let session { headers.add("Mcp-Session-Id", session) }
            return try await client.legacy("tools/call", params: params, id: id, token: token, headers: headers)
        }
    }

    @Test func statelessCancelIsMatchedByTokenAndRequestID() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let held = HeldLists(["one", "two"])
        held.install(on: upstream)
        try await withHarness(upstream) { gateway, client in
            // Bob cannot cancel Alice's call 7, even knowing its id.
            let first = Self.start(client, Self.listParams("one"), id: 7, token: Tokens.alice)
            #expect(await upstream.waitForRequests(1, timeout: .seconds(10)))
            let (notice, bobHeaders) = Self.cancel(7, token: Tokens.bob)
            #expect(try await client.post(notice, headers: bobHeaders).status == 202)
            #expect(await eventually { gateway.logs.text.contains("no such call 7") })
            held.open("one")
            let completed = try await first.value
            #expect(completed.isToolError == false, "Bob's notice left the call alone: \(completed.text)")

            // Alice cancels her own call 8: it returns while Loonflow still holds the request.
            let second = Self.start(client, Self.listParams("two"), id: 8, token: Tokens.alice)
            #expect(await upstream.waitForRequests(2, timeout: .seconds(10)))
            let (own, aliceHeaders) = Self.cancel(8, token: Tokens.alice)
            #expect(try await client.post(own, headers: aliceHeaders).status == 202)
            let cancelled = try await second.value
            #expect(cancelled.json?["id"] == 8)
            #expect(cancelled.isToolError == true, "\(cancelled.text)")
            #expect(cancelled.toolText?.contains("cancelled") == true, "\(cancelled.text)")
            #expect(!held.isOpen("two"), "returned before the upstream answered")
            #expect(gateway.runtime.metrics.render().contains(#"outcome="cancelled""#))
            held.open("two")
        }
    }

    @Test func sessionCancelIsMatchedBySessionAndRequestID() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let held = HeldLists(["one", "two"])
        held.install(on: upstream)
        try await withHarness(upstream, configure: { $0.server.sessions.key = SessionTests.key }) { gateway, client in
            let mine = try await SessionTests.initialize(client)
            let other = try await SessionTests.initialize(client)

            let first = Self.start(client, Self.listParams("one"), id: 21, token: Tokens.alice, session: mine)
            #expect(await upstream.waitForRequests(1, timeout: .seconds(10)))
            let (notice, otherHeaders) = Self.cancel(21, token: Tokens.alice, session: other)
            #expect(try await client.post(notice, headers: otherHeaders).status == 202)
            #expect(await eventually { gateway.logs.text.contains("no such call 21") })
            held.open("one")
            #expect(try await first.value.isToolError == false, "another session's notice left the call alone")

            let second = Self.start(client, Self.listParams("two"), id: 22, token: Tokens.alice, session: mine)
            #expect(await upstream.waitForRequests(2, timeout: .seconds(10)))
            let (own, ownHeaders) = Self.cancel(22, token: Tokens.alice, session: mine)
            #expect(try await client.post(own, headers: ownHeaders).status == 202)
            let cancelled = try await second.value
            #expect(cancelled.isToolError == true && cancelled.toolText?.contains("cancelled") == true, "\(cancelled.text)")
            #expect(!held.isOpen("two"))
            held.open("two")
        }
    }

    @Test func clientDisconnectCancelsTheCall() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let held = HeldLists(["gone"])
        held.install(on: upstream)
        // Loonflow's own timeout lies well past the wait below: only cancelling ends the call.
        try await withHarness(upstream, configure: { $0.upstream.timeoutMs = 60_000 }) { gateway, _ in
            let port = gateway.port
            let body = MCPTestClient.request(id: 1, method: "tools/call", params: Self.listParams("gone")).serialized
            do {
                let socket = try #require(await RawSocket.connect(port: port))
                #expect(await socket.send(body.withHeaders(port)))
                #expect(await upstream.waitForRequests(1, timeout: .seconds(10)))
            }  // the socket closes here
            // A bound, not a wait: the answer comes as soon as the hang-up is seen; the bound is
            // generous because the parallel suite can starve this process's threads for seconds.
            let cancelled = await eventually(timeout: .seconds(30)) {
                gateway.runtime.metrics.render().contains(#"outcome="cancelled""#)
            }
            #expect(cancelled, "the call ended as cancelled while Loonflow still held it")
            #expect(!held.isOpen("gone"))
            held.open("gone")
        }
    }

    @Test func aSentHandlePostIsNeverAborted() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let scenario = HandleScenario()
        scenario.install(on: upstream)
        try await withHarness(upstream) { gateway, client in
            let call = Self.start(client, HandleScenario.params, id: 11, token: Tokens.alice)
            #expect(await scenario.posted.wait(timeout: .seconds(10)), "the POST reached Loonflow")
            let (notice, headers) = Self.cancel(11, token: Tokens.alice)
            #expect(try await client.post(notice, headers: headers).status == 202)
            #expect(await eventually { gateway.logs.text.contains("cancelled 11") })
            scenario.release.open()
            let response = try await call.value
            #expect(response.isToolError == false, "the write ran to its real end: \(response.text)")
            #expect(response.structured?["status"] == "handled")
            #expect(upstream.requestCount("POST", HandleScenario.handlePath) == 1)
            #expect(gateway.logs.text.contains("outcome=handled"))
        }
    }

    @Test func aSentHandlePostSurvivesTheClientLeaving() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let scenario = HandleScenario()
        scenario.install(on: upstream)
        try await withHarness(upstream) { gateway, _ in
            let port = gateway.port
            let body = MCPTestClient.request(id: 12, method: "tools/call", params: HandleScenario.params).serialized
            do {
                let socket = try #require(await RawSocket.connect(port: port))
                #expect(await socket.send(body.withHeaders(port)))
                #expect(await scenario.posted.wait(timeout: .seconds(10)))
            }
            // Release only once the gateway has noticed the hang-up and cancelled the call's
            // task: the write must still run to its end.
            #expect(await eventually { gateway.cancelledRequests.value == 1 }, "the gateway saw the client leave")
            scenario.release.open()
            #expect(await eventually { gateway.logs.text.contains("audit.ticket_handle") })
            #expect(gateway.logs.text.contains("outcome=handled"), "\(gateway.logs.text.suffix(1500))")
            #expect(upstream.requestCount("POST", HandleScenario.handlePath) == 1)
        }
    }
}
