import HTTPMessage
import JSON

/// Tokens the tests send. None is real; the fake upstreams know the good ones and tell
/// callers apart by them.
package enum Tokens {
    package static let aliceID = "2c0e1f64-3d1b-4a57-9f2e-5b8c7d6a4e31"
    package static let adminID = "b350e4f8-7734-453f-b88e-8895b4d776f5"

    package static let aliceSecret = "aliceSecretE2E_Q9xZ2vT7wK3mN8pR4sL6"
    package static let bobSecret = "bobSecretE2E_H5jK7lP2qW9eR3tY6uI1"
    package static let adminSecret = "adminSecretE2E_M4nB6vC8xZ1aS3dF5gH7"
    package static let unknownSecret = "unknownSecretE2E_Zq1Xw2Ec3Rv4Tb5Yn6"

    package static let alice = "lfpat.7d0c6a52-1c1e-4a8f-9e55-3f6f0b1a2c01.\(aliceSecret)"
    package static let bob = "lfpat.1f3e5d7c-9b2a-4c6e-8d0f-a1b2c3d4e5f6.\(bobSecret)"
    package static let admin = "lfpat.0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b.\(adminSecret)"
    /// Well-formed, but Loonflow does not know it (answers HTTP 500).
    package static let unknown = "lfpat.6a1f4c2e-0000-4000-8000-000000000000.\(unknownSecret)"
    /// Neither a personal access token nor a JWT.
    package static let garbage = "garbageTokenE2E-Jq8Kf3Lz5Mx"
    /// A personal access token whose id part is not a UUID.
    package static let malformedPAT = "lfpat.not-a-uuid.malformedSecretE2E_Wd4Rf6"

    package static let aliceJWT = TestJWT.make(userID: aliceID, email: "alice@loonapp.com", exp: TestJWT.futureExpiry)
    package static let aliceJWTWithoutExpiry = TestJWT.make(userID: aliceID, email: "alice@loonapp.com", exp: nil)
    /// A second valid JWT of alice's, so that four token sources can each carry a distinct token.
    package static let aliceJWTLater = TestJWT.make(userID: aliceID, email: "alice@loonapp.com", exp: TestJWT.futureExpiry + 60)
    /// `exp` as a string naming a date in 2001: RFC 7519 makes it malformed, not unexpired.
    package static let stringExpiryJWT = TestJWT.make(payload: [
        "exp": "1000000000", "data": ["id": .string(aliceID), "email": "alice@loonapp.com", "type": "common"],
    ])
    package static let expiredJWT = TestJWT.make(userID: aliceID, email: "alice@loonapp.com", exp: TestJWT.pastExpiry)

    /// Everything that must never show in a log, a response or any output: whole tokens and
    /// the secret parts of the personal access tokens.
    package static let secrets: [String] = [
        alice, bob, admin, unknown, garbage, malformedPAT, aliceJWT, aliceJWTWithoutExpiry, aliceJWTLater, expiredJWT, stringExpiryJWT,
        aliceSecret, bobSecret, adminSecret, unknownSecret, "malformedSecretE2E_Wd4Rf6", "not-a-loonflow-token",
    ] + [aliceJWT, aliceJWTWithoutExpiry, aliceJWTLater, expiredJWT, stringExpiryJWT].map { String($0.split(separator: ".")[2]) }

    /// The secrets that occur in `text`, for a readable failure message.
    package static func leaked(in text: String) -> [String] {
        secrets.filter { text.contains($0) }.map { "\($0.prefix(12))…" }
    }

    package static func isAlice(_ request: RecordedRequest) -> Bool {
        request.headers["Authorization"] == "Bearer \(alice)"
    }
}

/// A token showed up where it must not.
package struct TokenLeak: Error, CustomStringConvertible {
    package var place: String
    package var leaks: [String]
    package var description: String { "token material in \(place): \(leaks.joined(separator: ", "))" }

    /// Throws when any of `Tokens.secrets` occurs in `text`, which `place` names.
    package static func check(_ text: String, place: String) throws(TokenLeak) {
        let leaks = Tokens.leaked(in: text)
        if !leaks.isEmpty { throw TokenLeak(place: place, leaks: leaks) }
    }
}

extension GatewayHarness {
    /// Runs `body` with a client, stops the gateway, and fails when a token shows up in its log.
    package func runCheckingLog(_ body: (GatewayHarness, MCPTestClient) async throws -> Void) async throws {
        try await run(body)
        try TokenLeak.check(logs.text, place: "the in-process gateway's log")
    }
}
