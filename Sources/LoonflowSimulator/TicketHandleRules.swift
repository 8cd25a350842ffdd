import FoundationEssentials
import JSON

/// `POST /tickets/{id}/handle` and `POST /tickets`: Loonflow's checks, then the change to the
/// ticket. A refused action changes nothing.
struct TicketHandleRules {
    var deployment: Deployment
    var now: Int64

    /// What a handle or a create did: the answer, and the deployment after it.
    enum Outcome {
        case refused(String)
        /// The recorded data does not say what Loonflow would do.
        case undetermined(String)
        case internalError
        case done
    }

    // MARK: handle

    mutating func handle(ticketID: String, body: JSONValue?, caller: SimulatedUser) -> Outcome {
        guard let index = deployment.ticketIndex(ticketID), case .object(let request)? = body else { return .internalError }
        let actionType = request["action_type"]?.stringValue ?? ""
        let props = request["action_props"]?.objectValue ?? JSONObject()
        var ticket = deployment.tickets[index]
        let outcome: Outcome
        switch actionType {
        case "add_comment":
            guard TicketDetailRules.canView(caller, ticket, deployment: deployment) else { return .refused(Self.noPermission) }
            guard let node = nonEmpty(props["node_id"]) else { return .refused("node_id is required") }
            outcome = record(&ticket, type: "add_comment", name: "", comment: props["comment"], node: node, caller: caller)
        case "withdraw":
            outcome = withdraw(&ticket, caller: caller)
        case "forward", "consult", "consult_submit", "accept", "agree", "reject", "other":
            guard ticket.link(caller.id)?.assignee ?? false else { return .refused(Self.noPermission) }
            outcome = assigneeAction(actionType, &ticket, request: request, props: props, caller: caller)
        case "force_forward", "force_close", "force_alter_node":
            guard isTicketAdmin(caller, ticket) else { return .refused(Self.noPermission) }
            outcome = adminAction(actionType, &ticket, props: props, caller: caller)
        default:
            return .refused(Self.noPermission)
        }
        if case .done = outcome {
            ticket.row["updated_at"] = .string(LoonflowTime.rowTimestamp(now))
            deployment.tickets[index] = ticket
        }
        return outcome
    }

    static let noPermission = "user has no permission to handle this ticket"

    private func isTicketAdmin(_ user: SimulatedUser, _ ticket: SimulatedTicket) -> Bool {
        guard !user.isAdmin else { return true }
        let workflow = deployment.workflow(ticket.workflowID)
        return (workflow?.adminIDs.contains(user.id) ?? false) || (workflow?.dispatcherIDs.contains(user.id) ?? false)
    }

    private func nonEmpty(_ value: JSONValue?) -> String? {
        guard let text = value?.stringValue, !text.isEmpty else { return nil }
        return text
    }

    private mutating func assigneeAction(
        _ type: String, _ ticket: inout SimulatedTicket, request: JSONObject, props: JSONObject, caller: SimulatedUser
    ) -> Outcome {
        let node = props["node_id"]?.stringValue ?? ""
        switch type {
        case "forward":
            guard let target = props["target_assignee_id"]?.stringValue, deployment.user(target) != nil else { return .internalError }
            return forward(&ticket, node: node, from: caller.id, to: target, comment: props["commment"], caller: caller, type: "forward")
        case "consult":
            guard let target = props["target_assignee_id"]?.stringValue, deployment.user(target) != nil,
                let state = ticket.nodes.firstIndex(where: { $0.id == node })
            else { return .internalError }
            ticket.nodes[state].inConsult = true
            ticket.nodes[state].consultFrom = caller.id
            ticket.updateLink(caller.id) { link in
                link.assigneeNodeIDs.removeAll { $0 == node }
                link.assignee = !link.assigneeNodeIDs.isEmpty
            }
            ticket.updateLink(target) { link in
                link.assignee = true
                if !link.assigneeNodeIDs.contains(node) { link.assigneeNodeIDs.append(node) }
            }
            return record(&ticket, type: "consult_ticket", name: "", comment: props["comment"], node: node, caller: caller)
        case "consult_submit":
            guard let state = ticket.nodes.firstIndex(where: { $0.id == node }), let origin = ticket.nodes[state].consultFrom else {
                return .undetermined("who asked for this consult was not recorded, so the simulator cannot hand the node back")
            }
            ticket.nodes[state].inConsult = false
            ticket.nodes[state].consultFrom = nil
            reassign(&ticket, operator: caller.id, to: [(node, [origin])])
            return record(&ticket, type: "consult_submit", name: "", comment: props["comment"], node: node, caller: caller)
        case "accept":
            guard let state = ticket.nodes.firstIndex(where: { $0.id == node }), ticket.nodes[state].inAcceptWait else {
                return .refused("Node is not in accept wait status")
            }
            ticket.nodes[state].inAcceptWait = false
            reassign(&ticket, operator: caller.id, to: [(node, [caller.id])])
            return record(&ticket, type: "accept", name: "", comment: nil, node: node, caller: caller)
        default:
            return edgeAction(&ticket, request: request, caller: caller)
        }
    }

