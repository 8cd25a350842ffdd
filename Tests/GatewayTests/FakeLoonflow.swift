import Testing
import Config
import HTTPMessage
import JSON
import TestSupport

/// Who the fake Loonflow thinks is calling.
enum FakeUser {
    case alice, admin
}

/// A loopback stand-in for Loonflow built on `TestUpstream`: it checks the bearer token like
/// Loonflow does (an unknown token gets Django's HTTP 500) and answers with recorded bodies.
final class FakeLoonflow: Sendable {
    let upstream: TestUpstream

    init() throws {
        upstream = try TestUpstream()
        upstream.route("GET", "/api/v1.0/tickets") { request in
            Self.answer(request) { user in
                .json(TestUpstream.recordingBody(named: user == .admin ? "tickets.category.all.admin" : "tickets.category.duty.alice"))
            }
        }
        upstream.route("GET", "/api/v1.0/accounts/simple_users") { request in
            Self.answer(request) { _ in .json(TestUpstream.recordingBody(named: "simple_users.default.alice")) }
        }
        upstream.route("GET", "/api/v1.0/accounts/users") { request in
            Self.answer(request) { user in
                .json(TestUpstream.recordingBody(named: user == .admin ? "users.admin.pat" : "users.non_admin.alice"))
            }
        }
    }

    var baseURL: String { upstream.baseURL }

    func stop() { upstream.stop() }

    /// The caller named by the request's `Authorization` header, as Loonflow would see it.
    static func user(of request: RecordedRequest) -> FakeUser? {
        switch request.headers["Authorization"] {
        case "Bearer \(Tokens.alice)"?, "Bearer \(Tokens.aliceJWT)"?, "Bearer \(Tokens.aliceJWTWithoutExpiry)"?, "Bearer \(Tokens.aliceJWTLater)"?: .alice
        case "Bearer \(Tokens.admin)"?: .admin
        default: nil
        }
    }

    static func answer(_ request: RecordedRequest, _ reply: (FakeUser) -> TestReply) -> TestReply {
        guard request.headers["Authorization"] != nil else { return TestUpstream.recordingReply(named: "auth.no_token.tickets") }
        guard let user = user(of: request) else { return TestUpstream.recordingReply(named: "auth.unknown_pat.tickets") }
        return reply(user)
    }

    /// The decoded query of a recorded request, in order.
    static func query(_ request: RecordedRequest) -> [(String, String)] {
        guard let query = request.query, !query.isEmpty else { return [] }
        return query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (percentDecode(String(parts[0])), parts.count > 1 ? percentDecode(String(parts[1])) : "")
        }
    }

    static func queryValue(_ request: RecordedRequest, _ key: String) -> String? {
        query(request).first { $0.0 == key }?.1
    }

    private static func percentDecode(_ text: String) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Starts a fake Loonflow and a gateway in front of it, runs `body`, then stops both.
func withGateway(
    environment: [String: String] = [:], configure: (inout GatewayConfig) -> Void = { _ in },
    _ body: (GatewayHarness, MCPTestClient, FakeLoonflow) async throws -> Void
) async throws {
    let loonflow = try FakeLoonflow()
    defer { loonflow.stop() }
    let gateway = try GatewayHarness(upstreamBaseURL: loonflow.baseURL, environment: environment, configure: configure)
    try await gateway.runCheckingLog { gateway, client in try await body(gateway, client, loonflow) }
}
