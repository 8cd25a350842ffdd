import Curl
import HTTPMessage
import JSON
import Testing
import TestSupport

/// Loonflow failing in every way we know of, seen through the official Python SDK 2.x: each
/// fault gives the tool error that explains it, and the next call succeeds. The test
/// upstream (or a forwarder in front of it) chooses each fault itself, per request.
@Suite(.serialized) struct UpstreamFaultTests {
    /// A fault, and the fragments its tool error must contain.
    struct Fault: Sendable {
        var name: String
        var reply: TestReply
        var expected: [String]
        var unexpected: [String] = []
    }

    static let okClose = TestReply.respond(
        status: 200, headers: ["Content-Type": "application/json", "Connection": "close"],
        body: FakeTickets.page(1, perPage: 10, total: 2))

    static let faults: [Fault] = [
        Fault(name: "timeout before headers", reply: .hang, expected: ["Loonflow did not answer in time; try again"], unexpected: ["sent headers"]),
        Fault(
            name: "timeout after headers",
            reply: .headersThenHang(status: 200, headers: ["Content-Type": "application/json"], declaredLength: 500),
            expected: ["Loonflow did not answer in time (it sent headers, then stalled)"]),
        Fault(
            name: "reset mid-body",
            reply: .partialBodyThenClose(status: 200, headers: ["Content-Type": "application/json"], body: FakeTickets.page(1, perPage: 10, total: 2), sentBytes: 20),
            expected: ["the connection to Loonflow broke before a complete answer"]),
        Fault(name: "no reply at all", reply: .closeWithoutReply, expected: ["the connection to Loonflow broke before a complete answer"]),
        Fault(
            name: "500 HTML", reply: TestUpstream.recordingReply(named: "auth.unknown_pat.tickets"),
            expected: ["Loonflow answered HTTP 500, which it does when it rejects the access token"]),
        Fault(
            name: "502 from a proxy",
            reply: .respond(status: 502, headers: ["Content-Type": "text/html", "Server": "nginx"], body: Array("<html><body><h1>502 Bad Gateway</h1></body></html>".utf8)),
            expected: ["Loonflow answered HTTP 502 (a proxy in front of Loonflow could not reach it)"]),
        Fault(name: "invalid JSON", reply: .json("<!doctype html><p>maintenance</p>"), expected: ["Loonflow's answer could not be read: HTTP 200 with a body that is not a JSON object"]),
        Fault(name: "truncated JSON", reply: .json(#"{"code":0,"data":{"ticket_list":[{"id":"#), expected: ["Loonflow's answer could not be read"]),
        Fault(name: "not Loonflow's envelope", reply: .json(#"{"status":"ok"}"#), expected: [#"no numeric "code""#]),
        Fault(
            name: "body over the size cap", reply: .json(Array(#"{"code":0,"data":{"pad":""#.utf8) + Array(repeating: UInt8(ascii: "x"), count: 200_000) + Array(#""}}"#.utf8)),
            expected: ["exceeded the gateway's size cap (upstream.max_response_bytes)"]),
        Fault(name: "401 envelope", reply: TestUpstream.recordingReply(named: "auth.no_token.tickets"), expected: ["Loonflow answered HTTP 401"]),
    ]

    @Test func httpFaultsThenRecovery() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        var replies: [TestReply] = []
        for fault in Self.faults { replies += [fault.reply, Self.okClose] }
        upstream.route("GET", FakeTickets.path, TestUpstream.sequence(replies, then: Self.okClose))
        try await withHarness(upstream, configure: { config in
            config.upstream.timeoutMs = 2_500
            config.upstream.maxResponseBytes = 65_536
        }) { gateway, _ in
            let python = try PythonClient()
            defer { python.remove() }
            let calls = Array(repeating: ("ticket_list", JSONObject()), count: 2 * Self.faults.count)
            let output = try await python.start(url: gateway.mcpURL, token: Tokens.alice, calls: calls).finish(timeout: .seconds(120))
            let (version, outcomes) = try python.outcomes(output)
            #expect(version == MCPTestClient.modernVersion, "the 2.x SDK speaks the modern protocol")
            try #require(outcomes.count == calls.count, "\(output.combined.suffix(2000))")
            for (index, fault) in Self.faults.enumerated() {
                let failed = outcomes[2 * index]
                let next = outcomes[2 * index + 1]
                #expect(failed.isError, "\(fault.name): expected a tool error, got \(failed.text.prefix(300))")
                for fragment in fault.expected {
                    #expect(failed.text.contains(fragment), "\(fault.name): \(failed.text)")
                }
                for fragment in fault.unexpected {
                    #expect(!failed.text.contains(fragment), "\(fault.name): \(failed.text)")
                }
                #expect(!next.isError, "\(fault.name): the next call succeeds: \(next.text.prefix(300))")
            }
            #expect(Tokens.leaked(in: output.combined).isEmpty)
            #expect(upstream.requestCount("GET", FakeTickets.path) == calls.count, "each call reached Loonflow once")
        }
    }

    @Test func connectRefusedThenRecovery() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route("GET", FakeTickets.path, reply: FakeTickets.ok)
        let forwarder = try TCPForwarder()
        defer { forwarder.stop() }
        let gateway = try GatewayHarness(upstreamBaseURL: forwarder.baseURL)
        let python = try PythonClient()
        defer { python.remove() }
        let process = try python.start(
            url: gateway.mcpURL, token: Tokens.alice, calls: [("ticket_list", [:]), ("ticket_list", [:])], pausing: true)
        #expect(await python.waitForPause(after: 1))
        forwarder.forward(to: upstream.port)
        python.proceed(after: 1)
        let output = await process.finish(timeout: .seconds(90))
        let (_, outcomes) = try python.outcomes(output)
        try #require(outcomes.count == 2)
        #expect(outcomes[0].isError)
        #expect(outcomes[0].text.contains("Loonflow is unreachable"), "\(outcomes[0].text)")
        #expect(outcomes[0].text.contains("nothing was sent"), "\(outcomes[0].text)")
        #expect(!outcomes[1].isError, "\(outcomes[1].text)")
        await gateway.stop()
    }

    static let tlsBody = String(decoding: FakeTickets.page(1, perPage: 10, total: 2), as: UTF8.self)

    @Test func tlsWithTheRightCANegotiatesHTTP2AndTheWrongCAIsRefused() async throws {
        try await Self.withTLS { tls in try await Self.checkCurlTLS(tls) }
    }

    /// Runs `body` with nginx up, and stops nginx whatever happens.
    static func withTLS(_ body: (TLSUpstream) async throws -> Void) async throws {
        let tls = try await TLSUpstream.start(body: Self.tlsBody)
        do {
            try await body(tls)
        } catch {
            await tls.stop()
            throw error
        }
        await tls.stop()
    }

    static func checkCurlTLS(_ tls: TLSUpstream) async throws {
        let url = "https://127.0.0.1:\(tls.trustedPort)/api/v1.0/tickets"

        let trusting = try CurlHTTPClient(options: CurlClientOptions(caFile: tls.trustedCA))
        defer { trusting.shutdown() }
        let response = try await trusting.send(UpstreamRequest(method: "GET", url: url))
        #expect(response.status == 200)
        #expect(response.httpVersion == "2", "HTTP/2 over TLS")
        #expect(String(decoding: response.body, as: UTF8.self) == Self.tlsBody)

        for (name, options, target) in [
            ("the other CA", CurlClientOptions(caFile: tls.otherCA), url),
            ("a certificate from an untrusted CA", CurlClientOptions(caFile: tls.trustedCA), "https://127.0.0.1:\(tls.untrustedPort)/"),
            ("the system store", CurlClientOptions(), url),
        ] {
            let client = try CurlHTTPClient(options: options)
            defer { client.shutdown() }
            do {
                _ = try await client.send(UpstreamRequest(method: "GET", url: target))
                Issue.record("\(name): TLS should have failed")
            } catch {
                #expect(error.kind == .tls, "\(name): \(error)")
                #expect(!error.requestMayHaveBeenSent)
                #expect(error.detail.lowercased().contains("certificate"), "\(name): \(error.detail)")
            }
        }
    }

    @Test func wrongCAThroughTheGatewayThenRecovery() async throws {
        try await Self.withTLS { tls in try await Self.checkGatewayTLS(tls) }
    }

    static func checkGatewayTLS(_ tls: TLSUpstream) async throws {
        let forwarder = try TCPForwarder()
        defer { forwarder.stop() }
        forwarder.forward(to: tls.untrustedPort)
        let upstreamURL = "https://127.0.0.1:\(forwarder.port)"
        let gateway = try GatewayHarness(upstreamBaseURL: upstreamURL) { $0.upstream.caFile = tls.trustedCA }
        let python = try PythonClient()
        defer { python.remove() }
        let process = try python.start(
            url: gateway.mcpURL, token: Tokens.alice, calls: [("ticket_list", [:]), ("ticket_list", [:])], pausing: true)
        #expect(await python.waitForPause(after: 1))
        forwarder.forward(to: tls.trustedPort)
        python.proceed(after: 1)
        let output = await process.finish(timeout: .seconds(90))
        let (_, outcomes) = try python.outcomes(output)
        try #require(outcomes.count == 2)
        #expect(outcomes[0].isError)
        #expect(outcomes[0].text.contains("TLS with Loonflow failed"), "\(outcomes[0].text)")
        #expect(outcomes[0].text.contains("certificate"), "names the certificate problem: \(outcomes[0].text)")
        #expect(outcomes[0].text.contains("upstream.ca_file"), "\(outcomes[0].text)")
        #expect(!outcomes[1].isError, "\(outcomes[1].text)")
        await gateway.stop()
    }

    @Test func eachCertificateProblemGetsItsOwnAdviceAndAPrefixedHTTPSBaseWorks() async throws {
        try await Self.withTLS { tls in try await Self.checkCertificateProblems(tls) }
    }

    /// Through the gateway with `upstream.ca_file` set to the trusted CA: a good certificate
    /// under a path prefix serves the call; an untrusted CA, a certificate for another host
    /// and an expired one each fail with their own advice, and no token reaches the log.
    static func checkCertificateProblems(_ tls: TLSUpstream) async throws {
        let cases: [(port: UInt16, expected: String)] = [
            (tls.trustedPort, ""),
            (tls.untrustedPort, "signed by a CA the gateway does not trust"),
            (tls.wrongHostPort, "does not name the host"),
            (tls.expiredPort, "certificate has expired"),
        ]
        for (port, expected) in cases {
            let gateway = try GatewayHarness(upstreamBaseURL: "https://127.0.0.1:\(port)/loonflow") { $0.upstream.caFile = tls.trustedCA }
            let client = try gateway.client()
            let response = try await client.post(
                MCPTestClient.request(method: "tools/call", params: ["name": "ticket_list", "arguments": [:]]),
                headers: ["Authorization": "Bearer \(Tokens.alice)", "MCP-Protocol-Version": "2025-11-25"])
            let result = try #require(response.json?["result"], "\(response.text)")
            let text = result["content"]?.arrayValue?.first?["text"]?.stringValue ?? ""
            if expected.isEmpty {
                #expect(result["isError"] == false, "\(text)")
                #expect(result["structuredContent"]?["total"] == 2)
            } else {
                #expect(result["isError"] == true)
                #expect(text.contains("TLS with Loonflow failed") && text.contains(expected), "port \(port): \(text)")
                #expect(text.contains("nothing was sent"))
            }
            await gateway.stop()
            #expect(Tokens.leaked(in: gateway.logs.text + response.text).isEmpty)
        }
    }
}