    /// An edge: Loonflow checks only that `node_id` is the edge's source (not where the ticket is),
    /// and checks required fields only on edges that say to skip that check (its inverted test).
    private mutating func edgeAction(_ ticket: inout SimulatedTicket, request: JSONObject, caller: SimulatedUser) -> Outcome {
        guard let workflow = deployment.workflow(ticket.workflowID),
            let edge = workflow.edge(request["action_id"]?.stringValue ?? "")
        else { return .internalError }
        let props = request["action_props"]?.objectValue ?? JSONObject()
        guard props["node_id"]?.stringValue == edge.source, let source = workflow.node(edge.source) else {
            return .refused("current node has no permission to run this transition")
        }
        let fields = request["fields"]?.objectValue ?? JSONObject()
        if edge.skipsRequiredCheck, let missing = missingRequired(source, fields) { return .refused("field \(missing) is required") }
        return move(&ticket, along: edge, from: source, fields: fields, comment: props["comment"], caller: caller)
    }

    private func missingRequired(_ node: WorkflowNode, _ fields: JSONObject) -> String? {
        for (key, permission) in node.props["field_permissions"]?.objectValue ?? JSONObject()
        where permission.stringValue == "required" && fields[key] == nil {
            return key
        }
        return nil
    }

    /// Runs an edge: stores the source node's editable fields, moves to the target node with its
    /// handlers, recomputes `act_state` and writes the history entry.
    private mutating func move(
        _ ticket: inout SimulatedTicket, along edge: WorkflowEdge, from source: WorkflowNode, fields: JSONObject,
        comment: JSONValue?, caller: SimulatedUser
    ) -> Outcome {
        guard let workflow = deployment.workflow(ticket.workflowID), let target = workflow.node(edge.target) else {
            return .internalError
        }
        store(fields, editableAt: source, into: &ticket)
        let handlers: [String]
        switch assignees(of: target, ticket: ticket, fields: fields, operator: caller.id) {
        case .success(let ids): handlers = ids
        case .failure(let note): return .undetermined(note.text)
        }
        ticket.row["act_state"] = .string(Self.actState(nodeType: target.type, edgeType: edge.type))
        var state = TicketNodeState(id: target.id, name: target.name)
        state.inAcceptWait = handlers.count > 1 && target.props["assignment_strategy"]?.stringValue == "voluntary"
        let history = record(&ticket, type: edge.type, name: edge.name, comment: comment, node: source.id, caller: caller)
        ticket.nodes = [state]
        reassign(&ticket, operator: caller.id, to: [(target.id, handlers)])
        return history
    }

    static func actState(nodeType: String, edgeType: String) -> String {
        if edgeType == "reject" { return "rejected" }
        switch nodeType {
        case "start": return "in_draft"
        case "end": return "finished"
        default: return "on-going"
        }
    }

