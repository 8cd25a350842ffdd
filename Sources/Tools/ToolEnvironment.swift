package import JSON
package import LoonflowClient
package import Logging
package import MCPCore

/// What every Loonflow tool needs: the REST client, token rules and limits.
package struct ToolEnvironment: Sendable {
    package var client: LoonflowClient
    package var tokens: TokenResolver
    package var logger: Logger
    /// Rows a local filter (act_state, user ids) may read before it asks for a narrower query.
    package var scanLimit: Int

    package init(
        client: LoonflowClient, tokens: TokenResolver, logger: Logger = .silent, scanLimit: Int = 2000
    ) {
        self.client = client
        self.tokens = tokens
        self.logger = logger
        self.scanLimit = scanLimit
    }
}

extension Result where Failure == LoonflowError {
    /// The value, or a tool failure carrying Loonflow's message.
    package func orFail() throws(ToolFailure) -> Success {
        switch self {
        case .success(let value): return value
        case .failure(let error): throw ToolFailure(error.message)
        }
    }
}

/// Runs a tool body and turns its failures into tool errors.
package func runTool(_ body: () async throws(ToolFailure) -> JSONObject) async -> ToolResult {
    do {
        return .success(try await body())
    } catch {
        return .failure(error.message)
    }
}

extension JSONValue {
    /// The object at `key` of an envelope's data, or a failure naming what was missing.
    package func requireObject(_ what: String) throws(ToolFailure) -> JSONObject {
        guard case .object(let object) = self else {
            throw ToolFailure("Loonflow's answer could not be read: \(what) is not an object")
        }
        return object
    }
}

extension JSONObject {
    package func requireArray(_ key: String) throws(ToolFailure) -> [JSONValue] {
        guard let array = self[key]?.arrayValue else {
            throw ToolFailure("Loonflow's answer could not be read: \"\(key)\" is missing or not a list")
        }
        return array
    }
}

/// Django's paginator as Loonflow uses it: a page past the end serves the last page.
package func pageSlice<T>(_ rows: [T], page: Int, perPage: Int) -> ArraySlice<T> {
    let pages = max(1, (rows.count + perPage - 1) / perPage)
    let served = min(max(page, 1), pages)
    let start = (served - 1) * perPage
    return rows[min(start, rows.count)..<min(start + perPage, rows.count)]
}

/// The `{<list>, per_page, page, total}` answer of the list tools.
enum PageOutput {
    /// From one page Loonflow served: its rows under `rowsKey`, its paging echoed.
    static func upstream(_ data: JSONObject, rowsKey: String, as listKey: String, page: Int, perPage: Int) throws(ToolFailure)
        -> JSONObject
    {
        [
            listKey: .array(try data.requireArray(rowsKey)),
            "per_page": data["per_page"] ?? .number(perPage),
            "page": data["page"] ?? .number(page),
            "total": data["total"] ?? .number(0),
        ]
    }

    /// From rows filtered locally, paginated as Loonflow would.
    static func local(_ rows: [JSONValue], as listKey: String, page: Int, perPage: Int) -> JSONObject {
        [
            listKey: .array(Array(pageSlice(rows, page: page, perPage: perPage))),
            "per_page": .number(perPage),
            "page": .number(page),
            "total": .number(rows.count),
        ]
    }
}
