/// A Loonflow REST endpoint as a template: the path below `/api/v1.0` with its UUID segments
/// written `{id}` (`tickets/{id}/ticket_detail_form`). Metrics label upstream calls with it and
/// fixture replay matches and defaults by it, so both read a path the same way.
package struct Endpoint: Hashable, Sendable, CustomStringConvertible {
    package static let apiRoot = "/api/v1.0"

    /// The template's segments.
    package let segments: [String]

    /// - Parameter path: a path from `/api/v1.0` on (behind any prefix), or one already below it.
    package init(path: String) {
        let relative = Self.relative(path)
        let underRoot = relative == Self.apiRoot || relative.hasPrefix(Self.apiRoot + "/")
        let below = underRoot ? relative.dropFirst(Self.apiRoot.count) : relative[...]
        segments = below.split(separator: "/").map { Self.isIDSegment($0) ? "{id}" : String($0) }
    }

    /// `tickets/{id}/handle`.
    package var template: String { segments.joined(separator: "/") }

    package var description: String { template }

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

    /// A segment shaped like a UUID: 36 characters of hex digits and dashes.
    private static func isIDSegment(_ text: Substring) -> Bool {
        text.utf8.count == 36
            && text.utf8.allSatisfy {
                $0 == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains($0)
            }
    }
}