    /// Keeps the fields the node marks required or optional; a number is stored as Loonflow's
    /// decimal text. `title` also renames the ticket.
    private func store(_ fields: JSONObject, editableAt node: WorkflowNode, into ticket: inout SimulatedTicket) {
        let permissions = node.fieldPermissions
        let types = fieldTypes(ticket.workflowID)
        for (key, value) in fields where ["required", "optional"].contains(permissions[key] ?? "") {
            ticket.values[key] = Self.stored(value, type: types[key] ?? "")
            if key == "title", let title = value.stringValue { ticket.row["title"] = .string(title) }
        }
    }

    private func fieldTypes(_ workflowID: String) -> [String: String] {
        var types: [String: String] = [:]
        for row in deployment.workflow(workflowID)?.components ?? [] {
            for field in row["children"]?.arrayValue ?? [] {
                if let key = field["component_key"]?.stringValue { types[key] = field["type"]?.stringValue }
            }
        }
        return types
    }

    static func stored(_ value: JSONValue, type: String) -> JSONValue {
        guard type == "number" else { return value }
        let text: String
        switch value {
        case .number(let number): text = number.literal
        case .string(let string): text = string
        default: return value
        }
        guard let decimal = Double(text) else { return value }
        return .string(formatDecimal(decimal))
    }

    /// Django's decimal field with 10 places.
    static func formatDecimal(_ value: Double) -> String {
        let scaled = (abs(value) * 1e10).rounded()
        let whole = Int64(scaled / 1e10)
        let fraction = Int64(scaled - Double(whole) * 1e10)
        let digits = String(fraction)
        return (value < 0 ? "-" : "") + "\(whole)." + String(repeating: "0", count: 10 - digits.count) + digits
    }

    struct Note: Error { var text: String }

    /// The handlers a node gets, by its participant rule. Rules the recorded data cannot
    /// resolve (hooks, external services, random picks) are reported, not guessed.
    func assignees(of node: WorkflowNode, ticket: SimulatedTicket?, fields: JSONObject, operator: String) -> Result<[String], Note> {
        if node.type == "start" { return .success([ticket?.creatorID ?? `operator`]) }
        if node.type == "end" { return .success([]) }
        let type = node.props["assignee_type"]?.stringValue ?? ""
        let sources = (node.props["assignee"]?.stringValue ?? "").split(separator: ",").map(String.init)
        var ids: [String]
        switch type {
        case "users": ids = sources
        case "ticket_field":
            var values = ticket?.values ?? [:]
            for (key, value) in fields { values[key] = value }
            ids = sources.compactMap { values[$0]?.stringValue }
        case "roles": ids = sources.flatMap { deployment.roleMembers[$0] ?? [] }
        case "depts": ids = sources.flatMap { dept in deployment.users.filter { $0.departmentIDs.contains(dept) }.map(\.id) }
        case "variables" where sources.allSatisfy({ $0 == "creator" }): ids = [ticket?.creatorID ?? `operator`]
        default:
            return .failure(Note(text: "node \"\(node.name)\" picks its handlers by the rule \(type.isEmpty ? "(none)" : type) with \(sources.joined(separator: ",")), which the recorded deployment does not resolve; the ticket was not changed"))
        }
        if ids.count > 1, node.props["assignment_strategy"]?.stringValue == "random" {
            return .failure(Note(text: "node \"\(node.name)\" picks one of \(ids.count) handlers at random; the simulator does not invent which; the ticket was not changed"))
        }
        guard ids.allSatisfy({ deployment.user($0) != nil }) else {
            return .failure(Note(text: "node \"\(node.name)\" would go to a user the recorded deployment does not hold; the ticket was not changed"))
        }
        return .success(ids)
    }

    /// Loonflow's ticket-user update after a move: the operator becomes a processor, the new
    /// handlers assignees of their nodes, everyone else stops being an assignee.
    private func reassign(_ ticket: inout SimulatedTicket, operator: String, to nodes: [(node: String, users: [String])]) {
        ticket.updateLink(`operator`) { $0.processor = true }
        var assigned: [String: [String]] = [:]
        for (node, users) in nodes { for user in users { assigned[user, default: []].append(node) } }
        for (user, nodeIDs) in assigned.sorted(by: { $0.key < $1.key }) {
            ticket.updateLink(user) { link in
                link.assignee = true
                link.assigneeNodeIDs = nodeIDs
            }
        }
        for index in ticket.links.indices where assigned[ticket.links[index].userID] == nil {
            ticket.links[index].link.assignee = false
            ticket.links[index].link.assigneeNodeIDs = []
        }
    }

