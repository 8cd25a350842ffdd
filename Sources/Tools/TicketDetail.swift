package import JSON
import LoonflowClient
package import MCPCore

/// `ticket_detail` and `ticket_prepare_handle` (the same tool under two names, as in the
/// reference server): the form, the derived field lists and the actions the caller may take.
package struct TicketDetail: Tool {
    package let environment: ToolEnvironment
    package let name: String

    package init(environment: ToolEnvironment, name: String) {
        self.environment = environment
        self.name = name
    }

    package var title: String { name == "ticket_detail" ? "Show a ticket" : "Prepare to handle a ticket" }
    package var description: String {
        """
        Read one ticket: its form (form_schema with every field's current value in props.value), \
        field_permissions and the required_fields, optional_fields and readonly_fields lists for the caller, \
        the actions the caller may take (actions, with action_base_node_id) and admin actions \
        (admin_actions, admin_action_base_node_id). Call it before ticket_handle.
        """
    }

    package var inputSchema: JSONValue {
        Schema.object(
            [
                ("ticket_id", Schema.string("The ticket's UUID (from ticket_list).", default: nil)),
                ("access_token", Schema.accessToken),
                ("app_name", Schema.appName),
            ], required: ["ticket_id"])
    }

    package var outputSchema: JSONValue {
        Schema.output(
            [("form_schema", ["type": "object"])] + Schema.fieldListProperties + [
                ("actions", ["type": "array", "items": ["type": "object"]]),
                ("action_base_node_id", ["type": "string"]),
                ("admin_actions", ["type": "array", "items": ["type": "object"]]),
                ("admin_action_base_node_id", ["type": "string"]),
            ])
    }

    package var annotations: ToolAnnotations {
        ToolAnnotations(readOnly: true, destructive: false, idempotent: true, openWorld: false)
    }

    package func call(arguments: JSONObject, context: ToolCallContext) async -> ToolResult {
        await runTool { () async throws(ToolFailure) -> JSONObject in
            let args = ToolArguments(arguments)
            try args.rejectUnknown(allowed: ["ticket_id", "access_token", "app_name"])
            let ticketID = try requiredTicketID(args)
            let appName = try args.string("app_name", default: "loonflow")
            let token = try environment.tokens.resolve(args, context: context)
            try requireUUID(ticketID, argument: "ticket_id")
            let answers = await TicketDetailAnswers.fetch(
                ticketID: ticketID, client: environment.client, token: token, appName: appName)
            return Self.output(try answers.requireSnapshot())
        }
    }

    /// The answer in the reference server's key order.
    package static func output(_ snapshot: TicketSnapshot) -> JSONObject {
        JSONObject(
            [("form_schema", .object(snapshot.formSchema))] + snapshot.form.listing + [
                ("actions", .array(snapshot.actions)),
                ("action_base_node_id", snapshot.actionBaseNodeID),
                ("admin_actions", .array(snapshot.adminActions)),
                ("admin_action_base_node_id", snapshot.adminActionBaseNodeID),
            ])
    }
}

/// The `ticket_id` argument, which both ticket tools require (its shape is checked after the
/// token, in the reference's order).
func requiredTicketID(_ args: ToolArguments) throws(ToolFailure) -> String {
    guard args.has("ticket_id") else {
        throw ToolFailure("argument \"ticket_id\" is required: the ticket's UUID, as ticket_list shows it")
    }
    return try args.string("ticket_id")
}
