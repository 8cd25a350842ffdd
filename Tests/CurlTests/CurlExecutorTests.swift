import Curl
import HTTPMessage
import HTTPServer
import Testing
import TestSupport

@Suite("The transfer thread as a task executor")
struct CurlExecutorTests {
    @Test("a task preferring it runs, sends and is resumed on the transfer thread")
    func callsStayOnTheTransferThread() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route("GET", "/tickets", reply: .json(#"{"code":0}"#))
        let client = try makeClient()
        defer { client.shutdown() }
        let url = upstream.url("/tickets")
        let executor = client.executor
        let placements = try await Task(executorPreference: executor) {
            var placements = [client.isOnTransferThread]
            for _ in 0..<5 {
                let response = try await client.send(UpstreamRequest(method: "GET", url: url))
                #expect(response.status == 200)
                placements.append(client.isOnTransferThread)
            }
            return placements
        }.value
        #expect(placements == Array(repeating: true, count: 6))
        // Without the preference the same calls run elsewhere: the check above can fail.
        let elsewhere = try await Task {
            _ = try await client.send(UpstreamRequest(method: "GET", url: url))
            return client.isOnTransferThread
        }.value
        #expect(!elsewhere)
    }

    @Test("jobs that arrive after shutdown still run, elsewhere")
    func jobsAfterShutdownRun() async throws {
        let client = try makeClient()
        client.shutdown()
        let executor = client.executor
        let (value, onTransferThread) = await Task(executorPreference: executor) {
            await Task.yield()
            return (42, client.isOnTransferThread)
        }.value
        #expect(value == 42)
        #expect(!onTransferThread)
    }
}

/// An HTTP handler that reports where it ran, before and after one upstream call.
private struct PlacementHandler: HTTPHandler {
    let loopClient: CurlHTTPClient
    let upstreamURL: String

    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let before = loopClient.isOnTransferThread
        let status = (try? await loopClient.send(UpstreamRequest(method: "GET", url: upstreamURL)))?.status ?? 0
        let after = loopClient.isOnTransferThread
        return HTTPResponse(status: 200, body: Array("\(before) \(status) \(after)".utf8))
    }

    /// Called from libmicrohttpd's callbacks: says which thread those run on.
    func refusal(status: Int, reason: String) -> HTTPResponse {
        HTTPResponse(status: status, body: Array("callbacks on the transfer thread: \(loopClient.isOnTransferThread)".utf8))
    }
}

@Suite("The HTTP front end served by the transfer loop")
struct ServedFrontEndTests {
    @Test("requests, handlers and their transfers all run on the transfer thread")
    func everythingRunsOnTheLoop() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route("GET", "/tickets", reply: .json(#"{"code":0}"#))
        let loopClient = try makeClient()
        defer { loopClient.shutdown() }
        let server = try HTTPServer(
            options: HTTPServerOptions(maxBodyBytes: 16),
            handler: PlacementHandler(loopClient: loopClient, upstreamURL: upstream.url("/tickets")),
            servingLoop: loopClient.executor)
        try server.start()
        let port = try #require(server.boundPort)
        let caller = try makeClient()
        defer { caller.shutdown() }
        for _ in 0..<3 {
            let response = try await caller.send(UpstreamRequest(method: "GET", url: "http://127.0.0.1:\(port)/where"))
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self) == "true 200 true")
        }
        // libmicrohttpd itself runs there too (with a thread of its own this says false).
        let refused = try await caller.send(
            UpstreamRequest(method: "POST", url: "http://127.0.0.1:\(port)/big", body: Array(repeating: 0x20, count: 64)))
        #expect(refused.status == 413)
        #expect(String(decoding: refused.body, as: UTF8.self) == "callbacks on the transfer thread: true")
        await server.stop(gracePeriod: .seconds(5))
        #expect(server.boundPort == nil)
    }

    @Test("the server stops cleanly after its loop has already stopped")
    func stopsAfterTheLoop() async throws {
        let loopClient = try makeClient()
        let server = try HTTPServer(
            handler: PlacementHandler(loopClient: loopClient, upstreamURL: "http://127.0.0.1:9/"),
            servingLoop: loopClient.executor)
        try server.start()
        loopClient.shutdown()
        await server.stop(gracePeriod: .zero)
        #expect(server.boundPort == nil)
    }
}