    private func withdraw(_ ticket: inout SimulatedTicket, caller: SimulatedUser) -> Outcome {
        guard ticket.nodes.count == 1, let workflow = deployment.workflow(ticket.workflowID) else {
            return .refused("ticket should only on one node")
        }
        let current = ticket.nodes[0].id
        guard workflow.node(current)?.allowsWithdraw ?? false else { return .refused("current node should be allow withdraw") }
        guard ticket.creatorID == caller.id else { return .refused("opertor is not ticket creator") }
        guard let start = workflow.startNode else { return .internalError }
        // act_state stays as it was: Loonflow 3.2.1 does not change it on withdraw.
        ticket.nodes = [TicketNodeState(id: start.id, name: start.name)]
        reassign(&ticket, operator: caller.id, to: [(start.id, [ticket.creatorID])])
        return record(&ticket, type: "withdraw", name: "", comment: "withdraw", node: current, caller: caller)
    }

    private func forward(
        _ ticket: inout SimulatedTicket, node: String, from source: String, to target: String, comment: JSONValue?,
        caller: SimulatedUser, type: String
    ) -> Outcome {
        guard let link = ticket.link(source), link.assigneeNodeIDs.contains(node) else { return .refused("Node not found") }
        let remaining = link.assigneeNodeIDs.filter { $0 != node }
        ticket.updateLink(source) { link in
            link.assigneeNodeIDs = remaining
            if remaining.isEmpty { link.assignee = false }
        }
        let known = ticket.link(target) != nil
        ticket.updateLink(target) { link in
            link.assignee = true
            // Loonflow's bug: a user with no link so far gets the source's remaining nodes
            // (usually none), which breaks their form and actions.
            link.assigneeNodeIDs = known ? Array(Set(link.assigneeNodeIDs + [node])).sorted() : remaining
        }
        return record(&ticket, type: type, name: "", comment: comment, node: node, caller: caller)
    }

    private func adminAction(_ type: String, _ ticket: inout SimulatedTicket, props: JSONObject, caller: SimulatedUser) -> Outcome {
        guard let workflow = deployment.workflow(ticket.workflowID) else { return .internalError }
        switch type {
        case "force_close":
            guard let end = workflow.endNode else { return .internalError }
            ticket.nodes = [TicketNodeState(id: end.id, name: end.name)]
            reassign(&ticket, operator: caller.id, to: [(end.id, [])])
            ticket.row["act_state"] = "force_closed"
            return record(&ticket, type: "force_close", name: "", comment: props["comment"] ?? "", node: end.id, caller: caller)
        case "force_forward":
            let node = props["node_id"]?.stringValue ?? ""
            guard let target = props["target_assignee_id"]?.stringValue, deployment.user(target) != nil else { return .internalError }
            for index in ticket.links.indices where ticket.links[index].userID != target {
                ticket.links[index].link.assigneeNodeIDs.removeAll { $0 == node }
                if ticket.links[index].link.assigneeNodeIDs.isEmpty { ticket.links[index].link.assignee = false }
            }
            ticket.updateLink(target) { link in
                link.assignee = true
                if !link.assigneeNodeIDs.contains(node) { link.assigneeNodeIDs.append(node) }
            }
            return record(&ticket, type: "force_forward", name: "", comment: props["comment"] ?? "", node: node, caller: caller)
        default:
            return .undetermined("force_alter_node is not simulated; the ticket was not changed")
        }
    }

