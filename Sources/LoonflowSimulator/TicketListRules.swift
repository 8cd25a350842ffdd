import FixtureReplay
import JSON

/// `GET /api/v1.0/tickets`: the query schema, then the list service's filters and categories.
enum TicketListRules {
    static let categories = ["all", "duty", "owner", "relation", "worked", "intervene", "view"]
    static let actStates = ["in_draft", "on_going", "rejected", "withdrawn", "finished", "closed"]
    static let allowedKeys: Set<String> = [
        "category", "search_value", "create_start", "create_end", "workflow_ids", "node_ids", "ticket_ids", "act_state",
        "creator_id", "parent_ticket_id", "parent_ticket_node_id", "username", "stage_ids", "reverse", "page", "per_page",
    ]
    /// With no window given, Loonflow shows tickets created from 1095 days before now to an hour after.
    static let defaultWindowBefore: Int64 = 1095 * 86400
    static let defaultWindowAfter: Int64 = 3600

    static func answer(_ pairs: [QueryPair], caller: SimulatedUser, deployment: Deployment, now: Int64) -> ReplayAnswer {
        let query = joined(pairs)
        if let message = schemaError(query) { return SimulatorAnswer.failure("Request data is invalid:" + message) }
        let value = { (key: String) in query.first { $0.0 == key }?.1 ?? "" }
        let category = value("category")
        if category == "all", !caller.isAdmin { return SimulatorAnswer.failure("only admin can get all tickets") }
        guard let window = window(start: value("create_start"), end: value("create_end"), now: now),
            let filters = Filters(value)
        else { return SimulatorAnswer.internalError() }
        let page = PythonRepr.int(value("page")) ?? 1
        let perPage = PythonRepr.int(value("per_page")) ?? 10
        let newestFirst = (PythonRepr.int(value("reverse")) ?? 1) != 0
        var rows = deployment.tickets.filter { ticket in
            window.contains(ticket.createdAt) && filters.admit(ticket)
                && inCategory(category, ticket: ticket, caller: caller, deployment: deployment)
        }
        rows.sort { newestFirst ? $0.rank > $1.rank : $0.rank < $1.rank }
        let served = Page(rows, page: page, perPage: perPage)
        return SimulatorAnswer.ok([
            "ticket_list": .array(served.rows.map { .object($0.row) }), "per_page": .number(perPage), "page": .number(page),
            "total": .number(served.total),
        ])
    }

    /// A repeated key is joined with commas before validation, keeping first-seen order.
    static func joined(_ pairs: [QueryPair]) -> [(String, String)] {
        var result: [(String, String)] = []
        for pair in pairs {
            if let index = result.firstIndex(where: { $0.0 == pair.name }) {
                result[index].1 += "," + pair.value
            } else {
                result.append((pair.name, pair.value))
            }
        }
        return result
    }

    /// The schema's first complaint, in its order: value errors by key, a missing category, unknown keys.
    static func schemaError(_ query: [(String, String)]) -> String? {
        for (key, value) in query {
            switch key {
            case "category" where !categories.contains(value): return orError(key, categories, value)
            case "act_state" where !actStates.contains(value): return orError(key, actStates, value)
            case "reverse":
                guard let number = PythonRepr.int(value) else {
                    return "Key 'reverse' error:\nint(\(PythonRepr.string(value))) raised ValueError(\"invalid literal for int() with base 10: \(PythonRepr.string(value))\")"
                }
                if number != 0, number != 1 { return "Key 'reverse' error:\n<lambda>(\(number)) should evaluate to True" }
            case "page", "per_page":
                if (PythonRepr.int(value) ?? 0) < 1 { return "\(key) should be int and greater than 0" }
            default: break
            }
        }
        if !query.contains(where: { $0.0 == "category" }) { return "Missing key: 'category'" }
        if let wrong = query.first(where: { !allowedKeys.contains($0.0) }) {
            return "Wrong key \(PythonRepr.string(wrong.0)) in \(PythonRepr.dict(query))"
        }
        return nil
    }

    private static func orError(_ key: String, _ options: [String], _ value: String) -> String {
        let list = options.map(PythonRepr.string).joined(separator: ", ")
        let lines = options.map { "\(PythonRepr.string($0)) does not match \(PythonRepr.string(value))" }
        return "Key '\(key)' error:\nOr(\(list)) did not validate \(PythonRepr.string(value))\n" + lines.joined(separator: "\n")
    }

    /// The creation window; nil when a date does not parse (Loonflow: "Internal Server Error").
    static func window(start: String, end: String, now: Int64) -> Window? {
        if start.isEmpty, end.isEmpty { return Window(lower: now - defaultWindowBefore, upper: now + defaultWindowAfter) }
        var lower = Int64.min
        var upper = Int64.max
        if !start.isEmpty {
            guard let value = LoonflowTime.parseFilter(start) else { return nil }
            lower = value
        }
        if !end.isEmpty {
            guard let value = LoonflowTime.parseFilter(end) else { return nil }
            upper = value
        }
        return Window(lower: lower, upper: upper)
    }

    /// `created_at >= lower and created_at <= upper`; may be empty.
    struct Window {
        var lower: Int64
        var upper: Int64
        func contains(_ value: Int64) -> Bool { value >= lower && value <= upper }
    }

    /// The filters besides the category, with Loonflow 3.2.1's broken ones kept broken.
    struct Filters {
        var search = ""
        var creatorID: String?
        var parentTicketID: String?
        /// `workflow_ids` and integer `ticket_ids` match nothing.
        var matchesNothing = false

        /// Nil when a value makes Loonflow fail: a malformed UUID, any `node_ids`, a UUID in `ticket_ids`.
        init?(_ value: (String) -> String) {
            search = value("search_value")
            if !value("creator_id").isEmpty {
                guard let id = UUIDText.canonical(value("creator_id")) else { return nil }
                creatorID = id
            }
            if !value("parent_ticket_id").isEmpty {
                guard let id = UUIDText.canonical(value("parent_ticket_id")) else { return nil }
                parentTicketID = id
            }
            if !value("ticket_ids").isEmpty {
                guard value("ticket_ids").split(separator: ",", omittingEmptySubsequences: false).allSatisfy({ PythonRepr.int(String($0)) != nil })
                else { return nil }
                matchesNothing = true
            }
            if !value("node_ids").isEmpty { return nil }
            if !value("workflow_ids").isEmpty { matchesNothing = true }
        }

        func admit(_ ticket: SimulatedTicket) -> Bool {
            if matchesNothing { return false }
            if let creatorID, ticket.creatorID != creatorID { return false }
            if let parentTicketID, ticket.parentTicketID != parentTicketID { return false }
            return search.isEmpty || ticket.title.contains(search)
        }
    }

    static func inCategory(_ category: String, ticket: SimulatedTicket, caller: SimulatedUser, deployment: Deployment) -> Bool {
        let link = ticket.link(caller.id)
        switch category {
        case "owner": return ticket.creatorID == caller.id
        case "duty": return link?.assignee ?? false
        case "relation": return link != nil
        case "worked": return link?.processor ?? false
        case "intervene": return deployment.workflow(ticket.workflowID)?.dispatcherIDs.contains(caller.id) ?? false
        // Only user-level view permissions count: the department branch asks for a target type
        // Loonflow never stores.
        case "view": return deployment.workflow(ticket.workflowID)?.viewerIDs.contains(caller.id) ?? false
        default: return true
        }
    }
}
