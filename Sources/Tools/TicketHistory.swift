package import JSON
import LoonflowClient
package import MCPCore

/// `ticket_history`: a ticket's flow history, newest first, with its current nodes.
///
/// Loonflow's history endpoint checks no view permission: any user of the tenant can read any
/// ticket's history, field snapshots included. The gateway first asks for the caller's detail
/// form, which does check it, and shows the history only when that succeeds.
package struct TicketHistory: Tool {
    package let environment: ToolEnvironment

    package init(environment: ToolEnvironment) { self.environment = environment }

    package var name: String { "ticket_history" }
    package var title: String { "Show a ticket's history" }
    package var description: String {
        """
        What happened to a ticket: its flow history newest first (who did which action at which node, with \
        comments) and the nodes it is at now. Only for users who may view the ticket (as ticket_detail \
        decides). include_field_snapshots=true adds the field values each step submitted.
        """
    }

    package var inputSchema: JSONValue {
        Schema.object(
            [
                ("ticket_id", Schema.string("The ticket's UUID.", default: nil)),
                ("page", Schema.page),
                ("per_page", Schema.perPage),
                ("include_field_snapshots", Schema.boolean("Add each step's field values.", default: false)),
                ("access_token", Schema.accessToken),
                ("app_name", Schema.appName),
            ], required: ["ticket_id"])
    }

    package var outputSchema: JSONValue {
        Schema.output([
            ("ticket_id", ["type": "string"]),
            ("current_nodes", ["type": "array", "items": ["type": "object"]]),
            ("history", [
                "type": "array", "items": ["type": "object"],
                "description": "{created_at, node, action_type, action_name, comment, processor, ticket_data?}.",
            ]),
            ("per_page", ["type": "integer"]),
            ("page", ["type": "integer"]),
            ("total", ["type": "integer"]),
        ])
    }

    package var annotations: ToolAnnotations {
        ToolAnnotations(readOnly: true, destructive: false, idempotent: true, openWorld: false)
    }

    static let viewRule =
        " The gateway shows a ticket's history only to users who may view the ticket (Loonflow's own history "
        + "endpoint does not check this)."

    package func call(arguments: JSONObject, context: ToolCallContext) async -> ToolResult {
        await runTool { () async throws(ToolFailure) -> JSONObject in
            let args = ToolArguments(arguments)
            try args.rejectUnknown(allowed: ["ticket_id", "page", "per_page", "include_field_snapshots", "access_token", "app_name"])
            let ticketID = try requiredTicketID(args)
            let paging = try Paging(args)
            let snapshots = try args.boolean("include_field_snapshots", default: false)
            let appName = try args.string("app_name", default: "loonflow")
            let token = try environment.tokens.resolve(args, context: context)
            try requireUUID(ticketID, argument: "ticket_id")
            let client = environment.client
            let base = "tickets/\(ticketID)"
            if case .failure(let error) = await client.get("\(base)/ticket_detail_form", token: token, appName: appName) {
                throw ToolFailure(TicketDetailAnswers.explainFormFailure(error) + Self.viewRule)
            }
            // Loonflow's `desc` decides whether snapshots are included; the order is always newest first.
            let query = paging.query + [("desc", snapshots ? "1" : "0")]
            async let nodes = client.get("\(base)/current_node_infos", token: token, appName: appName)
            let history = try await client.get("\(base)/ticket_flow_history", query: query, token: token, appName: appName)
                .orFail().requireObject("data")
            let current = try await nodes.orFail().requireObject("data").requireArray("current_node_info_list")
            var output: JSONObject = ["ticket_id": .string(ticketID), "current_nodes": .array(current)]
            let entries = try history.requireArray("ticket_flow_history_list")
            output["history"] = .array(entries.map { Self.entry($0, snapshots: snapshots) })
            output["per_page"] = history["per_page"] ?? .number(paging.perPage)
            output["page"] = history["page"] ?? .number(paging.page)
            output["total"] = history["total"] ?? .number(entries.count)
            return output
        }
    }

    /// One history entry without what repeats or is always empty (the ticket id, phone numbers).
    static func entry(_ raw: JSONValue, snapshots: Bool) -> JSONValue {
        let processor = raw["processor_info"]
        var entry: JSONObject = [
            "created_at": raw["created_at"] ?? .null,
            "node": raw["node_info"] ?? .null,
            "action_type": raw["action_type"] ?? .null,
            "action_name": raw["action_name"] ?? .null,
            "comment": raw["comment"] ?? .null,
            "processor": [
                "type": processor?["processor_type"] ?? .null, "id": processor?["processor"] ?? .null,
                "name": processor?["processor_name"] ?? .null, "alias": processor?["processor_alias"] ?? .null,
                "email": processor?["processor_email"] ?? .null,
            ],
        ]
        if snapshots, let data = raw["ticket_data"] { entry["ticket_data"] = data }
        return .object(entry)
    }
}
