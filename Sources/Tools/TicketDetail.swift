import Auth
import JSON
import LoonflowClient
import MCPCore

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
        [
            "type": "object",
            "properties": [
                "form_schema": ["type": "object"],
                "field_permissions": ["type": "object", "additionalProperties": ["type": "string"]],
                "required_fields": ["type": "array", "items": ["type": "string"]],
                "optional_fields": ["type": "array", "items": ["type": "string"]],
                "readonly_fields": ["type": "array", "items": ["type": "string"]],
                "actions": ["type": "array", "items": ["type": "object"]],
                "action_base_node_id": ["type": "string"],
                "admin_actions": ["type": "array", "items": ["type": "object"]],
                "admin_action_base_node_id": ["type": "string"],
            ],
            "required": [
                "form_schema", "field_permissions", "required_fields", "optional_fields", "readonly_fields", "actions",
                "action_base_node_id", "admin_actions", "admin_action_base_node_id",
            ],
            "additionalProperties": true,
        ]
    }

    package var annotations: ToolAnnotations {
        ToolAnnotations(readOnly: true, destructive: false, idempotent: true, openWorld: false)
    }

    package func call(arguments: JSONObject, context: ToolCallContext) async -> ToolResult {
        .failure("\(name) is not implemented yet")
    }
}
