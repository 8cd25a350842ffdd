import Curl
import HTTPMessage
import JSON
import Testing
import TestSupport

/// `/healthz`, `/readyz` and `/metrics`: no token needed, none shown.
@Suite struct OperationsTests {
    /// A GET without any token.
    static func get(_ url: String) async throws -> UpstreamResponse {
        let http = try CurlHTTPClient(options: CurlClientOptions(connectTimeoutMs: 2_000, totalTimeoutMs: 15_000))
        defer { http.shutdown() }
        return try await http.send(UpstreamRequest(method: "GET", url: url))
    }

    static func text(_ response: UpstreamResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    /// The value of the sample line `name{labels}` (labels in the order rendered).
    static func sample(_ metrics: String, _ series: String) -> Double? {
        guard let line = metrics.split(separator: "\n").first(where: { $0.hasPrefix(series + " ") }) else { return nil }
        return Double(line.split(separator: " ").last ?? "")
    }

    @Test func healthAndReadinessWhenTheUpstreamAnswers() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        try await withHarness(upstream) { gateway, _ in
            let health = try await Self.get(gateway.baseURL + "/healthz")
            #expect(health.status == 200)
            #expect(Self.text(health) == "ok\n")
            let ready = try await Self.get(gateway.baseURL + "/readyz")
            #expect(ready.status == 200, "\(Self.text(ready))")
            #expect(upstream.requests.allSatisfy { $0.headers["Authorization"] == nil }, "the probe sends no token")
            let unknown = try await Self.get(gateway.baseURL + "/nope")
            #expect(unknown.status == 404)
        }
    }

    @Test func notReadyWhenTheUpstreamIsUnreachable() async throws {
        let refusing = try RefusingPort()
        defer { refusing.close() }
        let gateway = try GatewayHarness(upstreamBaseURL: refusing.baseURL)
        let ready = try await Self.get(gateway.baseURL + "/readyz")
        #expect(ready.status == 503)
        #expect(Self.text(ready).contains("unreachable"), "\(Self.text(ready))")
        #expect(try await Self.get(gateway.baseURL + "/healthz").status == 200, "alive even when not ready")
        await gateway.stop()
    }

