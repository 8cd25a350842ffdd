import JSON

/// Which actions a caller may run, derived from what the detail endpoints offered them.
///
/// REST has no probe for Loonflow's action-permission check, so it is rebuilt from the
/// actions lists; the membership check then limits the call to exactly what was offered,
/// which also stops Loonflow's node spoofing (any assignee firing any edge of the workflow).
package enum ActionRules {
    /// Types Loonflow lets only a current assignee run.
    static let assigneeTypes: Set<String> = [
        "agree", "reject", "other", "forward", "consult", "consult_submit", "accept",
    ]
    /// Types Loonflow lets tenant admins, workflow admins and dispatchers run.
    static let adminTypes: Set<String> = ["force_forward", "force_close", "force_alter_node"]

    static let noPermission = "user has no permission to handle this ticket"
    static let notAvailable = "action_type/action_id is not available for current user"

    /// The reference's action-permission step.
    /// - Throws: `user has no permission to handle this ticket`, with a hint for known gaps.
    package static func checkPermission(_ type: String, snapshot: TicketSnapshot) throws(ToolFailure) {
        let allowed: Bool
        if type == "add_comment" || type == "withdraw" {
            // add_comment needs the view permission, which the form call already proved.
            allowed = true
        } else if assigneeTypes.contains(type) {
            // Only a current assignee is offered any of these.
            allowed = snapshot.actions.contains { assigneeTypes.contains($0["type"]?.stringValue ?? "") }
        } else if adminTypes.contains(type) {
            allowed = !snapshot.adminActions.isEmpty
        } else {
            throw ToolFailure(noPermission + unknownTypeHint(type, snapshot: snapshot))
        }
        guard allowed else {
            throw ToolFailure(noPermission + (adminTypes.contains(type) ? dispatcherHint : ""))
        }
    }

    /// The reference's membership step: `(type, id)` must be one of the offered actions.
    package static func checkAvailable(_ request: HandleRequest, snapshot: TicketSnapshot) throws(ToolFailure) {
        let offered = snapshot.actions + snapshot.adminActions
        let found = offered.contains {
            $0["type"]?.stringValue == request.actionType && $0["id"]?.stringValue == request.actionID
        }
        guard found else { throw ToolFailure(notAvailable + offeredHint(offered)) }
    }

    /// `add_comment` only: a missing or empty `node_id` becomes the base node.
    /// - Returns: true when the node id was filled in.
    package static func fillCommentNode(_ request: inout HandleRequest, snapshot: TicketSnapshot) -> Bool {
        guard request.actionType == "add_comment", !isTruthy(request.actionProps["node_id"]),
            let node = snapshot.fallbackNodeID
        else { return false }
        request.actionProps["node_id"] = .string(node)
        return true
    }

    /// Python truthiness, as the reference tests `node_id`.
    static func isTruthy(_ value: JSONValue?) -> Bool {
        switch value {
        case nil, .null?: false
        case .bool(let b)?: b
        case .number(let n)?: (n.doubleValue ?? 0) != 0
        case .string(let s)?: !s.isEmpty
        case .array(let a)?: !a.isEmpty
        case .object(let o)?: !o.isEmpty
        }
    }

    static let dispatcherHint =
        ". Force actions are offered only to tenant admins and workflow admins; Loonflow 3.2.1 offers none to "
        + "workflow dispatchers (a known Loonflow bug), so a dispatcher cannot run them through the gateway."

    private static func unknownTypeHint(_ type: String, snapshot: TicketSnapshot) -> String {
        ". \"\(type.prefix(32))\" is not a Loonflow action type" + offeredHint(snapshot.actions + snapshot.adminActions)
    }

    /// Names what the caller was offered, so the model can pick a valid pair.
    private static func offeredHint(_ offered: [JSONValue]) -> String {
        let pairs = offered.prefix(12).map {
            "\($0["type"]?.stringValue ?? "?")/\($0["id"]?.stringValue ?? "?")"
        }
        guard !pairs.isEmpty else { return "; ticket_detail offers this user no actions on this ticket" }
        return "; ticket_detail offers (action_type/action_id): \(pairs.joined(separator: ", "))"
    }
}
