import Curl
import FixtureReplay
import HTTPMessage
import HTTPServer
import JSON
import Testing

/// An unmatched request gets a 404 whose JSON names the closest fixtures and the record
/// command; in the gateway that text becomes Loonflow's error message.
@Suite struct ReplayDiagnosticsTests {
    let alice = strangerToken()
    let path = "/api/v1.0/tickets"

    func set() throws -> FixtureSet {
        let tokens = FixtureTokens([
            FixtureToken(placeholder: "<PAT_alice>", user: "alice", role: "normal", sha256: fingerprint(alice), demoToken: alice)
        ])
        return try FixtureSet(
            directory: "/sets/demo",
            fixtures: [
                ReplayMatchingTests.fixture(path, query: [QueryPair("category", "owner")], answer: ["code": 0]),
                ReplayMatchingTests.fixture(path, query: [QueryPair("category", "duty"), QueryPair("per_page", "5")], answer: ["code": 0]),
                ReplayMatchingTests.fixture("POST", path, body: .json(["workflow_id": "w"]), answer: ["code": 0]),
                ReplayMatchingTests.fixture("/api/v1.0/accounts/simple_users", answer: ["code": 0]),
                ReplayMatchingTests.fixture(
                    "/api/v1.0/tickets/0a0a0a0a-0000-4000-8000-000000000009/ticket_detail_form", answer: ["code": 0]),
            ], tokens: tokens)
    }

    var unmatched: UpstreamRequest {
        UpstreamRequest(
            method: "GET", url: "http://fixtures.invalid\(path)?category=duty&per_page=5&page=2",
            headers: ["Authorization": "Bearer \(alice)"])
    }

    @Test func unmatchedRequestGetsA404NamingTheClosestFixtures() async throws {
        let response = try await FixtureReplayClient(set: try set()).send(unmatched)
        #expect(response.status == 404)
        #expect(response.headers["Content-Type"] == "application/json")
        let body = try #require(jsonObject(response.body))
        let closest = try #require(body["closest"]?.arrayValue)
        let requests = closest.compactMap { $0["request"]?.stringValue }
        // Same method and path first (most query pairs in common leading), then the same path.
        #expect(requests == [
            "GET /api/v1.0/tickets?category=duty&page=1&per_page=5&reverse=1",
            "GET /api/v1.0/tickets?category=owner&page=1&per_page=10&reverse=1",
            "POST /api/v1.0/tickets",
        ])
        #expect(closest.first?["caller"] == "<PAT_alice>")
        #expect(body["request"]?["query"] == "category=duty&page=2&per_page=5&reverse=1")
        #expect(body["record"] == "loonflow-mcp-gateway record --upstream <LOONFLOW_URL> --out /sets/demo")
        let diagnostic = try #require(body["diagnostic"]?.stringValue)
        #expect(diagnostic.contains("GET /api/v1.0/tickets?category=duty&page=2&per_page=5&reverse=1"))
        #expect(diagnostic.contains("<PAT_alice>"))
        #expect(diagnostic.contains("Closest recorded: GET /api/v1.0/tickets?category=duty&page=1&per_page=5&reverse=1"))
        #expect(diagnostic.contains("loonflow-mcp-gateway record --upstream"))
        #expect(!diagnostic.contains(alice))
    }

    @Test func anotherTicketIdSuggestsTheSameEndpoint() async throws {
        let request = UpstreamRequest(
            method: "GET", url: "http://fixtures.invalid/api/v1.0/tickets/0a0a0a0a-0000-4000-8000-00000000000a/ticket_detail_form",
            headers: ["Authorization": "Bearer \(alice)"])
        let body = try #require(jsonObject(try await FixtureReplayClient(set: try set()).send(request).body))
        #expect(body["closest"]?.arrayValue?.first?["file"]?.stringValue?.contains("0a0a0a0a-0000-4000-8000-000000000009") == true)
    }

    @Test func gatewaySeesTheDiagnosticAsLoonflowsMessage() async throws {
        let client = FixtureDiagnosticClient(replay: FixtureReplayClient(set: try set()))
        let response = try await client.send(unmatched)
        #expect(response.status == 200)
        let envelope = try #require(jsonObject(response.body))
        #expect(envelope["code"] == -1)
        #expect(envelope["data"] == "")
        #expect(envelope["msg"]?.stringValue?.hasPrefix("Fixture replay: no recorded Loonflow exchange") == true)
        // Matched answers pass through untouched.
        let matched = UpstreamRequest(
            method: "GET", url: "http://fixtures.invalid\(path)?category=owner", headers: ["Authorization": "Bearer \(alice)"])
        #expect(jsonObject(try await client.send(matched).body) == ["code": 0])
    }

    @Test func serveFixturesAnswersTheSame404OverHTTP() async throws {
        let server = try HTTPServer(options: HTTPServerOptions(host: "127.0.0.1", port: 0), handler: FixtureServer(set: try set()))
        try server.start()
        let client = try CurlHTTPClient()
        var request = unmatched
        request.url = "http://127.0.0.1:\(server.boundPort ?? 0)\(path)?category=duty&per_page=5&page=2"
        let response = try await client.send(request)
        client.shutdown()
        await server.stop(gracePeriod: .seconds(1))
        #expect(response.status == 404)
        #expect(jsonObject(response.body)?["diagnostic"]?.stringValue?.contains("Closest recorded") == true)
    }

    /// A miss echoes what was asked; the token of the request in it is redacted, in the 404
    /// body and in the message the gateway hands on.
    @Test func missExplanationsNeverCarryTheRequestsToken() async throws {
        let secret = String(alice.split(separator: ".")[2])
        let request = UpstreamRequest(
            method: "POST", url: "http://fixtures.invalid\(path)?search_value=\(alice)",
            headers: ["Authorization": "Bearer \(alice)", "Content-Type": "application/json"],
            body: JSONValue.object(["title": .string("copy of \(secret)")]).serialized)
        let miss = try await FixtureReplayClient(set: try set()).send(request)
        #expect(miss.status == 404)
        let body = String(decoding: miss.body, as: UTF8.self)
        #expect(!body.contains(secret), "\(body)")
        #expect(body.contains("[redacted]"), "\(body)")
        let relayed = try await FixtureDiagnosticClient(replay: FixtureReplayClient(set: try set())).send(request)
        let message = try #require(jsonObject(relayed.body)?["msg"]?.stringValue)
        #expect(!message.contains(secret), "\(message)")
    }
}
