/// Paths as fixtures store them: from `/api/v1.0` on, so a set recorded behind a path
/// prefix (`https://host/loonflow/api/v1.0/...`) replays under any other.
package enum FixturePath {
    static let apiRoot = "/api/v1.0"

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
    package static func relative(_ path: String) -> String {
        var search = path[...]
        while let range = search.firstRange(of: apiRoot) {
            let after = range.upperBound
            if after == path.endIndex || path[after] == "/" { return String(path[range.lowerBound...]) }
            search = path[after...]
        }
        return path
    }

    /// The endpoint below `/api/v1.0/` with UUID segments written `{id}`
    /// (`tickets/{id}/ticket_detail_form`), for per-endpoint query defaults.
    static func endpoint(_ path: String) -> String {
        let relativePath = relative(path)
        let below = relativePath.hasPrefix(apiRoot) ? relativePath.dropFirst(apiRoot.count) : relativePath[...]
        return below.split(separator: "/").map { looksLikeUUID($0) ? "{id}" : String($0) }.joined(separator: "/")
    }

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

    private static func looksLikeUUID(_ text: Substring) -> Bool {
        text.utf8.count == 36 && text.utf8.allSatisfy { $0 == UInt8(ascii: "-") || $0.isHexDigit }
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }
}
