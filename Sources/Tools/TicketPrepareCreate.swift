package import JSON
import LoonflowClient
package import MCPCore
import PlainText

/// `ticket_prepare_create`: the creation form of a workflow with the caller's field lists
/// (derived as `ticket_detail` derives them) and the creation actions.
package struct TicketPrepareCreate: Tool {
    package let environment: ToolEnvironment

    package init(environment: ToolEnvironment) { self.environment = environment }

    package var name: String { "ticket_prepare_create" }
    package var title: String { "Prepare to open a ticket" }
    package var description: String {
        """
        Before ticket_create: the workflow's creation form (form_schema; each field's type and props, such as \
        options_with_keys for select fields), required_fields, optional_fields, readonly_fields and the \
        creation actions (their id is ticket_create's action_id).
        """
    }

    package var inputSchema: JSONValue {
        Schema.object(
            [
                ("workflow_id", Schema.string("A workflow_id from workflow_list.", default: nil)),
                ("access_token", Schema.accessToken),
                ("app_name", Schema.appName),
            ], required: ["workflow_id"])
    }

    package var outputSchema: JSONValue {
        Schema.output(
            [("workflow_id", ["type": "string"]), ("form_schema", ["type": "object"])] + Schema.fieldListProperties
                + [("actions", ["type": "array", "items": ["type": "object"]])],
            optional: [("workflow", ["type": "object"])])
    }

    package var annotations: ToolAnnotations {
        ToolAnnotations(readOnly: true, destructive: false, idempotent: true, openWorld: false)
    }

    package func call(arguments: JSONObject, context: ToolCallContext) async -> ToolResult {
        await runTool { () async throws(ToolFailure) -> JSONObject in
            let args = ToolArguments(arguments)
            try args.rejectUnknown(allowed: ["workflow_id", "access_token", "app_name"])
            let workflowID = try requiredWorkflowID(args)
            let appName = try args.string("app_name", default: "loonflow")
            let token = try environment.tokens.resolve(args, context: context)
            try requireUUID(workflowID, argument: "workflow_id")
            let creation = try await CreationForm.fetch(
                workflowID: workflowID, client: environment.client, token: token, appName: appName)
            return Self.output(workflowID: workflowID, creation)
        }
    }

    static func output(workflowID: String, _ creation: CreationForm) -> JSONObject {
        JSONObject(
            [
                ("workflow_id", .string(workflowID)),
                ("workflow", creation.form.schema["workflow_metadata"] ?? .null),
                ("form_schema", ["component_info_list": creation.form.schema["component_info_list"] ?? []]),
            ] + creation.form.permissions.listing + [("actions", .array(creation.actions))])
    }
}

/// The `workflow_id` argument of the creation tools.
func requiredWorkflowID(_ args: ToolArguments) throws(ToolFailure) -> String {
    guard args.has("workflow_id") else {
        throw ToolFailure("argument \"workflow_id\" is required: a workflow_id from workflow_list")
    }
    return try args.string("workflow_id").trimmingWhitespace()
}
