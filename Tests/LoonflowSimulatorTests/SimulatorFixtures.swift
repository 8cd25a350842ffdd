import FixtureReplay
import Foundation
import JSON
import LoonflowSimulator
import Testing

/// The simulator's folders in the repository, and requests as the gateway sends them.
enum SimulatorFixtures {
    static var root: String {
        var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast(3)
        return components.joined(separator: "/") + "/Fixtures/simulator"
    }

    /// The demo model (Fixtures/simulator) and the check model recorded with Loonflow's answers
    /// (Fixtures/simulator/check).
    static var demo: String { root }
    static var check: String { root + "/check" }

    static func json(_ path: String) throws -> JSONValue {
        let bytes = try #require(FileManager.default.contents(atPath: path).map { [UInt8]($0) }, "missing \(path)")
        return try JSONParser(maxDepth: 512).parse(bytes)
    }

    /// Demo token per user name.
    static func tokens(_ directory: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for (_, entry) in try json(directory + "/tokens.json").objectValue ?? JSONObject() {
            result[entry["user"]?.stringValue ?? ""] = entry["demo_token"]?.stringValue
        }
        return result
    }

    /// A query as Python's urlencode writes it, from an object or from `[name, value]` pairs
    /// (the recordings keep the order the query was sent in: Loonflow's messages quote it).
    static func queryText(_ query: JSONValue?) -> String? {
        var members: [(String, JSONValue)] = (query?.objectValue ?? JSONObject()).map { ($0.key, $0.value) }
        if let pairs = query?.arrayValue {
            members = pairs.map { ($0.arrayValue?.first?.stringValue ?? "", $0.arrayValue?.last ?? .null) }
        }
        let encoded = members.map { name, value -> QueryPair in
            if case .string(let text) = value { return QueryPair(name, text) }
            return QueryPair(name, JSONSerializer().string(value))
        }
        return encoded.isEmpty ? nil : FixtureQuery.encode(encoded)
    }

    static func request(
        _ method: String, _ path: String, query: JSONValue? = nil, body: JSONValue? = nil, token: String?
    ) -> ReplayRequest {
        ReplayRequest(
            method: method, path: "/api/v1.0" + path, query: queryText(query), authorization: token.map { "Bearer \($0)" },
            body: body?.serialized ?? [])
    }

    static func parse(_ answer: ReplayAnswer) -> JSONValue? { try? JSONParser(maxDepth: 512).parse(answer.body) }
}
