import Testing
import Config
import HTTPMessage
import JSON
import TestSupport

/// Tokens the tests use. None is real; the fake Loonflow knows the good ones.
enum Tokens {
    static let aliceID = "2c0e1f64-3d1b-4a57-9f2e-5b8c7d6a4e31"
    static let adminID = "b350e4f8-7734-453f-b88e-8895b4d776f5"

    static let aliceSecret = "aliceSecretE2E_Q9xZ2vT7wK3mN8pR4sL6"
    static let bobSecret = "bobSecretE2E_H5jK7lP2qW9eR3tY6uI1"
    static let adminSecret = "adminSecretE2E_M4nB6vC8xZ1aS3dF5gH7"
    static let unknownSecret = "unknownSecretE2E_Zq1Xw2Ec3Rv4Tb5Yn6"

    static let alice = "lfpat.7d0c6a52-1c1e-4a8f-9e55-3f6f0b1a2c01.\(aliceSecret)"
    static let bob = "lfpat.1f3e5d7c-9b2a-4c6e-8d0f-a1b2c3d4e5f6.\(bobSecret)"
    static let admin = "lfpat.0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b.\(adminSecret)"
    /// Well-formed, but Loonflow does not know it (answers HTTP 500).
    static let unknown = "lfpat.6a1f4c2e-0000-4000-8000-000000000000.\(unknownSecret)"
    /// Neither a personal access token nor a JWT.
    static let garbage = "garbageTokenE2E-Jq8Kf3Lz5Mx"
    /// A personal access token whose id part is not a UUID.
    static let malformedPAT = "lfpat.not-a-uuid.malformedSecretE2E_Wd4Rf6"

    static let aliceJWT = TestJWT.make(userID: aliceID, email: "alice@loonapp.com", exp: TestJWT.futureExpiry)
    static let aliceJWTWithoutExpiry = TestJWT.make(userID: aliceID, email: "alice@loonapp.com", exp: nil)
    /// A second valid JWT of alice's, so that four token sources can each carry a distinct token.
    static let aliceJWTLater = TestJWT.make(userID: aliceID, email: "alice@loonapp.com", exp: TestJWT.futureExpiry + 60)
    static let expiredJWT = TestJWT.make(userID: aliceID, email: "alice@loonapp.com", exp: TestJWT.pastExpiry)
    /// `exp` as a string naming a date in 2001: RFC 7519 makes it malformed, not unexpired.
    static let stringExpiryJWT = TestJWT.make(payload: [
        "exp": "1000000000", "data": ["id": .string(aliceID), "email": "alice@loonapp.com", "type": "common"],
    ])

    /// Everything that must never show in a log, a response or any output: whole tokens and
    /// the secret parts of the personal access tokens.
    static let secrets: [String] = [
        alice, bob, admin, unknown, garbage, malformedPAT, aliceJWT, aliceJWTWithoutExpiry, aliceJWTLater, expiredJWT,
        stringExpiryJWT, aliceSecret, bobSecret, adminSecret, unknownSecret, "malformedSecretE2E_Wd4Rf6",
        "not-a-loonflow-token",
    ] + [aliceJWT, aliceJWTWithoutExpiry, aliceJWTLater, expiredJWT, stringExpiryJWT].map { String($0.split(separator: ".")[2]) }

    /// The secrets that occur in `text`, for a readable failure message.
    static func leaked(in text: String) -> [String] {
        secrets.filter { text.contains($0) }.map { "\($0.prefix(12))…" }
    }
}

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
    try await gateway.run { gateway, client in try await body(gateway, client, loonflow) }
    let leaks = Tokens.leaked(in: gateway.logs.text)
    if !leaks.isEmpty { throw LeakError(where: "the in-process gateway's log", leaks: leaks) }
}

/// A token showed up where it must not.
struct LeakError: Error, CustomStringConvertible {
    var `where`: String
    var leaks: [String]
    var description: String { "token material found in \(self.where): \(leaks.joined(separator: ", "))" }
}
