import Config
import Gateway
import JSON
import TestSupport
import Testing

/// Per-token limits in front of Loonflow: a concurrency cap with a bounded wait, and an
/// optional rate limit. Other tokens are never held back.
@Suite struct TokenLimitTests {
    /// Holds Alice's ticket_list requests until `gate` opens; Bob's pass at once.
    static func install(_ upstream: TestUpstream, gate: TestGate) {
        upstream.route("GET", FakeTickets.path) { request in
            if Tokens.isAlice(request) { await gate.wait() }
            return FakeTickets.ok
        }
    }

    static func aliceCount(_ upstream: TestUpstream) -> Int {
        upstream.requests("GET", FakeTickets.path).filter(Tokens.isAlice).count
    }

    @Test func aThirdCallPastTheWaitIsToldToRetry() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let gate = TestGate()
        Self.install(upstream, gate: gate)
        try await withHarness(upstream, configure: { config in
            config.upstream.maxConcurrentPerToken = 2
            config.upstream.concurrencyWaitMs = 400
            // The held calls wait on the gate, not on Loonflow's timeout, however slow the suite.
            config.upstream.timeoutMs = 120_000
        }) { _, client in
            let first = Task { try await client.callTool("ticket_list", token: Tokens.alice) }
            let second = Task { try await client.callTool("ticket_list", token: Tokens.alice) }
            #expect(await eventually { Self.aliceCount(upstream) == 2 }, "two calls hold both slots")

            let third = try await client.callTool("ticket_list", token: Tokens.alice)
            #expect(third.isToolError == true, "\(third.text)")
            let text = third.toolText ?? ""
            #expect(text.contains("upstream.max_concurrent_per_token"), "\(text)")
            #expect(text.contains("Retry"), "\(text)")
            #expect(text.contains("nothing was sent to Loonflow"), "\(text)")
            #expect(Self.aliceCount(upstream) == 2, "the refused call never reached Loonflow")

            let bob = try await client.callTool("ticket_list", token: Tokens.bob)
            #expect(bob.isToolError == false, "another token is unaffected: \(bob.text)")

            gate.open()
            let (one, two) = (try await first.value, try await second.value)
            #expect(one.isToolError == false, "\(one.text)")
            #expect(two.isToolError == false, "\(two.text)")
        }
    }

    @Test func aWaitingCallProceedsWhenASlotFrees() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let gate = TestGate()
        Self.install(upstream, gate: gate)
        try await withHarness(upstream, configure: { config in
            config.upstream.maxConcurrentPerToken = 2
            config.upstream.concurrencyWaitMs = 20_000
            config.upstream.timeoutMs = 120_000
        }) { gateway, client async throws in
            let first = Task { try await client.callTool("ticket_list", token: Tokens.alice) }
            let second = Task { try await client.callTool("ticket_list", token: Tokens.alice) }
            #expect(await eventually { Self.aliceCount(upstream) == 2 })
            let waiting = Task { try await client.callTool("ticket_list", token: Tokens.alice) }
            let queued = await eventually { gateway.runtime.metrics.render().contains("lmg_requests_in_flight 3") }
            #expect(queued, "the third call is in the gateway")
            #expect(Self.aliceCount(upstream) == 2, "the third call waits for a slot")
            #expect(try await client.callTool("ticket_list", token: Tokens.bob).isToolError == false, "Bob is not queued behind Alice")
            gate.open()
            #expect(try await waiting.value.isToolError == false)
            #expect(try await first.value.isToolError == false)
            #expect(try await second.value.isToolError == false)
            #expect(Self.aliceCount(upstream) == 3)
        }
    }

    @Test func rateLimitPerToken() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route("GET", FakeTickets.path, reply: FakeTickets.ok)
        try await withHarness(upstream, configure: { $0.upstream.rateLimitPerToken = 1 }) { _, client in
            let results = try await withThrowingTaskGroup(of: MCPTestResponse.self) { group in
                for _ in 0..<5 { group.addTask { try await client.callTool("ticket_list", token: Tokens.alice) } }
                var all: [MCPTestResponse] = []
                for try await result in group { all.append(result) }
                return all
            }
            let refused = results.filter { $0.isToolError == true }
            #expect(results.count - refused.count >= 1, "the first call in a second passes")
            #expect(refused.count >= 1, "a burst past one per second is refused")
            for response in refused {
                let text = response.toolText ?? ""
                #expect(text.contains("upstream.rate_limit_per_token") && text.contains("Retry"), "\(text)")
            }
            #expect(Self.aliceCount(upstream) == results.count - refused.count, "refused calls send nothing")
            #expect(try await client.callTool("ticket_list", token: Tokens.bob).isToolError == false, "Bob has his own budget")
        }
    }
}
