package import Auth
package import JSON
package import LoonflowClient

/// What the three detail endpoints say about one ticket for one caller: the form, the
/// caller's actions and the admin actions.
package struct TicketSnapshot: Sendable {
    /// `{component_info_list, workflow_metadata}` as Loonflow sent them.
    package var formSchema: JSONObject
    package var form: FormPermissions
    package var actions: [JSONValue]
    package var actionBaseNodeID: JSONValue
    package var adminActions: [JSONValue]
    package var adminActionBaseNodeID: JSONValue

    /// The node id an `add_comment` without one falls back to: the action base node, else
    /// the admin base node, when either is non-empty.
    package var fallbackNodeID: String? {
        for candidate in [actionBaseNodeID, adminActionBaseNodeID] {
            if let id = candidate.stringValue, !id.isEmpty { return id }
        }
        return nil
    }
}

/// The caller's form: what ticket_detail shows as `form_schema`, and the derived permissions.
package struct TicketForm: Sendable {
    package var schema: JSONObject
    package var permissions: FormPermissions

    /// Reads `{form_schema: {component_info_list, workflow_metadata}}`, the shape of the detail
    /// form and of the creation form.
    package init(_ data: JSONValue) throws(ToolFailure) {
        guard let schema = data["form_schema"]?.objectValue else {
            throw ToolFailure("Loonflow's answer could not be read: \"form_schema\" is missing or not an object")
        }
        guard let components = schema["component_info_list"]?.arrayValue else {
            throw ToolFailure("Loonflow's answer could not be read: \"component_info_list\" is missing or not a list")
        }
        self.schema = [
            "component_info_list": .array(components), "workflow_metadata": schema["workflow_metadata"] ?? .null,
        ]
        permissions = FormPermissions(componentInfoList: components)
    }
}

/// The raw answers of the three detail calls. The form's failure decides: when it fails the
/// other two are dropped unread.
package struct TicketDetailAnswers: Sendable {
    package var form: Result<JSONValue, LoonflowError>
    package var actions: Result<JSONValue, LoonflowError>?
    package var adminActions: Result<JSONValue, LoonflowError>?

    /// Sends the form, actions and admin-actions requests at the same time.
    package static func fetch(
        ticketID: String, client: LoonflowClient, token: AccessToken, appName: String
    ) async -> TicketDetailAnswers {
        let base = "tickets/\(ticketID)"
        async let actions = client.get("\(base)/ticket_detail_actions", token: token, appName: appName)
        async let adminActions = client.get("\(base)/ticket_detail_admin_actions", token: token, appName: appName)
        let form = await client.get("\(base)/ticket_detail_form", token: token, appName: appName)
        // Leaving the scope early cancels the two other requests.
        guard case .success = form else { return TicketDetailAnswers(form: form, actions: nil, adminActions: nil) }
        return TicketDetailAnswers(form: form, actions: await actions, adminActions: await adminActions)
    }

    /// The form's `form_schema`, or the failure that ends the call (with what it likely means).
    package func requireForm() throws(ToolFailure) -> TicketForm {
        let data: JSONValue
        switch form {
        case .success(let value): data = value
        case .failure(let error): throw ToolFailure(Self.explainFormFailure(error))
        }
        return try TicketForm(data)
    }

    /// Everything, failing as the reference does: the form first, then the actions.
    package func requireSnapshot() throws(ToolFailure) -> TicketSnapshot {
        try snapshot(form: requireForm())
    }

    /// The snapshot for an already checked form, or the first failure of the actions calls.
    package func snapshot(form: TicketForm) throws(ToolFailure) -> TicketSnapshot {
        let user = try Self.actionList(actions, what: "actions")
        let admin = try Self.actionList(adminActions, what: "admin actions")
        return TicketSnapshot(
            formSchema: form.schema, form: form.permissions, actions: user.list, actionBaseNodeID: user.baseNodeID,
            adminActions: admin.list, adminActionBaseNodeID: admin.baseNodeID)
    }

    private static func actionList(_ result: Result<JSONValue, LoonflowError>?, what: String) throws(ToolFailure) -> (
        list: [JSONValue], baseNodeID: JSONValue
    ) {
        guard let result else { throw ToolFailure("the \(what) of the ticket were not read") }
        do throws(ToolFailure) {
            switch result {
            case .success(let value):
                let data = try value.requireObject("data")
                return (try data.requireArray("actions"), data["action_base_node_id"] ?? .string(""))
            case .failure(let error):
                throw ToolFailure(explainActionsFailure(error))
            }
        } catch {
            throw ToolFailure("reading the \(what) failed: \(error.message)")
        }
    }

    static let noViewPermissionHint =
        " Loonflow 3.2.1 grants view permission only to tenant admins and to users who hold the workflow's view "
        + "permission; a ticket's creator and its assignees do not get it (a known Loonflow bug), and without it "
        + "the gateway can neither show nor act on the ticket. Ask a Loonflow administrator for view permission "
        + "on this workflow."

    static let internalErrorHint =
        " For a ticket id this means the ticket does not exist (check the id with ticket_list), or, a known "
        + "Loonflow 3.2.1 bug, the ticket was forwarded to the caller who had no earlier link to it: Loonflow then "
        + "fails to build that user's form and actions. In that case ask the previous handler or an administrator "
        + "to reassign the ticket."

    /// Loonflow's own text, plus a sentence on the Loonflow bugs that commonly cause it.
    static func explainFormFailure(_ error: LoonflowError) -> String {
        switch error {
        case .refused("user has no view permission"): error.message + "." + noViewPermissionHint
        case .refused("Internal Server Error"): error.message + "." + internalErrorHint
        default: error.message
        }
    }

    static func explainActionsFailure(_ error: LoonflowError) -> String {
        if case .refused("Internal Server Error") = error { return error.message + "." + internalErrorHint }
        return error.message
    }
}
