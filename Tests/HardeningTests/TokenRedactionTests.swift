import HTTPMessage
import JSON
import TestSupport
import Testing

/// Loonflow's words reach the client inside tool errors; the token of the request never does,
/// even when Loonflow quotes the `Authorization` header it was sent.
@Suite struct TokenRedactionTests {
    static func quotingEnvelope(_ text: String) -> TestReply {
        .json(#"{"code":-1,"data":"","msg":"\#(text)"}"#)
    }

    @Test func loonflowMessagesQuotingTheTokenAreRedacted() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route("GET", FakeTickets.path) { request in
            let authorization = request.headers["Authorization"] ?? ""
            return Self.quotingEnvelope("token rejected: \(authorization) (secret \(Tokens.aliceSecret))")
        }
        upstream.route("GET", "/api/v1.0/accounts/users") { request in
            .json(Array("<html>no \(request.headers["Authorization"] ?? "")</html>".utf8), status: 418)
        }
        try await withHarness(upstream) { _, client in
            let listed = try await client.callTool("ticket_list", token: Tokens.alice)
            #expect(listed.isToolError == true)
            let text = listed.toolText ?? ""
            #expect(text.contains("token rejected: Bearer [redacted] (secret [redacted])"), "\(text)")
            #expect(Tokens.leaked(in: listed.text).isEmpty, "\(listed.text)")

            let users = try await client.callTool("user_list", token: Tokens.alice)
            #expect(Tokens.leaked(in: users.text).isEmpty, "\(users.text)")
        }
    }

    @Test func jwtQuotedByLoonflowIsRedacted() async throws {
        let jwt = TestJWT.make(userID: "6b3c8c1e-0000-4000-8000-000000000001", email: "erin@loonapp.com")
        let signature = String(jwt.split(separator: ".")[2])
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route("GET", FakeTickets.path, reply: Self.quotingEnvelope("bad signature \(signature) in \(jwt)"))
        try await withHarness(upstream) { gateway, client in
            let listed = try await client.callTool("ticket_list", token: jwt)
            #expect(listed.isToolError == true)
            #expect(!listed.text.contains(signature), "\(listed.text)")
            #expect(listed.toolText?.contains("bad signature [redacted] in [redacted]") == true, "\(listed.toolText ?? "")")
            #expect(!gateway.logs.text.contains(signature))
        }
    }
}
