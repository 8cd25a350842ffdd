import FixtureReplay
import JSON

/// The detail endpoints: form, actions, admin actions, current nodes, flow history.
enum TicketDetailRules {
    /// Admins, and holders of a view permission on the workflow (directly or through a department
    /// or one above it). Being linked to the ticket would count too, but under Bearer auth
    /// Loonflow 3.2.1 compares a string with UUIDs there, so it never does.
    static func canView(_ user: SimulatedUser, _ ticket: SimulatedTicket, deployment: Deployment) -> Bool {
        if user.isAdmin { return true }
        guard let workflow = deployment.workflow(ticket.workflowID) else { return false }
        if workflow.viewerIDs.contains(user.id) { return true }
        let departments = deployment.departmentsWithAncestors(of: user)
        return workflow.viewerDepartmentIDs.contains { departments.contains($0) }
    }

    static func form(_ ticket: SimulatedTicket, caller: SimulatedUser, deployment: Deployment) -> ReplayAnswer {
        guard let workflow = deployment.workflow(ticket.workflowID) else { return SimulatorAnswer.internalError(data: "") }
        guard canView(caller, ticket, deployment: deployment) else {
            return SimulatorAnswer.failure("user has no view permission", data: "")
        }
        var permissions: [String: String]?
        if !["finished", "closed"].contains(ticket.actState), let link = ticket.link(caller.id), link.assignee {
            guard let base = link.assigneeNodeIDs.first, let node = workflow.node(base) else {
                return SimulatorAnswer.internalError(data: "")
            }
            permissions = node.fieldPermissions
        }
        let components = workflow.components.compactMap { component in
            row(component, permissions: permissions, values: ticket.values)
        }
        return SimulatorAnswer.ok([
            "form_schema": ["component_info_list": .array(components), "workflow_metadata": workflow.metadata]
        ])
    }

    /// A form row with each field's value and permission; nil when a node form leaves it empty.
    /// `permissions` nil means the view form: every field, read-only. `values` nil (a creation
    /// form) leaves `props.value` out, as Loonflow does.
    static func row(_ component: JSONValue, permissions: [String: String]?, values: [String: JSONValue]?) -> JSONValue? {
        guard case .object(var row) = component, row["type"]?.stringValue == "row" else { return component }
        var children: [JSONValue] = []
        for child in row["children"]?.arrayValue ?? [] {
            guard case .object(var field) = child else { continue }
            let key = field["component_key"]?.stringValue ?? ""
            var permission = "readonly"
            if let permissions {
                guard let granted = permissions[key], granted != "hidden" else { continue }
                permission = field["type"]?.stringValue == "externaldata" ? "readonly" : granted
            }
            field["component_permission"] = .string(permission)
            if let values {
                var props = field["props"]?.objectValue ?? JSONObject()
                props["value"] = values[key] ?? .null
                field["props"] = .object(props)
            }
            children.append(.object(field))
        }
        if permissions != nil, children.isEmpty { return nil }
        row["children"] = .array(children)
        return .object(row)
    }

    static func builtIn(_ type: String) -> JSONValue {
        ["id": .string(type), "name": .string(type == "add_comment" ? "add comment" : type.replacingUnderscores()), "type": .string(type), "props": [:]]
    }

    /// The user's actions and the node they are based on; nil when Loonflow fails
    /// ("Internal Server Error": a forwarded user with no node, a ticket with no active node).
    static func actions(_ ticket: SimulatedTicket, caller: SimulatedUser, deployment: Deployment) -> (actions: [JSONValue], base: String)? {
        guard let workflow = deployment.workflow(ticket.workflowID) else { return nil }
        var result: [JSONValue] = []
        let base: String
        let link = ticket.link(caller.id)
        if let link, link.assignee {
            guard let first = link.assigneeNodeIDs.first, let state = ticket.nodes.first(where: { $0.id == first }) else { return nil }
            base = first
            if state.inConsult { return ([builtIn("consult_submit")], base) }
            if state.inAcceptWait { return ([builtIn("accept")], base) }
            for edge in workflow.edges where edge.source == base {
                result.append(["id": .string(edge.id), "name": .string(edge.name), "type": .string(edge.type), "props": edge.props])
            }
        } else {
            guard let first = ticket.nodes.first?.id else { return nil }
            base = first
        }
        if canView(caller, ticket, deployment: deployment) { result.append(builtIn("add_comment")) }
        if link?.assignee ?? false {
            result.append(builtIn("forward"))
            result.append(builtIn("consult"))
        }
        if workflow.node(base)?.allowsWithdraw ?? false, ticket.creatorID == caller.id { result.append(builtIn("withdraw")) }
        return (result, base)
    }

    static func actionsAnswer(_ ticket: SimulatedTicket, caller: SimulatedUser, deployment: Deployment) -> ReplayAnswer {
        guard let (actions, base) = actions(ticket, caller: caller, deployment: deployment) else {
            return SimulatorAnswer.internalError(data: "")
        }
        return SimulatorAnswer.ok(["actions": .array(actions), "action_base_node_id": .string(base)])
    }

    /// Tenant admins and workflow admins get the force actions. Dispatchers do not (Loonflow's
    /// logic slip), although `handle` lets them run them.
    static func adminActions(_ ticket: SimulatedTicket, caller: SimulatedUser, deployment: Deployment) -> (actions: [JSONValue], base: String) {
        if ["finished", "closed", "force_closed"].contains(ticket.actState) { return ([], "") }
        let isAdmin = caller.isAdmin || (deployment.workflow(ticket.workflowID)?.adminIDs.contains(caller.id) ?? false)
        guard isAdmin, let base = ticket.nodes.first?.id else { return ([], "") }
        return ([builtIn("force_forward"), builtIn("force_close")], base)
    }

    static func adminActionsAnswer(_ ticket: SimulatedTicket, caller: SimulatedUser, deployment: Deployment) -> ReplayAnswer {
        let (actions, base) = adminActions(ticket, caller: caller, deployment: deployment)
        return SimulatorAnswer.ok(["actions": .array(actions), "action_base_node_id": .string(base)])
    }

    static func currentNodes(_ ticket: SimulatedTicket) -> ReplayAnswer {
        SimulatorAnswer.ok([
            "current_node_info_list": .array(ticket.nodes.map { ["id": .string($0.id), "name": .string($0.name)] })
        ])
    }

    /// Newest first whatever `desc` says: Loonflow passes `desc` to the "include ticket_data" argument.
    static func flowHistory(_ ticket: SimulatedTicket, _ pairs: [QueryPair]) -> ReplayAnswer {
        let value = { (key: String, fallback: Int) -> Int? in
            guard let raw = pairs.last(where: { $0.name == key })?.value else { return fallback }
            return PythonRepr.int(raw)
        }
        guard let page = value("page", 1), let perPage = value("per_page", 10), let desc = value("desc", 1), perPage > 0 else {
            return SimulatorAnswer.serverError
        }
        let served = Page(ticket.history, page: page, perPage: perPage)
        let rows = served.rows.map { entry -> JSONValue in
            guard desc == 0, case .object(var object) = entry else { return entry }
            object["ticket_data"] = nil
            return .object(object)
        }
        return SimulatorAnswer.ok([
            "ticket_flow_history_list": .array(rows), "total": .number(served.total), "page": .number(page),
            "per_page": .number(perPage),
        ])
    }
}

extension String {
    func replacingUnderscores() -> String { String(map { $0 == "_" ? " " : $0 }) }
}
