import Config
import TestSupport
import Testing

/// `limits.header_timeout_seconds`: a head that trickles in is cut off at the deadline,
/// however steadily it arrives, while other clients are served and kept-alive connections
/// keep the idle timeout.
@Suite struct HeaderDeadlineTests {
    @Test func trickledHeadIsClosedAtTheDeadlineWhileOthersAreServed() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let gateway = try GatewayHarness(upstreamBaseURL: upstream.baseURL) {
            $0.limits.headerTimeoutSeconds = 2
            $0.limits.connectionTimeoutSeconds = 30
        }
        let port = gateway.port
        let ping = HTTPWire.request(headers: HTTPWire.mcpHeaders(port: port, token: Tokens.alice), body: StrictFramingTests.pingBody)

        let keptAlive = try #require(await RawSocket.connect(port: port))
        #expect(await keptAlive.exchange(ping)?.status == 200)

        // Well inside the idle timeout between bytes, so only the head deadline can end it.
        let head = Array("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nX-Padding: \(String(repeating: "a", count: 400))".utf8)
        // Before the connect: the server's clock starts at its accept, which comes after it.
        let started = ContinuousClock.now
        let trickler = try #require(await RawSocket.connect(port: port))
        let dripping = Task {
            for byte in head {
                guard !Task.isCancelled, await trickler.send([byte]) else { return }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        var served = 0
        while ContinuousClock.now - started < .seconds(1) {
            if await RawSocket.exchange(port: port, ping)?.status == 200 { served += 1 }
        }
        #expect(served > 0, "other clients are served while the head trickles")

        #expect(await trickler.waitForClose(timeout: .seconds(15)), "the trickled head is cut off")
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .seconds(2) && elapsed < .seconds(6), "closed after \(elapsed), the deadline is 2 s")
        dripping.cancel()
        await dripping.value

        // Idle longer than the head deadline: a kept-alive connection is not affected by it.
        #expect(await keptAlive.exchange(ping)?.status == 200, "the idle keep-alive connection still serves")
        await gateway.stop()
    }

    @Test func keepAliveHeadHasItsOwnDeadline() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let gateway = try GatewayHarness(upstreamBaseURL: upstream.baseURL) { $0.limits.headerTimeoutSeconds = 1 }
        let port = gateway.port
        let ping = HTTPWire.request(headers: HTTPWire.mcpHeaders(port: port, token: Tokens.alice), body: StrictFramingTests.pingBody)
        let socket = try #require(await RawSocket.connect(port: port))
        #expect(await socket.exchange(ping)?.status == 200)
        // A second request whose line arrives but whose head never completes.
        let started = ContinuousClock.now
        #expect(await socket.send("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"))
        #expect(await socket.waitForClose(timeout: .seconds(10)), "the unfinished head is cut off")
        #expect(ContinuousClock.now - started < .seconds(5))
        await gateway.stop()
    }
}
