import HTTPMessage
import JSON
import Testing
import TestSupport

/// The HTTP+SSE transport's own refusals; the happy path runs with the official SDK in
/// `InteropTests.sdk1OverHTTPAndSSE`.
@Suite struct LegacySSETests {
    @Test func messagesNeedTheSessionOfAnOpenStream() async throws {
        try await withGateway { gateway, _, loonflow in
            let client = try MCPTestClient(url: gateway.baseURL + "/messages/")
            let missing = try await client.post(MCPTestClient.request(method: "tools/list"), headers: ["Authorization": "Bearer \(Tokens.alice)"])
            #expect(missing.status == 400 && missing.text.contains("session_id is required"))
            let unknown = try await client.post(
                MCPTestClient.request(method: "tools/list"), headers: ["Authorization": "Bearer \(Tokens.alice)"],
                query: "session_id=0123456789abcdef")
            #expect(unknown.status == 404 && unknown.text.contains("no open event stream"))
            #expect(loonflow.upstream.requests.isEmpty)
        }
    }

    @Test func theStreamFollowsTheEdgeRules() async throws {
        try await withGateway { gateway, _, _ in
            let stream = try MCPTestClient(url: gateway.baseURL + "/sse")
            let badToken = try await stream.bare("GET", headers: ["Accept": "text/event-stream", "Authorization": "Bearer \(Tokens.garbage)"])
            #expect(badToken.status == 401)
            #expect(badToken.headers["WWW-Authenticate"]?.contains("invalid_token") == true)
            #expect(!badToken.text.contains(Tokens.garbage))
            let json = try await stream.bare("GET", headers: ["Accept": "application/json"])
            #expect(json.status == 406)
            let origin = try await stream.bare("GET", headers: ["Accept": "text/event-stream", "Origin": "https://evil.example"])
            #expect(origin.status == 403)
            let post = try await stream.bare("POST", headers: ["Accept": "text/event-stream"])
            #expect(post.status == 405 && post.headers["Allow"] == "GET")
            let tokenInURL = try MCPTestClient(url: gateway.baseURL + "/sse?access_token=\(Tokens.alice)")
            #expect(try await tokenInURL.bare("GET", headers: ["Accept": "text/event-stream"]).status == 400)
        }
    }
}
