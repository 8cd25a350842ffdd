import Config
import HTTPMessage
import JSON
import Testing
import TestSupport
import Testing

/// Connection-level limits of the listener: the connection cap, the header and idle
/// timeouts, slow clients, and the per-call deadline.
@Suite struct ConnectionTests {
    static func ping(_ port: UInt16) -> [UInt8] { TransportRow.ping()(port) }

    @Test func connectionCapHoldsAndFreesUp() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let gateway = try GatewayHarness(upstreamBaseURL: upstream.baseURL) { $0.limits.maxConnections = 3 }
        let port = gateway.port
        var held: [RawSocket] = []
        for _ in 0..<3 {
            let socket = try #require(await RawSocket.connect(port: port))
            let answer = try #require(await socket.exchange(Self.ping(port)))
            #expect(answer.status == 200)
            held.append(socket)
        }

        // A fourth connection is not served while three are open: closed at once, or left
        // waiting in the backlog.
        if let extra = await RawSocket.connect(port: port) {
            await extra.send(Self.ping(port))
            #expect(await extra.readResponse(timeout: .seconds(1)) == nil, "served past limits.max_connections")
        }

        held.removeFirst()  // closes one
        let servedAgain = await eventually(timeout: .seconds(10)) {
            await RawSocket.exchange(port: port, Self.ping(port), timeout: .seconds(2))?.status == 200
        }
        #expect(servedAgain, "a freed slot serves new connections")
        held.removeAll()
        await gateway.stop()
    }

    @Test func headerAndIdleTimeoutsCloseConnections() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let gateway = try GatewayHarness(upstreamBaseURL: upstream.baseURL) { $0.limits.connectionTimeoutSeconds = 1 }
        let port = gateway.port

        let stalledHead = try #require(await RawSocket.connect(port: port))
        #expect(await stalledHead.send("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty"))
        let idle = try #require(await RawSocket.connect(port: port))
        let answer = try #require(await idle.exchange(Self.ping(port)))
        #expect(answer.status == 200)
        #expect(answer.headers["Connection"]?.lowercased() != "close", "kept alive after the answer")
        let stalledBody = try #require(await RawSocket.connect(port: port))
        #expect(await stalledBody.send(HTTPWire.request(headers: HTTPWire.mcpHeaders(port: port, token: Tokens.alice), contentLength: 100)))

        #expect(await stalledHead.waitForClose(timeout: .seconds(10)), "a head that stops arriving is cut off")
        #expect(await idle.waitForClose(timeout: .seconds(10)), "an idle keep-alive connection is closed")
        #expect(await stalledBody.waitForClose(timeout: .seconds(10)), "a body that stops arriving is cut off")
        #expect(await RawSocket.exchange(port: port, Self.ping(port))?.status == 200, "still serving")
        await gateway.stop()
    }

    @Test func slowClientsDoNotBlockOthers() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route("GET", FakeTickets.path, FakeTickets.route())
        try await withHarness(upstream) { gateway, client in
            let port = gateway.port
            let head = Array("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\n".utf8)
            let sent = TestCounter()
            var drippers: [Task<Void, Never>] = []
            for _ in 0..<4 {
                let socket = try #require(await RawSocket.connect(port: port))
                drippers.append(
                    Task {
                        for byte in head {
                            guard !Task.isCancelled, await socket.send([byte]) else { return }
                            sent.increment()
                            try? await Task.sleep(for: .seconds(1))
                        }
                    })
            }
            #expect(await eventually { sent.value >= 8 }, "every slow client has started")

            for index in 0..<10 {
                let response = try await client.callTool("ticket_list", token: Tokens.alice)
                #expect(response.status == 200 && response.isToolError == false, "call \(index): \(response.text)")
                let ping = try await client.legacy("ping", token: Tokens.alice)
                #expect(ping.status == 200)
            }
            #expect(sent.value < 4 * head.count, "the slow clients were still sending their heads")
            for dripper in drippers { dripper.cancel() }
            for dripper in drippers { await dripper.value }
        }
    }

    @Test func callDeadlineAnswersWithAToolErrorNamingTheLimit() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let arrived = TestGate()
        upstream.route("GET", FakeTickets.path) { _ in
            arrived.open()
            return .hang
        }
        try await withHarness(upstream, configure: { $0.limits.callTimeoutMs = 2_000 }) { _, client in
            let response = try await client.callTool("ticket_list", token: Tokens.alice)
            #expect(response.status == 200)
            #expect(response.isToolError == true, "body: \(response.text)")
            let text = response.toolText ?? ""
            #expect(text.contains("ticket_list exceeded the gateway's call timeout"), "\(text)")
            #expect(text.contains("limits.call_timeout_ms = 2000 ms"), "\(text)")
            #expect(arrived.isOpen)

            upstream.route("GET", FakeTickets.path, reply: FakeTickets.ok)
            let next = try await client.callTool("ticket_list", token: Tokens.alice)
            #expect(next.isToolError == false, "the next call succeeds: \(next.text)")
        }
    }
}
