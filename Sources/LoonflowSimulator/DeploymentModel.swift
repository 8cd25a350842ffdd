import JSON

/// A user of the simulated deployment: the full row `/accounts/users` gives, plus what the
/// rules read from it.
struct SimulatedUser: Sendable {
    var row: JSONObject
    var id: String { row["id"]?.stringValue ?? "" }
    var name: String { row["name"]?.stringValue ?? "" }
    var alias: String { row["alias"]?.stringValue ?? "" }
    var email: String { row["email"]?.stringValue ?? "" }
    var type: String { row["type"]?.stringValue ?? "normal" }
    var isAdmin: Bool { type == "admin" }
    /// Departments the user is linked to, primary or not.
    var departmentIDs: [String] { (row["dept_info_list"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue } }

    /// The row `/accounts/simple_users` gives: the full row without the admin-only keys.
    var simpleRow: JSONObject {
        JSONObject(
            ["id", "tenant_id", "name", "alias", "external_user_id", "email", "is_active", "avatar", "dept_info_list"]
                .compactMap { key in row[key].map { (key, $0) } })
    }
}

/// A node of a workflow's process graph.
struct WorkflowNode: Sendable {
    var id: String
    var name: String
    /// `start`, `normal` or `end`.
    var type: String
    var props: JSONObject
    var fieldPermissions: [String: String] {
        var result: [String: String] = [:]
        for (key, value) in props["field_permissions"]?.objectValue ?? JSONObject() { result[key] = value.stringValue }
        return result
    }
    var allowsWithdraw: Bool { props["allow_withdraw"]?.boolValue ?? false }
}

/// An edge: the action a handler of its source node may take.
struct WorkflowEdge: Sendable {
    var id: String
    var name: String
    /// `agree`, `reject` or `other`.
    var type: String
    var props: JSONValue
    var source: String
    var target: String
    var skipsRequiredCheck: Bool { props["skip_fields_required_check"]?.boolValue ?? false }
}

/// A workflow with its form, graph and permissions, as `GET /workflows/{id}` gives it.
struct SimulatedWorkflow: Sendable {
    var id: String
    /// The per-version "basic info" record: the `workflow_info.id` of ticket rows and the `id`
    /// of `simple_workflows` rows.
    var simpleRow: JSONObject
    var metadata: JSONValue
    var components: [JSONValue]
    var nodes: [WorkflowNode]
    var edges: [WorkflowEdge]
    var adminIDs: [String]
    var dispatcherIDs: [String]
    var viewerIDs: [String]
    var viewerDepartmentIDs: [String]

    var name: String { simpleRow["name"]?.stringValue ?? "" }
    var startNode: WorkflowNode? { nodes.first { $0.type == "start" } }
    var endNode: WorkflowNode? { nodes.first { $0.type == "end" } }
    func node(_ id: String) -> WorkflowNode? { nodes.first { $0.id == id } }
    func edge(_ id: String) -> WorkflowEdge? { edges.first { $0.id == id } }

    /// `workflow_info` of a ticket row.
    var rowInfo: JSONValue {
        ["id": simpleRow["id"] ?? "", "name": simpleRow["name"] ?? "", "description": simpleRow["description"] ?? ""]
    }
}

/// An active node of a ticket, with the states that change what its handlers may do.
struct TicketNodeState: Sendable, Equatable {
    var id: String
    var name: String
    var inConsult = false
    /// Who asked for the consult; the node goes back to them on `consult_submit`.
    var consultFrom: String?
    var inAcceptWait = false
}

/// Loonflow's ticket-user row: how one user is linked to one ticket.
struct TicketLink: Sendable, Equatable {
    var creator = false
    var processor = false
    var assignee = false
    /// Empty for an assignee forwarded a ticket they had no link to (Loonflow's bug): their
    /// form and actions then fail.
    var assigneeNodeIDs: [String] = []
}

/// A ticket and everything the list, detail and handle rules read or change.
struct SimulatedTicket: Sendable {
    /// The list row, kept in Loonflow's key order; `title`, `act_state`, `updated_at` change.
    var row: JSONObject
    var workflowID: String
    var parentTicketID: String
    var values: [String: JSONValue]
    var nodes: [TicketNodeState]
    /// User id → link, in the order links were made.
    var links: [(userID: String, link: TicketLink)]
    /// Flow history, newest first.
    var history: [JSONValue]
    /// Orders tickets created in the same second as Loonflow did (higher is newer).
    var rank: Int

    var id: String { row["id"]?.stringValue ?? "" }
    var title: String { row["title"]?.stringValue ?? "" }
    var actState: String { row["act_state"]?.stringValue ?? "" }
    var creatorID: String { row["creator_info"]?["id"]?.stringValue ?? "" }
    var createdAt: Int64 { LoonflowTime.parseRowTimestamp(row["created_at"]?.stringValue ?? "") ?? 0 }

    func link(_ userID: String) -> TicketLink? { links.first { $0.userID == userID }?.link }

    mutating func updateLink(_ userID: String, _ change: (inout TicketLink) -> Void) {
        if let index = links.firstIndex(where: { $0.userID == userID }) {
            change(&links[index].link)
        } else {
            var link = TicketLink()
            change(&link)
            links.append((userID, link))
        }
    }
}

/// The whole simulated deployment: what `deployment.json` holds, and what handles change.
struct Deployment: Sendable {
    var tenantID: String
    /// Ordered by id, as Loonflow lists users.
    var users: [SimulatedUser]
    /// Department id → parent id.
    var departmentParents: [String: String]
    /// Role id → member ids.
    var roleMembers: [String: [String]]
    var workflows: [SimulatedWorkflow]
    var tickets: [SimulatedTicket]

    func user(_ id: String) -> SimulatedUser? { users.first { $0.id == id } }
    func user(named name: String) -> SimulatedUser? { users.first { $0.name == name } }
    func workflow(_ id: String) -> SimulatedWorkflow? { workflows.first { $0.id == id } }
    func ticketIndex(_ id: String) -> Int? { tickets.firstIndex { $0.id == id } }

    /// The user's departments and all their ancestors (Loonflow's view check climbs the tree).
    func departmentsWithAncestors(of user: SimulatedUser) -> Set<String> {
        var result = Set<String>()
        for var department in user.departmentIDs {
            while result.insert(department).inserted, let parent = departmentParents[department] { department = parent }
        }
        return result
    }
}
