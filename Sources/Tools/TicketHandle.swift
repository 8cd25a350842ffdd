import Auth
package import JSON
import Logging
import LoonflowClient
package import MCPCore

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

    static let argumentNames = [
        "ticket_id", "action_type", "action_id", "access_token", "action_props", "fields", "app_name", "dry_run",
        "handle_request",
    ]

    package func call(arguments: JSONObject, context: ToolCallContext) async -> ToolResult {
        var audit = HandleAudit(arguments: arguments)
        do {
            let output = try await handle(arguments, context: context, audit: &audit)
            audit.write(to: environment.logger, succeeded: true)
            return .success(output)
        } catch {
            audit.write(to: environment.logger, succeeded: false)
            return .failure(error.message)
        }
    }

    /// The reference's checks in its order, then the gateway's field checks, then the dry-run
    /// summary or the one real request.
    private func handle(_ arguments: JSONObject, context: ToolCallContext, audit: inout HandleAudit)
        async throws(ToolFailure) -> JSONObject
    {
        let args = ToolArguments(arguments)
        try args.rejectUnknown(allowed: Self.argumentNames)
        let ticketID = try requiredTicketID(args)
        let appName = try args.string("app_name", default: "loonflow")
        audit.dryRun = try args.boolean("dry_run", default: false)
        var request = try HandleRequest.merge(args)
        audit.record(request)

        audit.stage = .token
        let token = try environment.tokens.resolve(args, context: context)
        audit.record(token)
        audit.stage = .ticketID
        try requireUUID(ticketID, argument: "ticket_id")

        audit.stage = .detail
        let answers = await TicketDetailAnswers.fetch(
            ticketID: ticketID, client: environment.client, token: token, appName: appName)
        let form = try answers.requireForm()
        audit.stage = .action
        try request.requireAction()
        audit.stage = .actions
        let snapshot = try answers.snapshot(form: form)

        try validate(&request, snapshot: snapshot, audit: &audit)
        if audit.dryRun { return Self.dryRunSummary(ticketID: ticketID, request: request, form: snapshot.form) }

        audit.stage = .cancelled
        guard !Task.isCancelled else {
            throw ToolFailure("the call was cancelled before the action was sent to Loonflow; nothing was changed")
        }
        audit.stage = .sent
        try await send(request, ticketID: ticketID, token: token, appName: appName)
        return [
            "dry_run": false, "ticket_id": .string(ticketID), "status": "handled",
            "action_type": .string(request.actionType), "action_id": .string(request.actionID),
        ]
    }

    /// Permission, required fields, availability, the add_comment node fallback, field values.
    private func validate(_ request: inout HandleRequest, snapshot: TicketSnapshot, audit: inout HandleAudit)
        throws(ToolFailure)
    {
        audit.stage = .permission
        try ActionRules.checkPermission(request.actionType, snapshot: snapshot)
        audit.stage = .requiredFields
        let missing = snapshot.form.requiredFields.filter { request.fields[$0] == nil }
        guard missing.isEmpty else {
            throw ToolFailure("missing required fields: \(missing.joined(separator: ", "))")
        }
        audit.stage = .availability
        try ActionRules.checkAvailable(request, snapshot: snapshot)
        if ActionRules.fillCommentNode(&request, snapshot: snapshot) {
            environment.logger.debug(
                "ticket_handle.add_comment.auto_node_id",
                ["ticket": .string(audit.ticket), "node_id": request.actionProps["node_id"] ?? .null])
        }
        audit.stage = .fieldValues
        try FieldValueCheck.check(request.fields, form: snapshot.form)
    }

    static func dryRunSummary(ticketID: String, request: HandleRequest, form: FormPermissions) -> JSONObject {
        [
            "dry_run": true,
            "ticket_id": .string(ticketID),
            "validated_action": [
                "action_type": .string(request.actionType), "action_id": .string(request.actionID),
                "action_props": .object(request.actionProps),
            ],
            "provided_fields": .array(request.fields.keys.map { .string($0) }),
            "required_fields": .array(form.requiredFields.map { .string($0) }),
            "missing_required_fields": [],
            "status": "validated",
        ]
    }

    /// Sends the handle request once. It runs in its own task so that cancelling the call
    /// cannot abort a write that may already have reached Loonflow.
    private func send(_ request: HandleRequest, ticketID: String, token: AccessToken, appName: String)
        async throws(ToolFailure)
    {
        let answer = await WriteOutcome.sendOnce(
            environment.client, "tickets/\(ticketID)/handle", body: request.body, token: token, appName: appName)
        switch answer {
        case .success: return
        case .failure(let error): throw ToolFailure(Self.explainHandleFailure(error))
        }
    }

    /// Loonflow's answer, plus what it means for a write that may or may not have happened.
    static func explainHandleFailure(_ error: LoonflowError) -> String {
        switch error {
        case .refused("current node has no permission to run this transition"):
            return error.message + ". Send action_props.node_id equal to the action_base_node_id from ticket_detail."
        case .refused("Internal Server Error"):
            return error.message + ". Loonflow hit an unexpected error while handling the ticket; check the ticket "
                + "with ticket_detail before retrying."
        default:
            return WriteOutcome.explain(
                error, subject: "the action",
                unknown: "The action may or may not have been applied: check the ticket with ticket_detail before retrying.")
        }
    }
}
