import Auth
import PlainText

/// Who made a request, as replay tells callers apart: by the SHA-256 of the presented token.
package enum FixtureCaller: Sendable, Hashable, CustomStringConvertible {
    /// No `Authorization` header (Loonflow answers 401).
    case anonymous
    /// A token listed in tokens.json, by its placeholder.
    case known(placeholder: String)
    /// A token the set does not list (Loonflow answers 500 for a token it does not know).
    case unknown

    /// The caller of an incoming request, from its `Authorization` header.
    package static func presenting(_ authorization: String?, tokens: FixtureTokens) -> FixtureCaller {
        let value = authorization?.trimmingWhitespace() ?? ""
        guard !value.isEmpty else { return .anonymous }
        guard value.hasPrefix("Bearer ") else { return .unknown }
        let token = String(value.dropFirst(7)).trimmingWhitespace()
        guard let entry = tokens.entry(sha256: FixtureTokens.fingerprint(token)) else { return .unknown }
        return .known(placeholder: entry.placeholder)
    }

    /// The caller a fixture was recorded for. A placeholder tokens.json does not list marks
    /// the set's "unknown token" exchanges.
    package static func recorded(_ request: FixtureRequest, tokens: FixtureTokens) -> FixtureCaller {
        guard let placeholder = request.callerPlaceholder else { return .anonymous }
        return tokens.entry(placeholder: placeholder) == nil ? .unknown : .known(placeholder: placeholder)
    }

    package var description: String {
        switch self {
        case .anonymous: "no Authorization header"
        case .known(let placeholder): placeholder
        case .unknown: "a token this fixture set does not know"
        }
    }
}
