import Auth
package import JSON
import Logging
import LoonflowClient
package import MCPCore
import PlainText

/// `ticket_create`: validates a new ticket against the workflow's creation form and actions,
/// then sends `POST /tickets` exactly once (or only validates, with `dry_run`).
package struct TicketCreate: Tool {
    package let environment: ToolEnvironment

    package init(environment: ToolEnvironment) { self.environment = environment }

    package var name: String { "ticket_create" }
    package var title: String { "Open a ticket" }
    package var description: String {
        """
        Open a ticket. Call ticket_prepare_create first: action_id must be one of its actions, fields must \
        hold every required field, and only editable fields with values of the field's type. dry_run=true \
        validates and sends nothing. A real create is sent once, never retried; if the outcome is unknown, \
        look for the ticket with ticket_list (category owner) before trying again.
        """
    }

    static let argumentNames = [
        "workflow_id", "action_id", "fields", "parent_ticket_id", "parent_ticket_node_id", "dry_run", "access_token",
        "app_name",
    ]

    package var inputSchema: JSONValue {
        Schema.object(
            [
                ("workflow_id", Schema.string("A workflow_id from workflow_list.", default: nil)),
                ("action_id", Schema.string("A creation action's id from ticket_prepare_create.", default: nil)),
                ("fields", ["type": ["object", "null"], "default": nil, "description": "Values by component_key."]),
                ("parent_ticket_id", Schema.string("Open as a sub-ticket of this ticket UUID.")),
                ("parent_ticket_node_id", Schema.string("The parent's node UUID the sub-ticket belongs to.")),
                ("dry_run", Schema.boolean("true: validate only, send nothing.", default: false)),
                ("access_token", Schema.accessToken),
                ("app_name", Schema.appName),
            ], required: ["workflow_id", "action_id"])
    }

    package var outputSchema: JSONValue {
        Schema.output(
            [
                ("dry_run", ["type": "boolean"]),
                ("status", ["type": "string", "enum": ["validated", "created"]]),
                ("workflow_id", ["type": "string"]),
                ("action_id", ["type": "string"]),
            ],
            optional: [
                ("ticket_id", ["type": "string", "description": "The new ticket (real creates only)."]),
                ("provided_fields", ["type": "array", "items": ["type": "string"]]),
                ("next", ["type": "string"]),
            ])
    }

    package var annotations: ToolAnnotations {
        ToolAnnotations(readOnly: false, destructive: false, idempotent: false, openWorld: false)
    }

    /// What was asked, checked locally.
    struct Request {
        var workflowID: String
        var actionID: String
        var fields: JSONObject
        var parentTicketID: String
        var parentNodeID: String
        var dryRun: Bool

        /// The body of `POST /tickets`: only the keys Loonflow's schema allows.
        var body: JSONValue {
            var body: JSONObject = [
                "workflow_id": .string(workflowID), "action_id": .string(actionID), "fields": .object(fields),
            ]
            if !parentTicketID.isEmpty { body["parent_ticket_id"] = .string(parentTicketID) }
            if !parentNodeID.isEmpty { body["parent_ticket_node_id"] = .string(parentNodeID) }
            return .object(body)
        }
    }

    package func call(arguments: JSONObject, context: ToolCallContext) async -> ToolResult {
        var audit = CreateAudit(arguments: arguments)
        do {
            let output = try await create(arguments, context: context, audit: &audit)
            audit.write(to: environment.logger, outcome: audit.dryRun ? "validated" : "created")
            var result = ToolResult.success(output)
            if let ticketID = output["ticket_id"]?.stringValue {
                result.links = TicketResources.links([["id": .string(ticketID), "title": .string(ticketID)]])
            }
            return result
        } catch {
            audit.write(to: environment.logger, outcome: audit.sent ? "failed" : "refused")
            return .failure(error.message)
        }
    }

    private func create(_ arguments: JSONObject, context: ToolCallContext, audit: inout CreateAudit)
        async throws(ToolFailure) -> JSONObject
    {
        let args = ToolArguments(arguments)
        try args.rejectUnknown(allowed: Self.argumentNames)
        let request = try Self.parse(args)
        audit.dryRun = request.dryRun
        let appName = try args.string("app_name", default: "loonflow")
        let token = try environment.tokens.resolve(args, context: context)
        audit.user = token.userID ?? token.redacted
        try Self.checkIDs(request)

        let creation = try await CreationForm.fetch(
            workflowID: request.workflowID, client: environment.client, token: token, appName: appName)
        try Self.validate(request, creation)
        if request.dryRun {
            return Self.summary(request, status: "validated", next: "Call again with dry_run=false to open the ticket.")
        }
        guard !Task.isCancelled else {
            throw ToolFailure("the call was cancelled before the ticket was sent to Loonflow; nothing was created")
        }
        audit.sent = true
        let answer = await WriteOutcome.sendOnce(
            environment.client, "tickets", body: request.body, token: token, appName: appName)
        let ticketID: String
        switch answer {
        case .success(let data):
            guard let id = data["ticket_id"]?.stringValue else {
                throw ToolFailure(
                    "outcome unknown: Loonflow confirmed the request but named no ticket_id. " + Self.unknownHint)
            }
            ticketID = id
        case .failure(let error):
            throw ToolFailure(WriteOutcome.explain(error, subject: "the creation", unknown: Self.unknownHint))
        }
        audit.ticket = ticketID
        var output = Self.summary(
            request, status: "created",
            next: "ticket_detail shows the new ticket's form and actions; ticket_history its history.")
        output["ticket_id"] = .string(ticketID)
        return output
    }

    static let unknownHint =
        "The ticket may or may not have been created: look for it with ticket_list (category owner) before retrying."

    static func parse(_ args: ToolArguments) throws(ToolFailure) -> Request {
        let workflowID = try requiredWorkflowID(args)
        guard args.has("action_id") else {
            throw ToolFailure("argument \"action_id\" is required: a creation action's id from ticket_prepare_create")
        }
        let request = Request(
            workflowID: workflowID, actionID: try args.string("action_id").trimmingWhitespace(),
            fields: try args.object("fields") ?? [:],
            parentTicketID: try args.string("parent_ticket_id").trimmingWhitespace(),
            parentNodeID: try args.string("parent_ticket_node_id").trimmingWhitespace(),
            dryRun: try args.boolean("dry_run", default: false))
        if !request.parentNodeID.isEmpty, request.parentTicketID.isEmpty {
            throw ToolFailure("parent_ticket_node_id needs parent_ticket_id: the sub-ticket's parent ticket")
        }
        return request
    }

    static func checkIDs(_ request: Request) throws(ToolFailure) {
        try requireUUID(request.workflowID, argument: "workflow_id")
        try requireUUID(request.actionID, argument: "action_id")
        if !request.parentTicketID.isEmpty { try requireUUID(request.parentTicketID, argument: "parent_ticket_id") }
        if !request.parentNodeID.isEmpty { try requireUUID(request.parentNodeID, argument: "parent_ticket_node_id") }
    }

    /// The action leaves the start node; required fields are present; every value fits its field.
    static func validate(_ request: Request, _ creation: CreationForm) throws(ToolFailure) {
        guard creation.action(request.actionID) != nil else {
            throw ToolFailure(
                "action_id \(request.actionID) is not a creation action of this workflow (an edge leaving its start "
                    + "node); ticket_prepare_create offers: \(creation.offered)")
        }
        let form = creation.form.permissions
        let missing = form.requiredFields.filter { request.fields[$0] == nil }
        guard missing.isEmpty else {
            throw ToolFailure("missing required fields: \(missing.joined(separator: ", "))")
        }
        try FieldValueCheck.check(request.fields, form: form)
    }

    static func summary(_ request: Request, status: String, next: String) -> JSONObject {
        [
            "dry_run": .bool(request.dryRun), "status": .string(status), "workflow_id": .string(request.workflowID),
            "action_id": .string(request.actionID), "provided_fields": .array(request.fields.keys.map { .string($0) }),
            "next": .string(next),
        ]
    }
}

/// The one audit line of a `ticket_create` call; holds no token.
struct CreateAudit {
    var user = "-"
    var workflow: String
    var action: String
    var ticket = ""
    var dryRun: Bool
    /// Whether the create request was started: from then on a failure is Loonflow's.
    var sent = false

    init(arguments: JSONObject) {
        workflow = String((arguments["workflow_id"]?.stringValue ?? "").prefix(64))
        action = String((arguments["action_id"]?.stringValue ?? "").prefix(64))
        dryRun = arguments["dry_run"]?.boolValue ?? false
    }

    func write(to logger: Logger, outcome: String) {
        logger.info(
            "audit.ticket_create",
            [
                "user": .string(user), "workflow": .string(workflow), "action_id": .string(action),
                "ticket": .string(ticket), "dry_run": .bool(dryRun), "outcome": .string(outcome),
            ])
    }
}