    @Test func metricsCountRequestsUpstreamCallsAndInFlight() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let scenario = HandleScenario()
        scenario.install(on: upstream)
        scenario.release.open()
        let held = TestGate()
        let heldArrived = TestGate()
        upstream.route("GET", FakeTickets.path) { request in
            if FakeTickets.query(request, "search_value") == "hold" {
                heldArrived.open()
                await held.wait()
            }
            return FakeTickets.ok
        }
        try await withHarness(upstream) { gateway, client in
            #expect(try await client.callTool("ticket_list", token: Tokens.alice).isToolError == false)
            #expect(try await client.callTool("ticket_list", token: Tokens.alice, modern: true).isToolError == false)
            _ = try await client.callTool("no_such_tool", token: Tokens.alice)
            _ = try await client.legacy("no/such/method", token: Tokens.alice)
            _ = try await client.legacy("tools/list", token: "not-a-token")
            let handled = try await client.legacy("tools/call", params: HandleScenario.params, token: Tokens.alice)
            #expect(handled.structured?["status"] == "handled", "\(handled.text)")

            let pending = Task { try await client.callTool("ticket_list", arguments: ["search_value": "hold"], token: Tokens.alice) }
            #expect(await heldArrived.wait(timeout: .seconds(10)))
            let during = Self.text(try await Self.get(gateway.baseURL + "/metrics"))
            #expect(Self.sample(during, "lmg_requests_in_flight") == 1, "\(during)")
            held.open()
            _ = try await pending.value

            let metrics = try await Self.get(gateway.baseURL + "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.headers["Content-Type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = Self.text(metrics)
            #expect(text.contains("# TYPE lmg_requests_total counter"))
            #expect(Self.sample(text, #"lmg_requests_total{era="legacy",method="tools/call",tool="ticket_list",outcome="ok",status="200"}"#) == 2, "\(text)")
            #expect(Self.sample(text, #"lmg_requests_total{era="modern",method="tools/call",tool="ticket_list",outcome="ok",status="200"}"#) == 1)
            #expect(Self.sample(text, #"lmg_requests_total{era="legacy",method="tools/call",tool="other",outcome="rpc_error",status="200"}"#) == 1, "unknown tools count as other")
            #expect(Self.sample(text, #"lmg_requests_total{era="legacy",method="other",tool="none",outcome="rpc_error",status="200"}"#) == 1, "unknown methods count as other")
            #expect(text.contains(#"outcome="http_error",status="401""#))
            #expect(Self.sample(text, #"lmg_requests_total{era="legacy",method="tools/call",tool="ticket_handle",outcome="ok",status="200"}"#) == 1)
            #expect(!text.contains("no_such_tool") && !text.contains("no/such/method"))
            #expect(Self.sample(text, "lmg_requests_in_flight") == 0)
            #expect(text.contains("# TYPE lmg_request_duration_seconds histogram"))
            #expect(Self.sample(text, #"lmg_request_duration_seconds_bucket{era="legacy",method="tools/call",tool="ticket_list",le="+Inf"}"#) == 2)
            #expect(Self.sample(text, #"lmg_request_duration_seconds_count{era="legacy",method="tools/call",tool="ticket_list"}"#) == 2)
            #expect(Self.sample(text, #"lmg_upstream_requests_total{method="GET",endpoint="/tickets",status="200"}"#) == 3)
            #expect(Self.sample(text, #"lmg_upstream_requests_total{method="POST",endpoint="/tickets/{id}/handle",status="200"}"#) == 1, "\(text)")
            #expect(Self.sample(text, #"lmg_upstream_requests_total{method="GET",endpoint="/tickets/{id}/ticket_detail_form",status="200"}"#) == 1)
            #expect(text.contains(#"lmg_upstream_duration_seconds_bucket{method="POST",endpoint="/tickets/{id}/handle",le="+Inf"} 1"#))
            #expect(!text.contains(HandleScenario.ticket), "ids are templated")
            #expect(Tokens.leaked(in: text).isEmpty && !text.contains("not-a-token"))
        }
    }

    @Test func separateMetricsListener() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route("GET", FakeTickets.path, FakeTickets.route())
        let gateway = try await GatewayProcess.start(
            yaml: gatewayYAML(upstream: upstream.baseURL, "server:\n  metrics:\n    host: 127.0.0.1\n    port: 0\n"))
        let metricsPort = try #require(gateway.metricsPort, "the metrics listener's address is logged")
        #expect(metricsPort != gateway.port)

        #expect(try await gateway.client().callTool("ticket_list", token: Tokens.alice).isToolError == false)
        let metrics = try await Self.get("http://127.0.0.1:\(metricsPort)/metrics")
        #expect(metrics.status == 200)
        let text = Self.text(metrics)
        #expect(Self.sample(text, #"lmg_requests_total{era="legacy",method="tools/call",tool="ticket_list",outcome="ok",status="200"}"#) == 1, "\(text)")
        #expect(Tokens.leaked(in: text).isEmpty)
        #expect(try await Self.get("http://127.0.0.1:\(metricsPort)/healthz").status == 200)
        #expect(try await Self.get("http://127.0.0.1:\(metricsPort)/mcp").status == 404, "MCP is not served there")
        #expect(try await Self.get("http://127.0.0.1:\(gateway.port)/metrics").status == 404, "nor metrics on the MCP listener")
        #expect(try await Self.get("http://127.0.0.1:\(gateway.port)/healthz").status == 200)

        let output = await gateway.stop()
        #expect(output.exitCode == 0)
        #expect(Tokens.leaked(in: output.combined).isEmpty)
    }
}
