import Crypto
import JSON
import PlainText

/// A Loonflow access token that passed the local shape checks. Its text never reaches a
/// log or an error message; use `redacted` for that.
package struct AccessToken: Sendable, Hashable {
    package enum Kind: Sendable, Hashable {
        /// `lfpat.<uuid>.<secret>`: verified by Loonflow on every call.
        case personalAccessToken(tokenID: String)
        /// An HS256 JWT from `/api/v1.0/login`.
        case jwt(JWTClaims)
    }

    package let value: String
    package let kind: Kind

    /// Safe to log: `lfpat.` plus the first 4 characters of the token id, or `jwt:` plus the
    /// user id when the payload names one.
    package var redacted: String {
        switch kind {
        case .personalAccessToken(let id): "lfpat.\(id.prefix(4))…"
        case .jwt(let claims): "jwt(user \(claims.userID?.prefix(8) ?? "?"))"
        }
    }

    /// The user id the token states, when it states one (a JWT's `data.id`).
    package var userID: String? {
        if case .jwt(let claims) = kind { return claims.userID }
        return nil
    }

    /// Hex SHA-256 of the token: identifies a caller without keeping the secret.
    package var fingerprint: String { SHA256.hash(Array(value.utf8)).hexString }
}

/// The claims the gateway reads from a JWT payload (without trusting them for access:
/// Loonflow still verifies the token).
package struct JWTClaims: Sendable, Hashable {
    package var expiresAt: Int64?
    package var userID: String?
    package var email: String?
    package var userType: String?
}

/// Why a token was refused locally. Messages name the expected shape and never echo the token.
package enum AccessTokenError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    case expired(expiredAt: Int64)
    case badSignature
    case unsupportedAlgorithm(String)

    package var description: String {
        switch self {
        case .malformed(let why):
            "malformed access token: \(why). Expected a Loonflow personal access token "
                + "(lfpat.<token uuid>.<secret>) or a JWT from /api/v1.0/login"
        case .expired:
            "access token expired: the JWT's exp claim is in the past; log in again or use a personal access token"
        case .badSignature:
            "invalid access token: the JWT signature does not match this Loonflow deployment's key"
        case .unsupportedAlgorithm(let alg):
            "invalid access token: JWT algorithm \"\(alg.prefix(16))\" is not accepted; Loonflow issues HS256 only"
        }
    }
}

/// Removes what clients commonly wrap a token in. Returns nil when nothing is left.
package func normalizedToken(_ raw: String) -> String? {
    var text = Substring(raw).trimmingWhitespace()
    if text.hasPrefix("Bearer ") { text = text.dropFirst(7).trimmingWhitespace() }
    if text == "Bearer" { return nil }
    return text.isEmpty ? nil : String(text)
}
