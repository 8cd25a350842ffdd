import Crypto
import FoundationEssentials
import JSON
import PlainText

/// Checks a token's shape (and, when the deployment's key is known, a JWT's signature)
/// before anything is sent upstream.
package struct AccessTokenValidator: Sendable {
    /// The deployment's `JWT_SALT`; when set, JWT signatures are verified locally.
    package var jwtKey: [UInt8]?
    /// Current Unix time in seconds. Injected so tests never depend on the date.
    package var now: @Sendable () -> Int64

    package init(jwtKey: [UInt8]? = nil, now: @escaping @Sendable () -> Int64 = { currentUnixTime() }) {
        self.jwtKey = jwtKey
        self.now = now
    }

    package func validate(_ token: String) -> Result<AccessToken, AccessTokenError> {
        if token.hasPrefix("lfpat.") { return validatePersonalAccessToken(token) }
        if token.utf8.count(where: { $0 == UInt8(ascii: ".") }) == 2 { return validateJWT(token) }
        return .failure(.malformed("neither a personal access token nor a JWT"))
    }

    private func validatePersonalAccessToken(_ token: String) -> Result<AccessToken, AccessTokenError> {
        let parts = token.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return .failure(.malformed("a personal access token has three dot-separated parts")) }
        guard isCanonicalUUID(parts[1]) else {
            return .failure(.malformed("the part after \"lfpat.\" must be a lowercase canonical UUID"))
        }
        guard Base64URL.isAlphabet(parts[2]) else {
            return .failure(.malformed("the secret after the UUID must be non-empty URL-safe base64 (A-Z a-z 0-9 - _)"))
        }
        return .success(AccessToken(value: token, kind: .personalAccessToken(tokenID: String(parts[1]))))
    }

    private func validateJWT(_ token: String) -> Result<AccessToken, AccessTokenError> {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ Base64URL.isAlphabet($0) }) else {
            return .failure(.malformed("a JWT has three non-empty base64url segments"))
        }
        guard let headerBytes = Base64URL.decode(parts[0]),
            case .object(let header)? = try? JSONParser().parse(headerBytes)
        else { return .failure(.malformed("the JWT header is not a base64url JSON object")) }
        guard let alg = header["alg"]?.stringValue else { return .failure(.malformed("the JWT header has no \"alg\"")) }
        guard alg == "HS256" else { return .failure(.unsupportedAlgorithm(alg)) }
        guard let payloadBytes = Base64URL.decode(parts[1]),
            case .object(let payload)? = try? JSONParser().parse(payloadBytes)
        else { return .failure(.malformed("the JWT payload is not a base64url JSON object")) }
        if let jwtKey {
            guard let signature = Base64URL.decode(parts[2]) else { return .failure(.badSignature) }
            let signed = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
            let expected = HMACSHA256.authenticationCode(key: jwtKey, message: signed)
            guard constantTimeEquals(expected, signature) else { return .failure(.badSignature) }
        }
        if let problem = Self.numericDateProblem(in: payload) { return .failure(.malformed(problem)) }
        guard let exp = Self.numericDate(payload["exp"]) else {
            return .failure(.malformed("the JWT payload has no \"exp\" claim"))
        }
        if exp <= now() { return .failure(.expired(expiredAt: exp)) }
        return .success(AccessToken(value: token, kind: .jwt(Self.claims(from: payload, expiresAt: exp))))
    }

    /// The time claims RFC 7519 defines as NumericDate. A string, null, object, array or
    /// boolean in one of them makes the token malformed, so `"exp": "1000000000"` cannot slip
    /// past the expiry check.
    private static let numericDateClaims = ["exp", "iat", "nbf"]

    /// Names the first time claim that is present but not a finite JSON number.
    private static func numericDateProblem(in payload: JSONObject) -> String? {
        for name in numericDateClaims {
            guard let value = payload[name] else { continue }
            guard numericDate(value) == nil else { continue }
            let found = value.numberValue == nil ? "a JSON \(value.typeName)" : "a number out of range"
            return "the JWT claim \"\(name)\" must be a JSON number (seconds since 1970), not \(found)"
        }
        return nil
    }

    /// Whole seconds of a NumericDate, or nil when `value` is not a finite number.
    private static func numericDate(_ value: JSONValue?) -> Int64? {
        guard let seconds = value?.numberValue?.doubleValue, seconds.isFinite else { return nil }
        return Int64(exactly: seconds.rounded(.down)) ?? (seconds < 0 ? .min : .max)
    }

    private static func claims(from payload: JSONObject, expiresAt: Int64) -> JWTClaims {
        let data = payload["data"]?.objectValue
        return JWTClaims(
            expiresAt: expiresAt, userID: data?["id"]?.stringValue, email: data?["email"]?.stringValue,
            userType: data?["type"]?.stringValue)
    }
}

/// Seconds since 1970 from the system clock.
package func currentUnixTime() -> Int64 {
    Int64(Date().timeIntervalSince1970)
}
