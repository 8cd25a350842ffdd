import Curl
import HTTPMessage
import TestSupport
import Testing

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
