import Curl
import HTTPMessage
import TestSupport
import Testing

/// The ticket handle POST must reach the upstream at most once, whatever happens.
@Suite("CurlHTTPClient non-idempotent requests")
struct CurlNonIdempotentTests {
    private func handle(_ upstream: TestUpstream) -> UpstreamRequest {
        UpstreamRequest(
            method: "POST", url: upstream.url("/api/v1.0/tickets/t1/handle"),
            headers: ["Content-Type": "application/json"], body: Array(#"{"transition_id":"x"}"#.utf8),
            isIdempotent: false)
    }

    @Test("after the idle pooled connection died, the POST arrives once on a new connection")
    func postAfterIdleClose() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route("GET", "/warm", reply: .json("{}"))
        upstream.route("POST", "/api/v1.0/tickets/t1/handle", reply: .json(#"{"code":0}"#))
        let client = try makeClient()
        defer { client.shutdown() }

        _ = try await client.send(UpstreamRequest(method: "GET", url: upstream.url("/warm")))
        #expect(upstream.closeIdleConnections() == 1)
        let response = try await client.send(handle(upstream))

        #expect(response.status == 200)
        let posts = upstream.requests("POST", "/api/v1.0/tickets/t1/handle")
        #expect(posts.count == 1)
        #expect(posts.first?.connectionID != upstream.requests("GET", "/warm").first?.connectionID)
    }

    @Test("a POST never rides a pooled connection, nor leaves its own for later")
    func postIsolated() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route("GET", "/warm", reply: .json("{}"))
        upstream.route("POST", "/api/v1.0/tickets/t1/handle", reply: .json(#"{"code":0}"#))
        let client = try makeClient()
        defer { client.shutdown() }

        _ = try await client.send(UpstreamRequest(method: "GET", url: upstream.url("/warm")))
        _ = try await client.send(handle(upstream))
        _ = try await client.send(UpstreamRequest(method: "GET", url: upstream.url("/warm")))

        let gets = upstream.requests("GET", "/warm").map(\.connectionID)
        let post = upstream.requests("POST", "/api/v1.0/tickets/t1/handle").first?.connectionID
        #expect(gets.count == 2 && gets[0] == gets[1])
        #expect(post != nil && post != gets[0])
    }

    @Test("a POST whose answer never comes → timedOut, sent, recorded exactly once")
    func postTimeout() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route("POST", "/api/v1.0/tickets/t1/handle", reply: .hang)
        let client = try makeClient(totalTimeoutMs: 2_000)
        defer { client.shutdown() }

        let error = try #require(await failure(of: handle(upstream), with: client))

        #expect(error.kind == .timedOut)
        #expect(error.requestMayHaveBeenSent)
        #expect(!error.headersReceived)
        #expect(upstream.requestCount("POST", "/api/v1.0/tickets/t1/handle") == 1)
    }

    @Test("cancelling the task of a POST already sent lets it finish with its real answer")
    func cancelledPostCompletes() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let arrived = TestGate()
        let release = TestGate()
        upstream.route(
            "POST", "/api/v1.0/tickets/t1/handle", TestUpstream.gated(release, arrived: arrived, .json(#"{"code":0}"#)))
        upstream.route("GET", "/ping", reply: .json("{}"))
        let client = try makeClient()
        defer { client.shutdown() }
        let request = handle(upstream)

        let task = Task { try await client.send(request) }
        #expect(await arrived.wait(timeout: .seconds(5)))
        task.cancel()
        // The loop handles work in order: once this GET is done, it has seen the cancellation.
        _ = try await client.send(UpstreamRequest(method: "GET", url: upstream.url("/ping")))
        release.open()
        let result = await task.result

        #expect((try? result.get())?.status == 200)
        #expect(upstream.requestCount("POST", "/api/v1.0/tickets/t1/handle") == 1)
    }

    @Test("a POST cancelled before it left is dropped and reported as not sent")
    func cancelledBeforeSending() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route("POST", "/api/v1.0/tickets/t1/handle", reply: .json(#"{"code":0}"#))
        let client = try makeClient()
        defer { client.shutdown() }
        let request = handle(upstream)

        let task = Task {
            // Returns at once when cancelled; the send then starts in a cancelled task.
            try? await Task.sleep(for: .seconds(60))
            return try await client.send(request)
        }
        task.cancel()
        let error = await task.result.failure as? UpstreamError

        #expect(error?.kind == .cancelled)
        #expect(error?.requestMayHaveBeenSent == false)
        #expect(upstream.requestCount("POST", "/api/v1.0/tickets/t1/handle") == 0)
    }
}
