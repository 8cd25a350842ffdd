import HTTPMessage

/// Paths as fixtures store them: from `/api/v1.0` on, so a set recorded behind a path
/// prefix (`https://host/loonflow/api/v1.0/...`) replays under any other.
package enum FixturePath {
    static let apiRoot = Endpoint.apiRoot

    /// Splits an absolute URL (or a path) into its path and raw query; the fragment is dropped.
    package static func split(url: String) -> (path: String, query: String?) {
        var rest = Substring(url)
        if let fragment = rest.firstIndex(of: "#") { rest = rest[..<fragment] }
        if let scheme = rest.firstRange(of: "://") {
            let afterScheme = rest[scheme.upperBound...]
            rest = afterScheme.firstIndex(of: "/").map { afterScheme[$0...] } ?? "/"
        }
        guard let question = rest.firstIndex(of: "?") else { return (String(rest), nil) }
        return (String(rest[..<question]), String(rest[rest.index(after: question)...]))
    }

    /// The path from `/api/v1.0` on, or the path unchanged when it has no such segment.
    package static func relative(_ path: String) -> String { Endpoint.relative(path) }

    /// The endpoint template below `/api/v1.0/` (`tickets/{id}/ticket_detail_form`), for
    /// per-endpoint query defaults and for naming the closest recordings.
    static func endpoint(_ path: String) -> String { Endpoint(path: path).template }

    /// A file-name-safe form of the path below `/api/v1.0`: `tickets_<uuid>_ticket_detail_form`.
    static func slug(_ path: String) -> String {
        let relativePath = relative(path)
        let below = relativePath.hasPrefix(apiRoot) ? relativePath.dropFirst(apiRoot.count) : relativePath[...]
        let parts = below.split(separator: "/").map { part in
            String(part.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "-" })
        }
        let joined = parts.joined(separator: "_")
        return joined.isEmpty ? "root" : String(joined.prefix(120))
    }
}
