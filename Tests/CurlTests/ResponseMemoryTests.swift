import Curl
import HTTPMessage
import Testing
import TestSupport

/// What a misbehaving upstream can make the client hold: nothing for an answer that declares
/// itself over the cap, and never more than one cap for all answers in flight together.
@Suite struct ResponseMemoryTests {
    @Test func declaredLengthOverTheCapIsRefusedBeforeTheBody() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        // The body never comes: only the refusal at the headers can end this before the timeout.
        upstream.route(
            "GET", "/declared",
            reply: .headersThenHang(status: 200, headers: ["Content-Type": "application/json"], declaredLength: 50_000))
        let client = try makeClient(totalTimeoutMs: 30_000, maxResponseBytes: 4_096)
        defer { client.shutdown() }
        let started = ContinuousClock.now
        let error = try #require(await failure(of: UpstreamRequest(method: "GET", url: upstream.url("/declared")), with: client))
        #expect(error.kind == .responseTooLarge, "\(error)")
        #expect(ContinuousClock.now - started < .seconds(10), "refused at the headers, not at the timeout")
    }

    @Test func answersInFlightShareOneCap() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        // Declares the whole cap, sends three quarters, then stalls, holding its share meanwhile.
        let body = [UInt8](repeating: 32, count: 3_072)
        let whole = [UInt8](repeating: 32, count: 4_096)
        upstream.route(
            "GET", "/stalls",
            reply: .partialBodyThenHang(status: 200, headers: ["Content-Type": "application/json"], body: whole, sentBytes: 3_072))
        upstream.route("GET", "/fits", reply: .json(body))
        let client = try makeClient(totalTimeoutMs: 30_000, maxResponseBytes: 4_096)
        defer { client.shutdown() }

        let stalled = Task { await failure(of: UpstreamRequest(method: "GET", url: upstream.url("/stalls")), with: client) }
        let deadline = ContinuousClock.now + .seconds(10)
        while client.heldResponseBytes < 4_096, ContinuousClock.now < deadline { await Task.yield() }
        #expect(client.heldResponseBytes == 4_096, "the stalled answer holds its declared length")
        let error = await failure(of: UpstreamRequest(method: "GET", url: upstream.url("/fits")), with: client)
        #expect(error?.kind == .responseTooLarge, "a second answer does not fit beside the stalled one: \(String(describing: error))")
        stalled.cancel()
        _ = await stalled.value
        #expect(client.heldResponseBytes == 0, "the share is given back when the stalled transfer ends")
        let fits = try await client.send(UpstreamRequest(method: "GET", url: upstream.url("/fits")))
        #expect(fits.body.count == 3_072)
    }
}
