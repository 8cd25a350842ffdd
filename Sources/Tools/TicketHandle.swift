import Auth
import JSON
import LoonflowClient
import MCPCore

/// `ticket_handle`: validates an action against what the caller is offered, then sends it
/// to Loonflow exactly once (or only validates, with `dry_run`).
package struct TicketHandle: Tool {
    package let environment: ToolEnvironment

    package init(environment: ToolEnvironment) { self.environment = environment }

    package var name: String { "ticket_handle" }
    package var title: String { "Act on a ticket" }
    package var description: String {
        """
        Act on a ticket: approve, reject, comment, forward, consult, accept, withdraw, or an admin's force \
        actions. Call ticket_detail first; action_type and action_id must be one of its actions or \
        admin_actions, every required field must be in fields, and action_props.node_id should be the \
        action_base_node_id it gave. Use dry_run=true to validate without changing anything. A real call is \
        sent once and never retried; if the outcome is unknown, check with ticket_detail before retrying.
        """
    }

    package var inputSchema: JSONValue {
        Schema.object(
            [
                ("ticket_id", Schema.string("The ticket's UUID.", default: nil)),
                ("action_type", Schema.string("The action's type from ticket_detail (agree, reject, other, add_comment, forward, consult, consult_submit, accept, withdraw, force_forward, force_close).")),
                ("action_id", Schema.string("The action's id from ticket_detail: an edge UUID, or the type itself for built-in actions.")),
                ("access_token", Schema.accessToken),
                ("action_props", ["type": ["object", "null"], "default": nil, "description": "node_id (the action_base_node_id), comment, target_assignee_id for forward/consult/force_forward."]),
                ("fields", ["type": ["object", "null"], "default": nil, "description": "Form values by component_key; every required field of the caller's form must be present."]),
                ("app_name", Schema.appName),
                ("dry_run", Schema.boolean("true: validate only, change nothing.", default: false)),
                ("handle_request", ["type": ["object", "string", "null"], "default": nil, "description": "Optional {action_type, action_id, action_props, fields} as an object or JSON string; its values override the flat arguments."]),
            ], required: ["ticket_id"])
    }

    package var outputSchema: JSONValue {
        [
            "type": "object",
            "properties": [
                "dry_run": ["type": "boolean"],
                "ticket_id": ["type": "string"],
                "status": ["type": "string", "enum": ["validated", "handled"]],
                "action_type": ["type": "string"],
                "action_id": ["type": "string"],
                "validated_action": ["type": "object"],
                "provided_fields": ["type": "array", "items": ["type": "string"]],
                "required_fields": ["type": "array", "items": ["type": "string"]],
                "missing_required_fields": ["type": "array", "items": ["type": "string"]],
            ],
            "required": ["dry_run", "ticket_id", "status"],
            "additionalProperties": true,
        ]
    }

    package var annotations: ToolAnnotations {
        ToolAnnotations(readOnly: false, destructive: true, idempotent: false, openWorld: false)
    }

    package func call(arguments: JSONObject, context: ToolCallContext) async -> ToolResult {
        .failure("ticket_handle is not implemented yet")
    }
}
