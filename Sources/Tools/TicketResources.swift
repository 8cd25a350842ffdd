package import JSON
package import MCPCore

/// Tickets as MCP resources (`loonflow://tickets/{ticket_id}`). A read answers what
/// `ticket_detail` answers for the caller, checked the same way (the caller's detail form);
/// the listing pages over the tickets the caller is linked to (`ticket_list` category
/// `relation`).
package struct TicketResources: ResourceProvider {
    package let environment: ToolEnvironment

    package init(environment: ToolEnvironment) { self.environment = environment }

    package static let scheme = "loonflow://tickets/"
    /// Loonflow's default page, so a listing reads what ticket_list with defaults reads.
    static let pageSize = 10

    package static func uri(_ ticketID: String) -> String { scheme + ticketID }

    package var templates: [JSONValue] {
        [
            [
                "uriTemplate": .string(Self.scheme + "{ticket_id}"), "name": "ticket", "title": "Loonflow ticket",
                "description": "A ticket as ticket_detail shows it to you: form, field lists and actions.",
                "mimeType": "application/json",
            ]
        ]
    }

    package func read(uri: String, context: ToolCallContext) async -> Result<JSONObject, JSONRPCError> {
        guard uri.hasPrefix(Self.scheme) else {
            return .failure(.resourceNotFound(uri, "this server's resources are \(Self.scheme){ticket_id}"))
        }
        let ticketID = String(uri.dropFirst(Self.scheme.count))
        let detail = CleanTextTool(base: TicketDetail(environment: environment, name: "ticket_detail"))
        let result = await detail.call(arguments: ["ticket_id": .string(ticketID)], context: context)
        guard !result.isError else { return .failure(.resourceNotFound(uri, result.text)) }
        var content: JSONObject = ["uri": .string(uri), "mimeType": "application/json", "text": .string(result.text)]
        if !result.meta.isEmpty { content["_meta"] = .object(result.meta) }
        return .success(["contents": [.object(content)]])
    }

    package func list(cursor: String?, context: ToolCallContext) async -> Result<JSONObject, JSONRPCError> {
        var page = 1
        if let cursor {
            guard let number = Int(cursor), number >= 1 else {
                return .failure(.invalidParams("unknown cursor \"\(cursor.prefix(32))\": use the nextCursor of the previous page"))
            }
            page = number
        }
        let arguments: JSONObject = ["category": "relation", "page": .number(page), "per_page": .number(Self.pageSize)]
        let result = await CleanTextTool(base: TicketList(environment: environment)).call(arguments: arguments, context: context)
        guard !result.isError, let output = result.structuredContent else {
            return .failure(JSONRPCError(code: JSONRPCError.internalErrorCode, message: "listing tickets failed: \(result.text)"))
        }
        let rows = output["ticket_list"]?.arrayValue ?? []
        var answer: JSONObject = ["resources": .array(rows.compactMap(Self.resource))]
        let total = output["total"]?.intValue ?? 0
        if page * Self.pageSize < total { answer["nextCursor"] = .string(String(page + 1)) }
        return .success(answer)
    }

    /// A `resources/list` entry for a ticket row.
    static func resource(_ row: JSONValue) -> JSONValue? {
        guard let id = row["id"]?.stringValue else { return nil }
        let title = row["title"]?.stringValue ?? id
        var entry: JSONObject = ["uri": .string(uri(id)), "name": .string(title), "mimeType": "application/json"]
        let state = row["act_state"]?.stringValue ?? ""
        let workflow = row["workflow_info"]?["name"]?.stringValue ?? ""
        entry["description"] = .string([workflow, state].filter { !$0.isEmpty }.joined(separator: ", "))
        return .object(entry)
    }

    /// `resource_link` content blocks for the rows of a ticket list: only what the protocol
    /// requires (the row beside it in the result says the rest), to keep results small.
    static func links(_ rows: [JSONValue]) -> [JSONValue] {
        rows.compactMap { row in
            guard let id = row["id"]?.stringValue else { return nil }
            return ["type": "resource_link", "uri": .string(uri(id)), "name": .string(row["title"]?.stringValue ?? id)]
        }
    }
}
