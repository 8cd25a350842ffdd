import Crypto
package import JSON

/// HS256 JWTs shaped like Loonflow's (`exp` plus a `data` object naming the user), for tests.
/// Expiry is always a fixed instant, never derived from today's date.
package enum TestJWT {
    /// 2001-09-09: long past.
    package static let pastExpiry: Int64 = 1_000_000_000
    /// 2100-01-01: far ahead.
    package static let futureExpiry: Int64 = 4_102_444_800

    package static let defaultKey = Array("loonflow-test-signing-key-0123456789".utf8)

    /// A signed token; `exp` nil leaves the claim out.
    package static func make(
        userID: String, email: String, exp: Int64? = futureExpiry, key: [UInt8] = defaultKey
    ) -> String {
        var payload: JSONObject = [
            "data": ["id": .string(userID), "email": .string(email), "type": "common"]
        ]
        if let exp { payload["exp"] = .number(JSONNumber(Int(exp))) }
        return make(payload: payload, key: key)
    }

    /// A signed token with exactly `payload` (claims of any type, for the refusal tests).
    package static func make(payload: JSONObject, key: [UInt8] = defaultKey) -> String {
        let header: JSONValue = ["alg": "HS256", "typ": "JWT"]
        let signingInput = Base64URL.encode(header.serialized) + "." + Base64URL.encode(JSONValue.object(payload).serialized)
        let signature = HMACSHA256.authenticationCode(key: key, message: Array(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(signature)
    }
}
