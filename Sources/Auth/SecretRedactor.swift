/// Replaces the secrets of the current request in upstream text before it reaches a client
/// or a log: Loonflow's error messages, replay diagnostics and the like may quote the
/// `Authorization` header they were sent.
///
/// It takes a list, so each place that knows another secret of the request (a token minted
/// for it by an exchange, say) adds it with `adding(_:)`.
package struct SecretRedactor: Sendable, Equatable {
    /// What a secret is replaced by.
    package static let marker = "[redacted]"
    /// Shorter fragments are not secrets worth replacing (and would mangle ordinary words).
    package static let minimumLength = 8

    /// Longest first, so a whole token is replaced before a fragment of it.
    package private(set) var secrets: [String]

    package init(secrets: [String] = []) {
        self.secrets = []
        for secret in secrets { add(secret) }
    }

    /// Redacts `tokens`: each whole and its secret part (a PAT's part after the UUID, a
    /// JWT's signature), which Loonflow may quote on its own.
    package init(tokens: [AccessToken]) {
        self.init(secrets: tokens.flatMap(\.secretParts))
    }

    /// Redacts the token an `Authorization: Bearer <token>` value (or a bare token) carries.
    package init(authorization: String?) {
        guard let authorization, let token = normalizedToken(authorization) else {
            self.init()
            return
        }
        self.init(secrets: AccessToken.secretParts(of: token))
    }

    package mutating func add(_ secret: String) {
        guard secret.utf8.count >= Self.minimumLength, !secrets.contains(secret) else { return }
        secrets.append(secret)
        secrets.sort { $0.utf8.count > $1.utf8.count }
    }

    package func adding(_ secret: String) -> SecretRedactor {
        var copy = self
        copy.add(secret)
        return copy
    }

    /// `text` with every secret replaced by `marker`.
    package func redact(_ text: String) -> String {
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacing(secret, with: Self.marker)
        }
        return result
    }

    /// `bytes` (UTF-8 text) with every secret replaced; untouched when none occurs.
    package func redact(_ bytes: [UInt8]) -> [UInt8] {
        guard !secrets.isEmpty else { return bytes }
        let text = String(decoding: bytes, as: UTF8.self)
        let redacted = redact(text)
        return redacted == text ? bytes : Array(redacted.utf8)
    }
}

extension AccessToken {
    /// The token and the part of it that is its secret.
    package var secretParts: [String] { Self.secretParts(of: value) }

    /// `token` and its secret part: after the second dot of a PAT, the third segment of a JWT.
    package static func secretParts(of token: String) -> [String] {
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3, let last = segments.last else { return [token] }
        return [token, String(last)]
    }
}
