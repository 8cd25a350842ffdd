import Crypto

/// The request half of a recorded exchange, with its token already replaced by a placeholder.
package struct FixtureRequest: Sendable, Equatable {
    package var method: String
    /// From `/api/v1.0` on, percent-encoded as sent.
    package var path: String
    /// Decoded pairs in the order recorded.
    package var query: [QueryPair]
    /// `Bearer <PAT_alice>`, or nil when the request carried no `Authorization`.
    package var authorization: String?
    /// The `appname` header, which changes what Loonflow allows; nil when absent.
    package var appName: String?
    package var body: FixtureBody?

    package init(
        method: String, path: String, query: [QueryPair] = [], authorization: String? = nil, appName: String? = nil,
        body: FixtureBody? = nil
    ) {
        self.method = method.uppercased()
        self.path = FixturePath.relative(path)
        self.query = query
        self.authorization = authorization
        self.appName = appName
        self.body = body
    }

    /// The placeholder after `Bearer `, e.g. `<PAT_alice>`.
    package var callerPlaceholder: String? {
        guard let authorization else { return nil }
        return authorization.hasPrefix("Bearer ") ? String(authorization.dropFirst(7)) : authorization
    }

    /// Query pairs as Loonflow reads them (defaults filled in, sorted) and encoded.
    package var normalizedQuery: String { FixtureQuery.canonical(query, path: path, method: method) }

    /// `GET_tickets_1a2b3c4d5e`: method, path and a short hash of everything that selects the
    /// answer (normalized query, caller placeholder, appname, canonical body). Re-recording the
    /// same request by the same caller gives the same name.
    package var fileStem: String {
        let identity = [
            method, path, normalizedQuery, callerPlaceholder ?? "", appName ?? "", body?.canonicalText ?? "",
        ].joined(separator: "\n")
        let hash = SHA256.hash(Array(identity.utf8)).hexString.prefix(10)
        return "\(method)_\(FixturePath.slug(path))_\(hash)"
    }

    /// `GET /api/v1.0/tickets?category=all&page=1…` for messages.
    package var summary: String {
        let query = normalizedQuery
        return "\(method) \(path)\(query.isEmpty ? "" : "?" + query)"
    }
}
