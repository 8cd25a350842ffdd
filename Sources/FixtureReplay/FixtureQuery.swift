import HTTPMessage
/// One `name=value` pair of a query string, percent-decoded.
package struct QueryPair: Sendable, Hashable {
    package var name: String
    package var value: String

    package init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// Query strings compared the way Loonflow reads them: order does not matter, and a
/// parameter left out means the same as its default (`tickets`: `reverse=1`, `page=1`,
/// `per_page=10`), so a client that spells the defaults out still finds the fixture.
package enum FixtureQuery {
    /// Defaults Loonflow applies when a parameter is absent, and parameters whose empty value
    /// means "no filter", per endpoint (`{id}` stands for a UUID path segment).
    struct EndpointDefaults {
        var values: [String: String]
        var emptyMeansAbsent: Set<String>
        var noFilterValues: [String: Set<String>] = [:]
    }

    static let zeroUUID = "00000000-0000-0000-0000-000000000000"

    static let defaults: [String: EndpointDefaults] = [
        "tickets": EndpointDefaults(
            values: ["reverse": "1", "page": "1", "per_page": "10"],
            emptyMeansAbsent: [
                "search_value", "create_start", "create_end", "workflow_ids", "node_ids", "ticket_ids", "creator_id",
                "parent_ticket_id", "parent_ticket_node_id", "username", "stage_ids",
            ]),
        "accounts/simple_users": EndpointDefaults(
            values: ["page": "1", "per_page": "10"], emptyMeansAbsent: ["search_value", "user_ids", "dept_id"],
            noFilterValues: ["dept_id": ["0", zeroUUID]]),
        "accounts/users": EndpointDefaults(
            values: ["page": "1", "per_page": "10"], emptyMeansAbsent: ["search_value", "user_ids", "dept_id"],
            noFilterValues: ["dept_id": ["0", zeroUUID]]),
        "tickets/{id}/ticket_flow_history": EndpointDefaults(
            values: ["page": "1", "per_page": "10", "desc": "1"], emptyMeansAbsent: []),
        "simple_workflows": EndpointDefaults(values: ["page": "1", "per_page": "10"], emptyMeansAbsent: ["search_value"]),
    ]

    /// Splits a raw query string (without `?`) into decoded pairs, in order. `+` is a space,
    /// as Django reads it.
    package static func parse(_ raw: String?) -> [QueryPair] {
        guard let raw, !raw.isEmpty else { return [] }
        return raw.split(separator: "&", omittingEmptySubsequences: true).map { part in
            guard let equals = part.firstIndex(of: "=") else { return QueryPair(decode(part), "") }
            return QueryPair(decode(part[..<equals]), decode(part[part.index(after: equals)...]))
        }
    }

    /// The pairs as a query string, percent-encoding everything outside RFC 3986's unreserved set.
    package static func encode(_ pairs: [QueryPair]) -> String {
        pairs.map { "\(percentEncode($0.name))=\(percentEncode($0.value))" }.joined(separator: "&")
    }

    /// The pairs as Loonflow sees them: for a GET, "no filter" values dropped and defaults
    /// filled in; always sorted by name (repeated names keep their order, since Loonflow joins
    /// them with commas).
    package static func normalized(_ pairs: [QueryPair], path: String, method: String = "GET") -> [QueryPair] {
        guard method == "GET", let rules = defaults[FixturePath.endpoint(path)] else { return sortedByName(pairs) }
        var kept = pairs.filter { pair in
            if pair.value.isEmpty, rules.emptyMeansAbsent.contains(pair.name) { return false }
            if rules.noFilterValues[pair.name]?.contains(pair.value) == true { return false }
            return true
        }
        let present = Set(kept.map(\.name))
        for (name, value) in rules.values where !present.contains(name) {
            kept.append(QueryPair(name, value))
        }
        return sortedByName(kept)
    }

    /// The normalized query as one string, for keys and hashes.
    package static func canonical(_ pairs: [QueryPair], path: String, method: String = "GET") -> String {
        encode(normalized(pairs, path: path, method: method))
    }

    private static func sortedByName(_ pairs: [QueryPair]) -> [QueryPair] {
        pairs.enumerated().sorted { ($0.element.name, $0.offset) < ($1.element.name, $1.offset) }.map(\.element)
    }

    static func percentEncode(_ text: String) -> String { PercentEncoding.encode(text) }

    /// Percent-decodes; a malformed escape is kept as written.
    static func decode(_ text: Substring) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 2
            } else {
                out.append(byte)
            }
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
