import Curl
import HTTPMessage
import TestSupport
import Testing

@Suite("CurlHTTPClient failures")
struct CurlFailureTests {
    @Test("no answer in time → timedOut, sent, no headers")
    func timeout() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route("GET", "/slow", reply: .hang)
        let client = try makeClient(totalTimeoutMs: 300)
        defer { client.shutdown() }

        let error = try #require(
            await failure(of: UpstreamRequest(method: "GET", url: upstream.url("/slow")), with: client))

        #expect(error.kind == .timedOut)
        #expect(error.requestMayHaveBeenSent)
        #expect(!error.headersReceived)
    }

    @Test("refused connection → connectFailed, not sent")
    func connectRefused() async throws {
        let refusing = try RefusingPort()
        defer { refusing.close() }
        let client = try makeClient()
        defer { client.shutdown() }

        let error = try #require(
            await failure(of: UpstreamRequest(method: "GET", url: refusing.baseURL + "/x"), with: client))

        #expect(error.kind == .connectFailed)
        #expect(!error.requestMayHaveBeenSent)
        #expect(!error.headersReceived)
    }

    @Test("headers then silence → timedOut with headersReceived")
    func headersThenHang() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route(
            "GET", "/stall", reply: .headersThenHang(status: 200, headers: ["X-A": "1"], declaredLength: 100))
        let client = try makeClient(totalTimeoutMs: 2_000)
        defer { client.shutdown() }

        let error = try #require(
            await failure(of: UpstreamRequest(method: "GET", url: upstream.url("/stall")), with: client))

        #expect(error.kind == .timedOut)
        #expect(error.headersReceived)
        #expect(error.requestMayHaveBeenSent)
    }

    @Test("connection closed mid-body → connectionReset, not retried")
    func resetMidBody() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route(
            "GET", "/cut",
            reply: .partialBodyThenClose(
                status: 200, headers: [:], body: [UInt8](repeating: 65, count: 1000), sentBytes: 300))
        let client = try makeClient()
        defer { client.shutdown() }

        let error = try #require(
            await failure(of: UpstreamRequest(method: "GET", url: upstream.url("/cut")), with: client))

        #expect(error.kind == .connectionReset)
        #expect(error.headersReceived)
        #expect(error.requestMayHaveBeenSent)
        #expect(upstream.requestCount("GET", "/cut") == 1)
    }

    @Test("closed without a reply on a fresh connection → connectionReset")
    func closedWithoutReply() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route("GET", "/nothing", reply: .closeWithoutReply)
        let client = try makeClient()
        defer { client.shutdown() }

        let error = try #require(
            await failure(of: UpstreamRequest(method: "GET", url: upstream.url("/nothing")), with: client))

        #expect(error.kind == .connectionReset)
        #expect(!error.headersReceived)
        #expect(error.requestMayHaveBeenSent)
    }

    @Test("a fault on the first call only: the failure surfaces, the next call works")
    func perCallFault() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route("GET", "/flaky", TestUpstream.sequence([.closeWithoutReply], then: .json("{}")))
        let client = try makeClient()
        defer { client.shutdown() }
        let request = UpstreamRequest(method: "GET", url: upstream.url("/flaky"))

        let error = await failure(of: request, with: client)
        let response = try await client.send(request)

        #expect(error?.kind == .connectionReset)
        #expect(response.status == 200)
        #expect(upstream.requests("GET", "/flaky").map(\.connectionID) == [1, 2])
    }

    @Test("a body over the cap → responseTooLarge; one at the cap is fine")
    func sizeCap() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route("GET", "/big", reply: .json([UInt8](repeating: 32, count: 50_000)))
        upstream.route("GET", "/fits", reply: .json([UInt8](repeating: 32, count: 4_096)))
        let client = try makeClient(maxResponseBytes: 4_096)
        defer { client.shutdown() }

        let error = try #require(
            await failure(of: UpstreamRequest(method: "GET", url: upstream.url("/big")), with: client))
        let fits = try await client.send(UpstreamRequest(method: "GET", url: upstream.url("/fits")))

        #expect(error.kind == .responseTooLarge)
        #expect(error.headersReceived)
        #expect(fits.body.count == 4_096)
    }

    @Test("cancelling the task of a GET drops it at once → cancelled")
    func cancelGet() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let arrived = TestGate()
        upstream.route("GET", "/wait") { _ in
            arrived.open()
            return .hang
        }
        // The timeout is far beyond the test's expected run time: a cancellation that did not
        // work would end as timedOut instead.
        let client = try makeClient(totalTimeoutMs: 20_000)
        defer { client.shutdown() }

        let task = Task { try await client.send(UpstreamRequest(method: "GET", url: upstream.url("/wait"))) }
        #expect(await arrived.wait(timeout: .seconds(5)))
        task.cancel()
        let result = await task.result

        #expect((result.failure as? UpstreamError)?.kind == .cancelled)
    }

    @Test("header values with line breaks are refused before sending")
    func headerInjection() async throws {
        let client = try makeClient()
        defer { client.shutdown() }
        let request = UpstreamRequest(
            method: "GET", url: "http://127.0.0.1:1/", headers: ["X-A": "ok\r\nX-Injected: 1"])

        let error = try #require(await failure(of: request, with: client))

        #expect(error.kind == .invalidRequest)
        #expect(!error.requestMayHaveBeenSent)
        #expect(!error.detail.contains("Injected"))
    }

    @Test("after shutdown, requests fail at once")
    func afterShutdown() async throws {
        let client = try makeClient()
        client.shutdown()

        let error = try #require(
            await failure(of: UpstreamRequest(method: "GET", url: "http://127.0.0.1:1/"), with: client))

        #expect(error.kind == .other)
        #expect(!error.requestMayHaveBeenSent)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