    /// Appends a flow-history entry (newest first).
    @discardableResult
    private func record(
        _ ticket: inout SimulatedTicket, type: String, name: String, comment: JSONValue?, node: String, caller: SimulatedUser
    ) -> Outcome {
        let nodeName = deployment.workflow(ticket.workflowID)?.node(node)?.name ?? ""
        var data = JSONObject()
        for (key, value) in ticket.values.sorted(by: { $0.key < $1.key }) { data[key] = value }
        ticket.history.insert(
            [
                "id": .string(UUID().uuidString.lowercased()), "ticket_id": .string(ticket.id), "node_info": ["id": .string(node), "name": .string(nodeName)],
                "processor_info": [
                    "processor_type": "user", "processor": .string(caller.id), "processor_alias": .string(caller.alias),
                    "processor_email": .string(caller.email), "processor_phone": "", "processor_name": .string(caller.name),
                    "participant_phone": "",
                ],
                "comment": comment ?? .null, "action_type": .string(type), "action_name": .string(name),
                "created_at": .string(LoonflowTime.rowTimestamp(now)), "ticket_data": .object(data),
            ], at: 0)
        return .done
    }

    // MARK: create

    /// `POST /tickets` with the schema's keys only; the start node's required fields must be present.
    mutating func create(body: JSONValue?, caller: SimulatedUser) -> (Outcome, String?) {
        guard case .object(let request)? = body else { return (.internalError, nil) }
        let allowed: Set<String> = ["workflow_id", "action_id", "parent_ticket_id", "parent_ticket_node_id", "fields"]
        if let wrong = request.keys.first(where: { !allowed.contains($0) }) {
            let shown = request.map { ($0.key, $0.value.stringValue ?? JSONSerializer().string($0.value)) }
            return (.refused("Request data is invalid:Wrong key \(PythonRepr.string(wrong)) in \(PythonRepr.dict(shown))"), nil)
        }
        guard let workflow = deployment.workflow(request["workflow_id"]?.stringValue ?? ""),
            let edge = workflow.edge(request["action_id"]?.stringValue ?? ""), let start = workflow.startNode,
            let target = workflow.node(edge.target)
        else { return (.internalError, nil) }
        guard edge.source == start.id else { return (.refused("start node and action not match"), nil) }
        let fields = request["fields"]?.objectValue ?? JSONObject()
        if !edge.skipsRequiredCheck, let missing = missingRequired(start, fields) { return (.refused("field \(missing) is required"), nil) }
        let handlers: [String]
        switch assignees(of: target, ticket: nil, fields: fields, operator: caller.id) {
        case .success(let ids): handlers = ids
        case .failure(let note): return (.undetermined(note.text), nil)
        }
        let id = UUID().uuidString.lowercased()
        let stamp = JSONValue.string(LoonflowTime.rowTimestamp(now))
        var ticket = SimulatedTicket(
            row: JSONObject([
                ("id", .string(id)), ("label", [:]),
                ("creator_info", ["id": .string(caller.id), "name": .string(caller.name), "alias": .string(caller.alias)]),
                ("created_at", stamp), ("updated_at", stamp), ("tenant_id", .string(deployment.tenantID)),
                ("title", .string(fields["title"]?.stringValue ?? "")),
                ("act_state", .string(Self.actState(nodeType: target.type, edgeType: edge.type))),
                ("workflow_info", workflow.rowInfo),
            ]),
            workflowID: workflow.id, parentTicketID: request["parent_ticket_id"]?.stringValue ?? "", values: [:],
            nodes: [], links: [(caller.id, TicketLink(creator: true))], history: [],
            rank: (deployment.tickets.map(\.rank).max() ?? 0) + 1)
        ticket.values["title"] = ticket.row["title"]
        store(fields, editableAt: start, into: &ticket)
        record(&ticket, type: "create", name: edge.name, comment: "", node: start.id, caller: caller)
        var state = TicketNodeState(id: target.id, name: target.name)
        state.inAcceptWait = handlers.count > 1 && target.props["assignment_strategy"]?.stringValue == "voluntary"
        ticket.nodes = [state]
        reassign(&ticket, operator: caller.id, to: [(target.id, handlers)])
        deployment.tickets.append(ticket)
        return (.done, id)
    }
}
